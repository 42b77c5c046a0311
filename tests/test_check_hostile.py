"""Hostile and broken input: `check` answers with exit 2 and one line, or with a finding when
the problem sits inside a payload schema; never a traceback, never the network, never a write.

Every run is offline (no network namespace interfaces), so a fetch attempt would fail loudly.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from conftest import run_grimoire

DATA = Path(__file__).parent / "data" / "check"
CLEAN = yaml.safe_load((DATA / "clean.yaml").read_text(encoding="utf-8"))

ALIAS_BOMB = """\
format: grimoire/1
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def check_offline(folder: Path, model: Path, *extra: str):
    before = snapshot(folder)
    result = run_grimoire("check", str(model), *extra, cwd=folder, offline=True)
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before, "check wrote a file"
    return result


def assert_unusable(result, reason: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert reason in lines[0]


def write_model(folder: Path, model: dict) -> Path:
    path = folder / "design.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"format: grimoire/1\nsystem: [unclosed\n", "invalid YAML"),
        (ALIAS_BOMB.encode(), "alias bomb"),
        (b"[" * 10_000 + b"]" * 10_000, "nested deeper than 64 levels"),
        (b"format: grimoire/1\nsystem: {name: caf\xe9}\n", "is not UTF-8"),
        (b"format: grimoire/1\n" + b"# padding\n" * 1_000_000, "over the 8,388,608-byte limit"),
        (b"format: grimoire/1\n---\nformat: grimoire/1\n", "more than one YAML document"),
    ],
    ids=["invalid-yaml", "alias-bomb", "10000-levels", "non-utf8", "10-mb", "two-documents"],
)
def test_unreadable_model_exits_2_with_one_line(tmp_path, content, reason):
    model = tmp_path / "design.yaml"
    model.write_bytes(content)
    assert_unusable(check_offline(tmp_path, model), reason)


@pytest.mark.parametrize(
    "reference",
    ["../../etc/passwd", "/etc/passwd", "https://example.com/order.schema.json"],
    ids=["parent-path", "absolute-path", "url"],
)
def test_schema_file_outside_the_model_tree_exits_2(tmp_path, reference):
    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"]["schema"] = reference
    result = check_offline(tmp_path, write_model(tmp_path, model))
    assert_unusable(result, f"'{reference}'")


def test_schema_file_outside_the_tree_is_read_with_allow_outside(tmp_path):
    outside = tmp_path / "shared" / "invoice.schema.json"
    outside.parent.mkdir()
    outside.write_text(
        json.dumps(
            {
                "type": "object",
                "required": ["orderId"],
                "properties": {"orderId": {"type": "string"}},
            }
        )
    )
    project = tmp_path / "project"
    project.mkdir()
    model = copy.deepcopy(CLEAN)
    model["events"]["InvoiceIssued"]["schema"] = "../shared/invoice.schema.json"
    model["events"]["InvoiceIssued"]["examples"] = [{"orderId": "o-1"}]
    path = write_model(project, model)
    assert_unusable(check_offline(project, path), "outside the model's folder")
    assert check_offline(project, path, "--allow-outside").returncode == 0


@pytest.mark.parametrize(
    "reference",
    ["https://example.com/money.json", "../../etc/passwd", "money.json#/Money"],
    ids=["url", "parent-path", "sibling-file"],
)
def test_schema_ref_leaving_the_schema_is_a_finding_because_the_model_is_still_readable(
    tmp_path, reference
):
    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"]["schema"]["properties"]["total"] = {"$ref": reference}
    result = check_offline(tmp_path, write_model(tmp_path, model), "--format", "json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["SCH003"]
    assert findings[0]["pointer"] == "/events/OrderPlaced/schema/properties/total/$ref"


def test_self_referencing_schema_is_a_finding_because_validating_it_would_never_end(tmp_path):
    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"]["schema"] = {"$ref": "#"}
    result = check_offline(tmp_path, write_model(tmp_path, model), "--format", "json")
    assert result.returncode == 1
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules == ["SCH001"]


def test_schema_file_with_a_ref_loop_through_defs_is_a_finding(tmp_path):
    schema = {
        "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
        "$ref": "#/$defs/a",
    }
    (tmp_path / "loop.json").write_text(json.dumps(schema), encoding="utf-8")
    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"].update(schema="loop.json", examples=[], pii=[])
    result = check_offline(tmp_path, write_model(tmp_path, model), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["SCH001"]
    assert findings[0]["file"].endswith("loop.json")


def test_invalid_model_lists_every_problem_with_file_line_column(tmp_path):
    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"]["ordering"] = "sometimes"
    model["services"]["orders"]["outbox"] = "maybe"
    path = write_model(tmp_path, model)
    result = check_offline(tmp_path, path)
    assert result.returncode == 2
    details = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert len(details) == 2
    assert all(line.startswith(f"{path}:") for line in details)


def test_model_schema_with_refs_inlined_reports_what_the_original_reports():
    from jsonschema import Draft202012Validator

    from eventdesign.model.loader import inline_local_refs, model_schema

    model = copy.deepcopy(CLEAN)
    model["events"]["OrderPlaced"]["ordering"] = "sometimes"
    model["events"]["OrderPlaced"]["consumers"] = [{"service": "billing", "idempotency": "x"}]
    model["services"]["orders"]["outbox"] = "maybe"
    model["sagas"] = {"S": {"style": "choreography", "reactions": [{"on": "OrderPlaced"}]}}

    def problems(schema: dict) -> list:
        errors = Draft202012Validator(schema).iter_errors(model)
        return sorted((list(e.absolute_path), e.message) for e in errors)

    original = problems(model_schema())
    assert len(original) >= 4
    assert problems(inline_local_refs(model_schema())) == original
