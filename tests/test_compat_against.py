"""`grimoire compat --against REV MODEL`: each event against itself at a git revision.

Vectors: tests/data/compat/model (a small design model written for grimoire), committed into a
throwaway git repository in tmp_path and then edited.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import edit_json, git, tagged_repository
from eventdesign.cli import main

MODEL_DIR = Path(__file__).resolve().parent / "data" / "compat" / "model"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository whose tag `v1` holds the model under shop/."""
    return tagged_repository(tmp_path, MODEL_DIR, "shop")


def compat(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["compat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def edit_model(repository: Path, change) -> None:
    path = repository / "shop" / "design.yaml"
    model = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(model)
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")


def model_path(repository: Path) -> str:
    return str(repository / "shop" / "design.yaml")


def test_unchanged_model_is_compatible_event_by_event(capsys, repository: Path) -> None:
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 0
    assert "compat: OrderPlaced: BACKWARD: compatible (against v1)" in out
    assert "compat: OrderCancelled: FULL: compatible (against v1)" in out
    assert "compat: InvoiceIssued: BACKWARD: compatible (against v1)" in out


def test_incompatible_schema_file_change_is_reported_in_the_working_file(
    capsys, repository: Path
) -> None:
    schema = repository / "shop" / "schemas" / "order-placed.json"
    edit_json(schema, lambda d: d["properties"]["total"].update(minimum=1))
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    minimum_line = next(
        number
        for number, text in enumerate(schema.read_text().splitlines(), start=1)
        if '"minimum": 1' in text
    )
    assert f"{schema}:{minimum_line}:" in out
    assert "error CMP032 OrderPlaced: MINIMUM_INCREASED at #/properties/total/minimum" in out
    assert "[BACKWARD: working tree reads data written with v1]" in out
    assert "compat: OrderPlaced: BACKWARD: incompatible (1 change; against v1)" in out


def test_each_event_uses_its_own_mode(capsys, repository: Path) -> None:
    # Adding an optional property to a closed model is BACKWARD- but not FORWARD-compatible.
    def add_note(model: dict) -> None:
        model["events"]["OrderCancelled"]["schema"]["properties"]["note"] = {"type": "string"}

    edit_model(repository, add_note)
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    assert "OrderCancelled: PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" in out
    assert "compat: OrderCancelled: FULL: incompatible" in out


def test_mode_option_overrides_the_models_modes(capsys, repository: Path) -> None:
    def add_note(model: dict) -> None:
        model["events"]["OrderCancelled"]["schema"]["properties"]["note"] = {"type": "string"}

    edit_model(repository, add_note)
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository), "--mode", "BACKWARD")
    assert code == 0
    assert "compat: OrderCancelled: BACKWARD: compatible" in out


def test_inline_schema_findings_point_into_the_model(capsys, repository: Path) -> None:
    def shorten(model: dict) -> None:
        model["events"]["OrderCancelled"]["schema"]["properties"]["reason"]["maxLength"] = 100

    edit_model(repository, shorten)
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    line = next(x for x in out.splitlines() if "MAX_LENGTH_DECREASED" in x)
    assert line.startswith(f"{model_path(repository)}:")
    assert "(200 -> 100)" in line


def test_avro_event_change_is_checked_with_avro_rules(capsys, repository: Path) -> None:
    schema = repository / "shop" / "schemas" / "invoice-issued.avsc"
    edit_json(schema, lambda d: d["fields"][1].update(type="int"))
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    assert (
        "InvoiceIssued: TYPE_MISMATCH at InvoiceIssued.amountMinor (reader int, writer long)" in out
    )


def test_new_event_has_nothing_to_compare(capsys, repository: Path) -> None:
    def add_event(model: dict) -> None:
        model["events"]["OrderShipped"] = {"producer": "orders", "schema": {"type": "object"}}

    edit_model(repository, add_event)
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 0
    assert "compat: OrderShipped: new since v1, nothing to compare" in out


def test_removed_event_is_reported(capsys, repository: Path) -> None:
    edit_model(repository, lambda model: model["events"].pop("OrderCancelled"))
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    assert "error CMP001 OrderCancelled: removed since v1; read there by billing" in out


def test_removed_schema_is_reported(capsys, repository: Path) -> None:
    edit_model(repository, lambda model: model["events"]["OrderCancelled"].pop("schema"))
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    assert "error CMP002 OrderCancelled: has no schema now but had one at v1" in out


def test_schema_language_change_is_reported(capsys, repository: Path) -> None:
    avro = {"type": "record", "name": "OrderCancelled", "fields": []}
    (repository / "shop" / "schemas" / "order-cancelled.avsc").write_text(json.dumps(avro))
    edit_model(
        repository,
        lambda model: model["events"]["OrderCancelled"].update(
            schema="schemas/order-cancelled.avsc"
        ),
    )
    code, out, _ = compat(capsys, "--against", "v1", model_path(repository))
    assert code == 1
    assert "error CMP003 OrderCancelled: schema changed from jsonschema to avro" in out


def test_committed_changes_compare_against_an_older_commit(capsys, repository: Path) -> None:
    schema = repository / "shop" / "schemas" / "order-placed.json"
    edit_json(schema, lambda d: d["properties"].update(total={"type": "string"}))
    git(repository, "commit", "-q", "-am", "v2")
    code, out, _ = compat(capsys, "--against", "HEAD~1", model_path(repository))
    assert code == 1
    assert "TYPE_CHANGED at #/properties/total (number -> string)" in out
    code, out, _ = compat(capsys, "--against", "HEAD", model_path(repository))
    assert code == 0


def test_model_absent_at_the_revision_makes_every_event_new(capsys, repository: Path) -> None:
    git(repository, "commit", "-q", "--allow-empty", "-m", "later")
    shutil.copytree(repository / "shop", repository / "newshop")
    code, out, _ = compat(capsys, "--against", "v1", str(repository / "newshop" / "design.yaml"))
    assert code == 0
    assert "did not exist at v1: every event is new" in out


def test_unknown_revision_exits_2(capsys, repository: Path) -> None:
    code, _, err = compat(capsys, "--against", "no-such-tag", model_path(repository))
    assert code == 2
    assert "unknown git revision 'no-such-tag'" in err


def test_option_looking_revision_is_refused(capsys, repository: Path) -> None:
    code, _, err = compat(capsys, "--against=--output=/tmp/x", model_path(repository))
    assert code == 2
    assert "is not a git revision" in err


def test_model_outside_a_repository_exits_2(capsys, tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "shop")
    code, _, err = compat(capsys, "--against", "HEAD", str(tmp_path / "shop" / "design.yaml"))
    assert code == 2
    assert "is not inside a git repository" in err


def test_broken_model_at_the_revision_is_named_by_revision(capsys, repository: Path) -> None:
    (repository / "shop" / "design.yaml").write_text("format: grimoire/1\nsystem: [\n")
    git(repository, "commit", "-q", "-am", "broken")
    git(repository, "tag", "broken")
    shutil.copy(MODEL_DIR / "design.yaml", repository / "shop" / "design.yaml")
    code, _, err = compat(capsys, "--against", "broken", model_path(repository))
    assert code == 2
    assert "at revision broken:" in err
    assert "broken:shop/design.yaml" in err


def test_against_needs_exactly_the_model(capsys, repository: Path) -> None:
    code, _, err = compat(capsys, "--against", "v1")
    assert code == 2
    assert "compat --against REV MODEL" in err
