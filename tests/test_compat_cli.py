"""`grimoire compat` on files: exit codes, output formats, verdict lines and hostile input.

Vectors: tests/data/compat/files (written for grimoire) and files built in tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_grimoire
from eventdesign.cli import main

FILES = Path(__file__).resolve().parent / "data" / "compat" / "files"
V1 = str(FILES / "order-v1.json")
V2_PRICE_STRING = str(FILES / "order-v2-price-string.json")


def compat(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["compat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# Exit codes and verdict lines -------------------------------------------------------------


def test_compatible_change_exits_0_with_a_compatible_verdict_line(capsys) -> None:
    code, out, _ = compat(capsys, V1, V1)
    assert code == 0
    assert out.splitlines()[-1] == f"compat: BACKWARD: compatible (against {V1})"


def test_incompatible_change_exits_1_and_counts_the_changes(capsys) -> None:
    code, out, _ = compat(capsys, V1, V2_PRICE_STRING)
    assert code == 1
    assert f"compat: BACKWARD: incompatible (1 change; against {V1})" in out
    assert "error CMP020 TYPE_CHANGED at #/properties/price" in out
    assert "  hint: Keep the old type" in out


def test_the_entry_script_exits_1_for_an_incompatible_change() -> None:
    result = run_grimoire("compat", V1, V2_PRICE_STRING)
    assert result.returncode == 1
    assert "compat: BACKWARD: incompatible" in result.stdout


def test_mode_is_named_in_the_verdict(capsys) -> None:
    code, out, _ = compat(capsys, V1, V2_PRICE_STRING, "--mode", "full")
    assert code == 1
    assert "compat: FULL: incompatible (2 changes;" in out
    assert "[FORWARD: " in out and "[BACKWARD: " in out


def test_mode_none_accepts_any_change(capsys) -> None:
    code, out, _ = compat(capsys, V1, V2_PRICE_STRING, "--mode", "NONE")
    assert code == 0
    assert "compat: NONE: not checked" in out


def test_warnings_alone_exit_0(capsys, tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", {"type": "object", "properties": {"a": {}}})
    new = write(
        tmp_path / "new.json", {"type": "object", "properties": {"a": {}}, "required": ["b"]}
    )
    code, out, _ = compat(capsys, old, new)
    assert code == 0
    assert "warning CMP090" in out
    assert "compat: BACKWARD: compatible (1 warning;" in out


def test_history_checks_the_last_version_against_earlier_ones(capsys, tmp_path: Path) -> None:
    v1 = write(tmp_path / "v1.json", {"type": "object", "additionalProperties": False})
    v2 = write(
        tmp_path / "v2.json",
        {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}},
    )
    v3 = write(
        tmp_path / "v3.json",
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
        },
    )
    code, out, _ = compat(capsys, "--history", v1, v2, v3, "--mode", "BACKWARD_TRANSITIVE")
    assert code == 1
    assert f"against v1 ({v1}), v2 ({v2})" in out
    assert out.count("error CMP") == 2


def test_history_with_backward_only_checks_the_latest_previous(capsys, tmp_path: Path) -> None:
    v1 = write(tmp_path / "v1.json", {"type": "string"})
    v2 = write(tmp_path / "v2.json", {"type": "number"})
    code, out, _ = compat(capsys, "--history", v1, v2, v2)
    assert code == 0
    assert f"against v2 ({v2})" in out


def test_avro_files_are_checked_with_avro_rules(capsys) -> None:
    code, out, _ = compat(
        capsys, str(FILES / "order-v1.avsc"), str(FILES / "order-v2.avsc"), "--mode", "FULL"
    )
    assert code == 1
    assert "error CMP014 TYPE_MISMATCH at Order.lines[].price (reader string, writer double)" in out
    assert "error CMP013 READER_FIELD_MISSING_DEFAULT_VALUE at Order.customer" in out


def test_type_option_reads_json_files_as_avro(capsys, tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", {"type": "record", "name": "A", "fields": []})
    new = write(
        tmp_path / "new.json",
        {"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]},
    )
    code, out, _ = compat(capsys, old, new, "--type", "avro")
    assert code == 1
    assert "READER_FIELD_MISSING_DEFAULT_VALUE at A.x" in out


# Output formats -----------------------------------------------------------------------------


def test_json_output_has_findings_and_verdicts(capsys) -> None:
    code, out, _ = compat(capsys, V1, V2_PRICE_STRING, "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["command"] == "compat"
    [impact, finding] = sorted(document["findings"], key=lambda f: f["rule"])
    assert (finding["rule"], finding["pointer"]) == ("CMP020", "/properties/price/type")
    assert (impact["rule"], impact["severity"]) == ("CMP005", "info")
    [verdict] = document["verdicts"]
    assert (verdict["mode"], verdict["compatible"], verdict["changes"]) == ("BACKWARD", False, 1)


def test_sarif_output_describes_the_rule(capsys) -> None:
    code, out, _ = compat(capsys, V1, V2_PRICE_STRING, "--format", "sarif")
    run = json.loads(out)["runs"][0]
    assert code == 1
    assert sorted(rule["id"] for rule in run["tool"]["driver"]["rules"]) == ["CMP005", "CMP020"]
    [result] = [r for r in run["results"] if r["ruleId"] == "CMP020"]
    assert result["properties"]["pointer"] == "/properties/price/type"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


# Usage errors -------------------------------------------------------------------------------


def test_one_file_is_not_enough(capsys) -> None:
    code, _, err = compat(capsys, V1)
    assert code == 2
    assert "give two schema files (OLD NEW)" in err


def test_unknown_mode_is_a_usage_error(capsys) -> None:
    assert main(["compat", V1, V1, "--mode", "SIDEWAYS"]) == 2
    assert "unknown compatibility mode 'SIDEWAYS'" in capsys.readouterr().err


def test_unknown_extension_asks_for_type(capsys, tmp_path: Path) -> None:
    path = write(tmp_path / "schema.txt", {"type": "string"})
    code, _, err = compat(capsys, path, path)
    assert code == 2
    assert "--type avro|jsonschema" in err


def test_mixing_avro_and_json_schema_is_refused(capsys) -> None:
    code, _, err = compat(capsys, str(FILES / "order-v1.avsc"), V1)
    assert code == 2
    assert "mix Avro and JSON Schema" in err


# Hostile and broken input: exit 2, one line naming the file, no traceback -------------------


def one_line_error(capsys, *args: str) -> str:
    code, out, err = compat(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    return err


def test_missing_file(capsys, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    assert f"{missing}: file not found" in one_line_error(capsys, V1, missing)


def test_non_json_text(capsys, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"type": "object",\n  oops}', encoding="utf-8")
    assert f"{path}:2:3: not valid JSON" in one_line_error(capsys, V1, str(path))


def test_binary_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in one_line_error(capsys, V1, str(path))


def test_empty_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("  \n", encoding="utf-8")
    assert "the file is empty" in one_line_error(capsys, V1, str(path))


def test_malformed_json_schema(capsys, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", {"type": "object", "required": "id"})
    err = one_line_error(capsys, V1, path)
    assert f"{path}:1:" in err and "not a valid JSON Schema at #/required" in err


def test_schema_that_is_not_an_object(capsys, tmp_path: Path) -> None:
    path = write(tmp_path / "list.json", [1, 2, 3])
    assert "not a valid JSON Schema" in one_line_error(capsys, V1, path)


def test_malformed_avro_schema(capsys, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.avsc", {"type": "record", "name": "A", "fields": [{"x": 1}]})
    err = one_line_error(capsys, str(FILES / "order-v1.avsc"), path)
    assert f"{path}: not a valid Avro schema" in err


@pytest.mark.parametrize(
    "reference",
    [
        "http://example.com/money.json",
        "https://example.com/schemas/money.json#/$defs/amount",
        "money.json",
        "../shared/money.json#/definitions/amount",
        "file:///etc/passwd",
    ],
)
def test_references_outside_the_document_are_never_followed(
    capsys, tmp_path: Path, reference: str
) -> None:
    path = write(
        tmp_path / "remote.json",
        {"type": "object", "properties": {"total": {"$ref": reference}}},
    )
    err = one_line_error(capsys, path, path)
    assert f"{path}: #/properties/total/$ref: " in err
    assert "is never fetched or opened" in err


def test_reference_that_does_not_resolve(capsys, tmp_path: Path) -> None:
    path = write(tmp_path / "dangling.json", {"properties": {"a": {"$ref": "#/$defs/nope"}}})
    assert "does not resolve inside this document" in one_line_error(capsys, path, path)


def test_reference_ring_without_a_schema(capsys, tmp_path: Path) -> None:
    path = write(
        tmp_path / "ring.json",
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    )
    assert "loops back to itself" in one_line_error(capsys, path, path)


def test_nesting_ten_thousand_levels_deep(capsys, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"items": ' * 10_000 + "{}" + "}" * 10_000, encoding="utf-8")
    err = one_line_error(capsys, str(path), str(path))
    assert f"{path}: nested deeper than" in err


def test_yaml_alias_bomb(capsys, tmp_path: Path) -> None:
    lines = ["a0: &a0 {type: string}"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 20)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "alias" in one_line_error(capsys, str(path), str(path))


# Hostile input that is valid: it is compared, and terminates -----------------------------


def test_recursive_references_terminate(capsys, tmp_path: Path) -> None:
    node = {
        "type": "object",
        "properties": {
            "value": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/node"}]},
        },
    }
    old = {"$defs": {"node": node}, "$ref": "#/$defs/node"}
    changed = json.loads(json.dumps(old))
    changed["$defs"]["node"]["properties"]["value"] = {"type": "integer"}
    code, out, _ = compat(
        capsys, write(tmp_path / "a.json", old), write(tmp_path / "b.json", changed)
    )
    assert code == 1
    assert "TYPE_CHANGED at #/properties/value" in out


def test_mutually_recursive_unions_terminate(capsys, tmp_path: Path) -> None:
    names = [f"T{i}" for i in range(12)]
    branches = [{"$ref": f"#/definitions/{n}"} for n in names]
    definitions = {
        n: {"type": "object", "properties": {"id": {"type": "string"}, "next": {"oneOf": branches}}}
        for n in names
    }
    schema = {
        "definitions": definitions,
        "type": "object",
        "properties": {"p": {"oneOf": branches}},
    }
    path = write(tmp_path / "trade.json", schema)
    code, out, _ = compat(capsys, path, path, "--mode", "FULL")
    assert code == 0
    assert "compat: FULL: compatible" in out


def test_huge_enums_are_compared(capsys, tmp_path: Path) -> None:
    values = [f"value-{i}" for i in range(200_000)]
    old = write(tmp_path / "old.json", {"enum": values})
    new = write(tmp_path / "new.json", {"enum": values[1:] + ["extra"]})
    code, out, _ = compat(capsys, old, new)
    assert code == 1
    assert "ENUM_ARRAY_CHANGED at #/enum (removed 'value-0'; added 'extra')" in out


def test_wide_schemas_are_compared(capsys, tmp_path: Path) -> None:
    properties = {f"field{i}": {"type": "string", "maxLength": 50} for i in range(3000)}
    old = {"type": "object", "additionalProperties": False, "properties": properties}
    new = json.loads(json.dumps(old))
    new["properties"]["field2999"]["maxLength"] = 10
    code, out, _ = compat(capsys, write(tmp_path / "a.json", old), write(tmp_path / "b.json", new))
    assert code == 1
    assert "MAX_LENGTH_DECREASED at #/properties/field2999/maxLength (50 -> 10)" in out


def test_recursive_avro_records_terminate(capsys, tmp_path: Path) -> None:
    def linked_list(value_type: str) -> dict:
        return {
            "type": "record",
            "name": "Node",
            "fields": [
                {"name": "value", "type": value_type},
                {"name": "next", "type": ["null", "Node"], "default": None},
            ],
        }

    old = write(tmp_path / "old.avsc", linked_list("int"))
    new = write(tmp_path / "new.avsc", linked_list("string"))
    code, out, _ = compat(capsys, old, new, "--mode", "FULL_TRANSITIVE")
    assert code == 1
    assert "TYPE_MISMATCH at Node.value (reader string, writer int)" in out
