"""Who an incompatible change hurts: consuming services and read models, the failing direction
for each, and the safe deploy order; in text, JSON, SARIF and Markdown.

Vectors: tests/data/compat/hotel (a hotel booking design written for grimoire: a JSON Schema
event read by two services and two read models, an Avro event under FULL), committed into a
throwaway git repository and then edited.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import edit_json, tagged_repository
from eventdesign.cli import main
from eventdesign.compat.impact import Reader, impact_of
from eventdesign.rules.compatibility import check_schemas

HOTEL = Path(__file__).resolve().parent / "data" / "compat" / "hotel"


@pytest.fixture
def hotel(tmp_path: Path) -> Path:
    return tagged_repository(tmp_path, HOTEL, "hotel") / "hotel"


def compat(capsys, *args: str) -> tuple[int, str]:
    code = main(["compat", *args])
    return code, capsys.readouterr().out


def drop_suite(hotel: Path) -> None:
    """Remove a room type: new readers reject old bookings (BACKWARD fails, FORWARD holds)."""
    edit_json(
        hotel / "schemas" / "room-booked.json",
        lambda d: d["properties"]["roomType"].update(enum=["SINGLE", "DOUBLE"]),
    )


def test_json_names_every_reader_of_the_incompatible_event_and_the_failing_direction(
    capsys, hotel: Path
) -> None:
    drop_suite(hotel)
    code, out = compat(capsys, "--against", "v1", str(hotel / "design.yaml"), "--format", "json")
    assert code == 1
    verdicts = {v["subject"]: v for v in json.loads(out)["verdicts"]}
    impact = verdicts["RoomBooked"]["impact"]
    assert impact["failing_directions"] == ["BACKWARD"]
    assert impact["producer"] == "reservations"
    readers = [(r["service"], r["read_model"]) for r in impact["readers"]]
    assert readers == [
        ("housekeeping", None),
        ("billing", "GuestFolios"),
        ("analytics", "OccupancyReport"),
    ]
    assert impact["deploy_order"].startswith("the producer first, then consumers")
    assert "cannot be rebuilt" in impact["readers"][1]["fails"][0]["what"]
    assert "impact" not in verdicts["GuestCheckedIn"]


def test_text_reports_who_is_hurt_as_an_informational_finding_on_the_event(
    capsys, hotel: Path
) -> None:
    drop_suite(hotel)
    _, out = compat(capsys, "--against", "v1", str(hotel / "design.yaml"))
    [line] = [line for line in out.splitlines() if " CMP005 " in line]
    assert line.startswith(f"{hotel / 'design.yaml'}:19:3: info CMP005 RoomBooked: hurts ")
    assert "billing (read model GuestFolios): BACKWARD fails" in line
    assert "Safe deploy order: the producer first" in out


def test_an_avro_field_added_without_default_under_full_says_producer_first(
    capsys, hotel: Path
) -> None:
    edit_json(
        hotel / "schemas" / "guest-checked-in.avsc",
        lambda d: d["fields"].append({"name": "floor", "type": "int"}),
    )
    _, out = compat(capsys, "--against", "v1", str(hotel / "design.yaml"), "--format", "json")
    impact = {v["subject"]: v for v in json.loads(out)["verdicts"]}["GuestCheckedIn"]["impact"]
    assert impact["failing_directions"] == ["BACKWARD"]
    assert [r["service"] for r in impact["readers"]] == ["housekeeping", "analytics"]
    assert impact["deploy_order"].startswith("the producer first")


def test_a_field_added_to_a_closed_model_under_full_says_consumers_first(
    capsys, hotel: Path
) -> None:
    def add_late_checkout(model_text: str) -> str:
        return model_text.replace("  compatibility: BACKWARD", "  compatibility: FULL")

    design = hotel / "design.yaml"
    design.write_text(add_late_checkout(design.read_text(encoding="utf-8")), encoding="utf-8")
    edit_json(
        hotel / "schemas" / "room-booked.json",
        lambda d: d["properties"].update(lateCheckout={"type": "boolean"}),
    )
    _, out = compat(capsys, "--against", "v1", str(design), "--format", "json")
    impact = {v["subject"]: v for v in json.loads(out)["verdicts"]}["RoomBooked"]["impact"]
    assert impact["failing_directions"] == ["FORWARD"]
    assert impact["deploy_order"].startswith("consumers first, then the producer")
    assert "until it upgrades, housekeeping cannot read" in impact["readers"][0]["fails"][0]["what"]


def test_sarif_carries_the_impact_as_a_note(capsys, hotel: Path) -> None:
    drop_suite(hotel)
    _, out = compat(capsys, "--against", "v1", str(hotel / "design.yaml"), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    [note] = [r for r in results if r["ruleId"] == "CMP005"]
    assert note["level"] == "note"
    assert "Safe deploy order" in note["message"]["text"]


def test_markdown_summary_fits_a_pull_request_comment(capsys, hotel: Path) -> None:
    drop_suite(hotel)
    code, out = compat(
        capsys, "--against", "v1", str(hotel / "design.yaml"), "--format", "markdown"
    )
    assert code == 1
    assert out.startswith("### grimoire compat: 1 incompatible (of 2 checked)")
    assert "| `RoomBooked` | BACKWARD | **incompatible** | BACKWARD | the producer first" in out
    assert "| `GuestCheckedIn` | FULL | compatible | none | any order |" in out
    assert "#### Who is hurt" in out
    assert "  - `billing` (read model `GuestFolios`): BACKWARD: once upgraded" in out
    assert "- **error CMP082**" in out


def test_markdown_when_everything_is_compatible_has_no_findings_section(
    capsys, hotel: Path
) -> None:
    code, out = compat(
        capsys, "--against", "v1", str(hotel / "design.yaml"), "--format", "markdown"
    )
    assert code == 0
    assert out.startswith("### grimoire compat: compatible (2 checked)")
    assert "Findings" not in out and "Who is hurt" not in out


def test_markdown_escapes_schema_text(capsys, tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"properties": {"a|b<i>": {"type": "string"}}}), encoding="utf-8")
    new.write_text(json.dumps({"properties": {"a|b<i>": {"type": "integer"}}}), encoding="utf-8")
    _, out = compat(capsys, str(old), str(new), "--format", "markdown")
    assert "<i>" not in out
    assert "a\\|b&lt;i&gt;" in out


@pytest.mark.parametrize(
    ("backward", "forward", "order"),
    [
        (True, False, "consumers first"),
        (False, True, "the producer first"),
        (False, False, "none: neither direction holds"),
    ],
)
def test_deploy_order_follows_the_direction_that_holds(
    backward: bool, forward: bool, order: str
) -> None:
    base = {"type": "object", "additionalProperties": False, "properties": {}}
    versions = {
        (True, False): [base, {**base, "properties": {"x": {"type": "string"}}}],
        (False, True): [
            {**base, "properties": {"x": {"type": "number"}}},
            {**base, "properties": {"x": {"type": "integer"}}},
        ],
        (False, False): [
            {**base, "properties": {"x": {"type": "number"}}},
            {**base, "properties": {"x": {"type": "string"}}},
        ],
    }[(backward, forward)]
    verdict = check_schemas(versions, "FULL")
    impact = impact_of(verdict, "TelemetryRecorded", "gateway", (Reader("dashboard"),))
    assert (impact.backward, impact.forward) == (backward, forward)
    assert impact.deploy_order.startswith(order)
