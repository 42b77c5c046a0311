"""_TRANSITIVE modes with `compat --against`: every earlier committed version of each event.

Vectors: tests/data/compat/hotel (a hotel booking design written for grimoire), committed as a
history in a throwaway git repository: schema edits, a folder rename, draft commits between
tagged releases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import edit_json, git, tagged_repository
from eventdesign.cli import main

HOTEL = Path(__file__).resolve().parent / "data" / "compat" / "hotel"
GUEST_SCHEMA = Path("schemas") / "guest-checked-in.avsc"
ROOM_SCHEMA = Path("schemas") / "room-booked.json"


def compat(capsys, *args: str) -> tuple[int, str]:
    code = main(["compat", *args])
    return code, capsys.readouterr().out


def commit(repository: Path, message: str, tag: str | None = None) -> None:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)
    if tag:
        git(repository, "tag", tag)


def set_floor(field: dict | None):
    def change(schema: dict) -> None:
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "floor"]
        if field is not None:
            schema["fields"].append({"name": "floor", **field})

    return change


@pytest.fixture
def floor_history(tmp_path: Path) -> Path:
    """v1 writes `floor` as an int; v2 drops it; the working tree brings it back as a string.

    Each step is BACKWARD compatible with the one before; the last is not with v1."""
    repository = tagged_repository(tmp_path, HOTEL, "hotel", tag="start")
    hotel = repository / "hotel"
    edit_json(hotel / GUEST_SCHEMA, set_floor({"type": "int"}))
    commit(repository, "write the floor", tag="v1")
    edit_json(hotel / GUEST_SCHEMA, set_floor(None))
    commit(repository, "stop writing the floor", tag="v2")
    edit_json(hotel / GUEST_SCHEMA, set_floor({"type": "string", "default": ""}))
    return hotel


def test_backward_only_compares_with_the_revision(capsys, floor_history: Path) -> None:
    model = str(floor_history / "design.yaml")
    code, out = compat(capsys, "--against", "v2", model, "--mode", "BACKWARD")
    assert code == 0
    assert "compat: GuestCheckedIn: BACKWARD: compatible (against v2)" in out


def test_backward_transitive_compares_with_every_earlier_committed_version(
    capsys, floor_history: Path
) -> None:
    model = str(floor_history / "design.yaml")
    code, out = compat(capsys, "--against", "v2", model, "--mode", "BACKWARD_TRANSITIVE")
    assert code == 1
    assert (
        "compat: GuestCheckedIn: BACKWARD_TRANSITIVE checked 2 earlier versions of its schema "
        "(from 3 committed model versions)" in out
    )
    assert "TYPE_MISMATCH at GuestCheckedIn.floor (reader string, writer int)" in out
    assert "[BACKWARD: working tree reads data written with v1]" in out
    # `start` held the same schema as v2: one version, named by its newest commit.
    assert "GuestCheckedIn: BACKWARD_TRANSITIVE: incompatible (1 change; against v1, v2)" in out


def test_the_models_own_transitive_mode_asks_for_the_history(capsys, floor_history: Path) -> None:
    design = floor_history / "design.yaml"
    text = design.read_text(encoding="utf-8").replace(
        "compatibility: FULL", "compatibility: FULL_TRANSITIVE"
    )
    design.write_text(text, encoding="utf-8")
    code, out = compat(capsys, "--against", "v2", str(design), "--format", "json")
    assert code == 1
    verdicts = {v["subject"]: v for v in json.loads(out)["verdicts"]}
    guest = verdicts["GuestCheckedIn"]
    assert guest["mode"] == "FULL_TRANSITIVE"
    assert guest["versions_checked"] == 2
    assert {c["writer"] for c in guest["checked"] if c["direction"] == "BACKWARD"} == {"v1", "v2"}
    assert verdicts["RoomBooked"]["mode"] == "BACKWARD"


def test_a_schema_committed_again_unchanged_is_not_another_version(
    capsys, floor_history: Path
) -> None:
    repository = floor_history.parent
    (floor_history / "README.md").write_text("Hotel design\n", encoding="utf-8")
    git(repository, "stash", "-q")
    commit(repository, "a note beside the model", tag="v2.1")
    git(repository, "stash", "pop", "-q")
    model = str(floor_history / "design.yaml")
    _, out = compat(capsys, "--against", "v2.1", model, "--mode", "BACKWARD_TRANSITIVE")
    assert (
        "RoomBooked: BACKWARD_TRANSITIVE checked 1 earlier version of its schema "
        "(from 4 committed model versions)" in out
    )
    assert "RoomBooked: BACKWARD_TRANSITIVE: compatible (against v2.1)" in out


def test_history_follows_the_model_across_a_folder_rename(capsys, floor_history: Path) -> None:
    repository = floor_history.parent
    git(repository, "stash", "-q")
    git(repository, "mv", "hotel", "lodging")
    commit(repository, "rename the folder", tag="v3")
    git(repository, "stash", "pop", "-q")
    assert (repository / "lodging" / GUEST_SCHEMA).read_text().count("string") == 3
    model = str(repository / "lodging" / "design.yaml")
    code, out = compat(capsys, "--against", "v3", model, "--mode", "BACKWARD_TRANSITIVE")
    assert code == 1
    assert "[BACKWARD: working tree reads data written with v1]" in out


def test_drafts_between_releases_are_skipped_with_released(capsys, tmp_path: Path) -> None:
    repository = tagged_repository(tmp_path, HOTEL, "hotel", tag="v1")
    hotel = repository / "hotel"
    nights = hotel / ROOM_SCHEMA
    edit_json(nights, lambda d: d["properties"]["nights"].update(type="string"))
    commit(repository, "draft: nights as text")
    edit_json(nights, lambda d: d["properties"]["nights"].update(type="integer"))
    commit(repository, "nights back to a number", tag="v2")
    model = str(hotel / "design.yaml")
    arguments = ["--against", "v2", model, "--mode", "BACKWARD_TRANSITIVE"]

    code, out = compat(capsys, *arguments)
    assert code == 1
    assert "TYPE_CHANGED at #/properties/nights (string+number -> integer)" in out

    code, out = compat(capsys, *arguments, "--released", "v*")
    assert code == 0
    assert "RoomBooked: BACKWARD_TRANSITIVE: compatible (against v2)" in out


def test_released_is_only_for_against(capsys, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text("{}", encoding="utf-8")
    code = main(["compat", str(old), str(old), "--released", "v*"])
    assert code == 2
    assert "use it with --against" in capsys.readouterr().err


def test_commits_that_touch_neither_the_model_nor_its_schemas_are_not_versions(
    capsys, tmp_path: Path
) -> None:
    repository = tagged_repository(tmp_path, HOTEL, "hotel", tag="v1")
    hotel = repository / "hotel"
    (hotel / "NOTES.md").write_text("Rooms are cleaned by noon.\n", encoding="utf-8")
    commit(repository, "notes beside the model")
    edit_json(hotel / GUEST_SCHEMA, set_floor({"type": "int", "default": 0}))
    commit(repository, "write the floor", tag="v2")
    model = str(hotel / "design.yaml")
    _, out = compat(capsys, "--against", "v2", model, "--mode", "FULL_TRANSITIVE")
    assert "(from 2 committed model versions)" in out


def test_a_schema_file_renamed_in_history_is_followed(capsys, floor_history: Path) -> None:
    repository = floor_history.parent
    git(repository, "stash", "-q")
    git(repository, "mv", "hotel/schemas/guest-checked-in.avsc", "hotel/schemas/check-in.avsc")
    design = floor_history / "design.yaml"
    design.write_text(
        design.read_text(encoding="utf-8").replace("guest-checked-in.avsc", "check-in.avsc"),
        encoding="utf-8",
    )
    commit(repository, "rename the schema file", tag="v3")
    git(repository, "stash", "pop", "-q")
    # The stashed edit (floor back as a string) follows the file to its new name.
    assert '"string"' in (floor_history / "schemas" / "check-in.avsc").read_text()
    code, out = compat(capsys, "--against", "v3", str(design), "--mode", "BACKWARD_TRANSITIVE")
    assert code == 1
    assert "[BACKWARD: working tree reads data written with v1]" in out
