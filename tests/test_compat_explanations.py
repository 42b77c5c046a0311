"""Every incompatibility is explained: rule, change type, where (pointer or Avro field path),
why it breaks, which direction, and what to do instead.

Vectors: files in tests/data/compat/files (written for grimoire).
"""

from __future__ import annotations

from pathlib import Path

from eventdesign.compat.history import SchemaVersion, check_history
from eventdesign.compat.schema_files import read_schema_file
from eventdesign.compat.verdict_text import verdict_line, verdict_summary
from eventdesign.report.compat_findings import findings_for
from eventdesign.rules.compat_catalogue import SEVERITIES
from eventdesign.rules.compatibility import check_schemas

FILES = Path(__file__).resolve().parent / "data" / "compat" / "files"


def file_verdict(old: str, new: str, mode: str = "BACKWARD"):
    versions = [SchemaVersion(name, read_schema_file(str(FILES / name))) for name in (old, new)]
    return check_history(versions, mode, severities=SEVERITIES)


def test_finding_names_rule_change_type_path_and_direction() -> None:
    verdict = file_verdict("order-v1.json", "order-v2-price-string.json")
    [finding] = findings_for(verdict)
    assert finding.rule == "CMP020"
    assert finding.severity == "error"
    assert finding.message.startswith("TYPE_CHANGED at #/properties/price (number -> string): ")
    assert finding.message.endswith(
        "[BACKWARD: order-v2-price-string.json reads data written with order-v1.json]"
    )


def test_finding_says_why_it_breaks_and_what_to_do() -> None:
    verdict = file_verdict("order-v1.json", "order-v2-price-string.json")
    [finding] = findings_for(verdict)
    assert "the writer's values there are rejected" in finding.message
    assert finding.hint.startswith("Keep the old type")
    assert "new event type" in finding.hint


def test_finding_is_located_at_the_keyword_in_the_new_file() -> None:
    verdict = file_verdict("order-v1.json", "order-v2-price-string.json")
    [finding] = findings_for(verdict)
    location = finding.location
    assert (Path(location.file).name, location.pointer) == (
        "order-v2-price-string.json",
        "/properties/price/type",
    )
    line = (FILES / "order-v2-price-string.json").read_text().splitlines()[location.line - 1]
    assert line[location.column - 1 :].startswith('"type": "string"')


def test_yaml_schema_findings_have_lines_too() -> None:
    verdict = file_verdict("order-v1.yaml", "order-v2-closed.yaml")
    [finding] = findings_for(verdict)
    assert finding.rule == "CMP045"
    assert finding.location.line == 4
    assert finding.location.pointer == "/additionalProperties"


def test_a_change_inside_a_definition_points_at_the_definition() -> None:
    old = {
        "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "string"}}}},
        "type": "object",
        "properties": {"total": {"$ref": "#/$defs/money"}},
    }
    new = {
        "$defs": {"money": {"type": "object", "properties": {"amount": {"type": "number"}}}},
        "type": "object",
        "properties": {"total": {"$ref": "#/$defs/money"}},
    }
    verdict = check_schemas([old, new], "BACKWARD")
    [change] = verdict.checks[0].errors
    assert change.path == "#/properties/total/properties/amount"
    assert change.reader_pointer == "/$defs/money/properties/amount/type"


def test_avro_finding_names_the_field_path() -> None:
    verdict = file_verdict("order-v1.avsc", "order-v2.avsc")
    messages = sorted(f.message for f in findings_for(verdict))
    assert messages[0].startswith("READER_FIELD_MISSING_DEFAULT_VALUE at Order.customer ")
    assert any(m.startswith("TYPE_MISMATCH at Order.lines[].price ") for m in messages)


def test_avro_finding_points_into_the_new_file() -> None:
    verdict = file_verdict("order-v1.avsc", "order-v2.avsc")
    located = {f.rule: f.location for f in findings_for(verdict)}
    assert located["CMP014"].pointer == "/fields/1/type/items/fields/0/type"
    assert located["CMP013"].pointer == "/fields/2"
    assert located["CMP013"].line == 5


def test_forward_findings_say_the_old_schema_reads_new_data() -> None:
    verdict = file_verdict("order-v1.json", "order-v2-price-string.json", "FORWARD")
    [finding] = findings_for(verdict)
    assert finding.message.endswith(
        "[FORWARD: order-v1.json reads data written with order-v2-price-string.json]"
    )
    assert Path(finding.location.file).name == "order-v2-price-string.json"


def test_a_changed_union_branch_is_explained_by_its_closest_counterpart() -> None:
    old = {"properties": {"status": {"allOf": [{"type": "string"}, {"enum": ["new", "paid"]}]}}}
    new = {"properties": {"status": {"allOf": [{"type": "string"}, {"enum": ["new"]}]}}}
    [change] = check_schemas([old, new], "BACKWARD").checks[0].errors
    assert change.code == "COMBINED_TYPE_SUBSCHEMAS_CHANGED"
    assert "ENUM_ARRAY_NARROWED at allOf/1/enum" in change.detail


def test_enum_findings_list_the_removed_values() -> None:
    [change] = (
        check_schemas([{"enum": ["a", "b", "c"]}, {"enum": ["a"]}], "BACKWARD").checks[0].errors
    )
    assert change.detail == "removed 'b', 'c'"


def test_verdict_line_counts_changes_and_names_the_versions_compared() -> None:
    verdict = file_verdict("order-v1.json", "order-v2-price-string.json")
    assert verdict_line(verdict) == "BACKWARD: incompatible (1 change; against order-v1.json)"


def test_verdict_line_for_a_compatible_change() -> None:
    verdict = file_verdict("order-v1.json", "order-v1.json", "FULL")
    assert verdict_line(verdict) == "FULL: compatible (against order-v1.json)"


def test_verdict_summary_lists_each_comparison() -> None:
    verdict = check_schemas([{"type": "string"}, {"type": "string"}, {"type": "number"}], "FULL")
    summary = verdict_summary(verdict, "OrderPlaced")
    assert summary["subject"] == "OrderPlaced"
    assert summary["compatible"] is False
    assert [(c["direction"], c["reader"], c["writer"]) for c in summary["checked"]] == [
        ("BACKWARD", "v3", "v2"),
        ("FORWARD", "v2", "v3"),
    ]


def test_warnings_are_findings_but_keep_the_change_compatible() -> None:
    old = {"type": "object", "properties": {"id": {"type": "string"}}}
    new = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["customer"]}
    verdict = check_schemas([old, new], "BACKWARD")
    [finding] = findings_for(verdict)
    assert verdict.compatible
    assert (finding.rule, finding.severity) == ("CMP090", "warning")
    assert "#/required/customer" in finding.message
