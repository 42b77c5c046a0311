"""Versions of one event: `supersedes` / `deprecated` in the model, the successor compared with
the type it replaces, the catalog and AsyncAPI linking them, and weakened modes reported.

Vectors: tests/data/compat/hotel (a hotel booking design written for grimoire) committed into a
throwaway git repository, then edited: a RoomBookedV2 that supersedes RoomBooked, an Avro
GuestCheckedInV2, modes weakened per event and for the whole system.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import tagged_repository
from eventdesign.cli import main
from eventdesign.compat.modes import lost_guarantees
from eventdesign.model.loader import load_model
from eventdesign.render.asyncapi import build_asyncapi
from eventdesign.render.docs import render_docs

HOTEL = Path(__file__).resolve().parent / "data" / "compat" / "hotel"


@pytest.fixture
def hotel(tmp_path: Path) -> Path:
    return tagged_repository(tmp_path, HOTEL, "hotel") / "hotel"


def compat(capsys, hotel: Path, *args: str) -> tuple[int, str]:
    code = main(["compat", "--against", "v1", str(hotel / "design.yaml"), *args])
    return code, capsys.readouterr().out


def edit_model(hotel: Path, change) -> None:
    path = hotel / "design.yaml"
    model = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(model)
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")


def room_booked_v2(nights_type: str, *, remove_old: bool = False):
    def change(model: dict) -> None:
        events = model["events"]
        successor = dict(events["RoomBooked"], supersedes="RoomBooked")
        successor["schema"] = {
            "type": "object",
            "additionalProperties": False,
            "required": ["bookingId", "nights"],
            "properties": {
                "bookingId": {"type": "string"},
                "roomType": {"type": "string"},
                "nights": {"type": nights_type},
                "breakfast": {"type": "boolean"},
            },
        }
        events["RoomBookedV2"] = successor
        if remove_old:
            del events["RoomBooked"]
            for read_model in model["read_models"].values():
                read_model["sources"] = [
                    "RoomBookedV2" if s == "RoomBooked" else s for s in read_model["sources"]
                ]
        else:
            events["RoomBooked"]["deprecated"] = True

    return change


def test_the_model_loads_supersedes_and_deprecated(hotel: Path) -> None:
    edit_model(hotel, room_booked_v2("integer"))
    model = load_model(hotel / "design.yaml")
    assert model.events["RoomBookedV2"].supersedes == "RoomBooked"
    assert model.events["RoomBooked"].deprecated is True
    assert model.events["GuestCheckedIn"].supersedes is None


def test_deprecated_must_be_a_boolean(capsys, hotel: Path) -> None:
    edit_model(hotel, lambda m: m["events"]["RoomBooked"].update(deprecated="soon"))
    assert main(["check", str(hotel / "design.yaml")]) == 2
    assert "deprecated" in capsys.readouterr().err


def test_a_successor_that_cannot_read_the_old_payloads_is_a_warning_with_the_changes(
    capsys, hotel: Path
) -> None:
    edit_model(hotel, room_booked_v2("string"))
    code, out = compat(capsys, hotel)
    assert code == 0  # a new type is the sanctioned way to break: a warning, not an error
    [line] = [line for line in out.splitlines() if " CMP007 " in line]
    assert (
        "RoomBookedV2: supersedes RoomBooked, but its schema cannot read RoomBooked payloads"
        in (line)
    )
    assert "trace: TYPE_CHANGED at #/properties/nights (integer -> string)" in out
    assert "[BACKWARD: RoomBookedV2 reads data written with RoomBooked]" in out


def test_a_successor_that_reads_the_old_payloads_needs_no_upcaster(capsys, hotel: Path) -> None:
    edit_model(hotel, room_booked_v2("integer"))
    code, out = compat(capsys, hotel)
    assert code == 0
    assert " CMP007 " not in out
    assert "RoomBookedV2: supersedes RoomBooked and reads its payloads" in out


def test_a_removed_predecessor_is_compared_as_it_was_at_the_revision(capsys, hotel: Path) -> None:
    edit_model(hotel, room_booked_v2("string", remove_old=True))
    code, out = compat(capsys, hotel)
    assert code == 1
    assert "RoomBooked: removed since v1 (superseded by RoomBookedV2)" in out
    assert "RoomBookedV2: supersedes RoomBooked, but its schema cannot read" in out


def test_an_avro_successor_adding_a_field_without_default_is_reported(capsys, hotel: Path) -> None:
    schema = json.loads((hotel / "schemas" / "guest-checked-in.avsc").read_text())
    schema["name"] = "GuestCheckedInV2"
    schema["fields"].append({"name": "floor", "type": "int"})
    (hotel / "schemas" / "guest-checked-in-v2.avsc").write_text(json.dumps(schema))

    def add(model: dict) -> None:
        model["events"]["GuestCheckedInV2"] = dict(
            model["events"]["GuestCheckedIn"],
            supersedes="GuestCheckedIn",
            schema="schemas/guest-checked-in-v2.avsc",
        )

    edit_model(hotel, add)
    _, out = compat(capsys, hotel)
    assert "GuestCheckedInV2: supersedes GuestCheckedIn, but its schema cannot read" in out
    assert "trace: NAME_MISMATCH" in out or "trace: READER_FIELD_MISSING_DEFAULT_VALUE" in out


def test_an_event_mode_weakened_since_the_revision_is_reported(capsys, hotel: Path) -> None:
    edit_model(hotel, lambda m: m["events"]["GuestCheckedIn"].update(compatibility="BACKWARD"))
    code, out = compat(capsys, hotel)
    assert code == 0
    [line] = [line for line in out.splitlines() if " CMP006 " in line]
    assert "GuestCheckedIn: compatibility weakened from FULL at v1 to BACKWARD" in line
    assert "no longer checking FORWARD with previous version" in line
    where = line.split(": warning")[0]
    assert where.startswith(f"{hotel / 'design.yaml'}:")
    number = int(where.split(":")[-2])
    text = (hotel / "design.yaml").read_text(encoding="utf-8").splitlines()
    assert text[number - 1].strip() == "compatibility: BACKWARD"


def test_a_system_mode_weakened_is_reported_once_for_the_events_using_it(
    capsys, hotel: Path
) -> None:
    edit_model(hotel, lambda m: m["system"].update(compatibility="NONE"))
    _, out = compat(capsys, hotel)
    [line] = [line for line in out.splitlines() if " CMP006 " in line]
    assert "system: compatibility weakened from BACKWARD at v1 to NONE" in line
    assert "(the system default, for 1 event: RoomBooked)" in line


def test_a_mode_made_stronger_is_not_reported(capsys, hotel: Path) -> None:
    edit_model(
        hotel, lambda m: m["events"]["GuestCheckedIn"].update(compatibility="FULL_TRANSITIVE")
    )
    _, out = compat(capsys, hotel)
    assert " CMP006 " not in out


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ("FULL_TRANSITIVE", "BACKWARD", 3),
        ("FULL_TRANSITIVE", "FULL", 2),
        ("BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", 2),
        ("BACKWARD", "FULL_TRANSITIVE", 0),
        ("NONE", "FORWARD", 0),
    ],
)
def test_lost_guarantees_compare_directions_and_reach(old: str, new: str, lost: int) -> None:
    assert len(lost_guarantees(old, new)) == lost


def test_catalog_links_successor_and_predecessor_and_marks_the_deprecated(hotel: Path) -> None:
    edit_model(hotel, room_booked_v2("integer"))
    pages = render_docs(load_model(hotel / "design.yaml"))
    old_page, new_page = pages["events/room-booked.md"], pages["events/room-booked-v2.md"]
    assert "| Superseded by | [RoomBookedV2](../events/room-booked-v2.md) |" in old_page
    assert "| Deprecated | yes" in old_page
    assert "| Supersedes | [RoomBooked](../events/room-booked.md) |" in new_page


def test_asyncapi_messages_carry_supersedes_and_deprecated(hotel: Path) -> None:
    edit_model(hotel, room_booked_v2("integer"))
    messages = build_asyncapi(load_model(hotel / "design.yaml"))["components"]["messages"]
    assert messages["RoomBookedV2"]["x-grimoire"]["supersedes"] == "RoomBooked"
    assert messages["RoomBooked"]["x-grimoire"]["deprecated"] is True
    assert "supersedes" not in messages["GuestCheckedIn"]["x-grimoire"]
