"""Rule lifecycle: released IDs keep matching, preview rules run only when named, and every
rule explains itself in one JSON structure (`check --explain RULE --format json`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventdesign import cli
from eventdesign.rules import engine, registry
from eventdesign.rules.registry import Rule, all_rules, find_rule

# Every rule ID ever released, oldest first; append new IDs, never delete one.
RELEASED = (Path(__file__).parent / "data" / "rules" / "released-ids.txt").read_text().split()


def test_every_released_rule_id_still_names_a_rule():
    current = {r.id for r in all_rules()}
    assert set(RELEASED) <= current | set(registry.REMOVED)
    for rule_id in RELEASED:
        assert find_rule(rule_id) is not None, rule_id
    assert current <= set(RELEASED), "add new rule IDs to tests/data/rules/released-ids.txt"


def rules_for_lifecycle() -> list[Rule]:
    common = {"family": "naming", "severity": "warning", "summary": "s", "what": "e"}
    return [
        Rule("NEW001", "new-rule", **common),
        Rule("NEW002", "new-preview", lifecycle="preview", **common),
        Rule("NEW003", "old-way", lifecycle="deprecated", replaced_by="NEW001", **common),
    ]


def test_a_removed_rule_id_in_a_models_ignore_keeps_ignoring_its_replacement(monkeypatch):
    monkeypatch.setitem(registry.REMOVED, "OLD001", "NEW001")
    selection = engine.select_rules(rules_for_lifecycle(), model_ignore=["OLD001"])
    assert "NEW001" not in selection.ids
    selection = engine.select_rules(rules_for_lifecycle(), model_severity={"old001": "error"})
    assert selection.severity == {"NEW001": "error"}


def test_a_preview_rule_runs_only_when_selected_by_its_id_or_name():
    rules = rules_for_lifecycle()
    assert engine.select_rules(rules).ids == {"NEW001", "NEW003"}
    assert engine.select_rules(rules, cli_select=["NEW"]).ids == {"NEW001", "NEW003"}
    assert "NEW002" in engine.select_rules(rules, cli_select=["NEW002"]).ids
    assert "NEW002" in engine.select_rules(rules, model_select=["new-preview"]).ids


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"lifecycle": "deprecated"}, "names its replacement"),
        ({"replaced_by": "NAM001"}, "names its replacement"),
        ({"lifecycle": "experimental"}, "lifecycle must be one of stable, preview, deprecated"),
    ],
)
def test_the_registry_refuses_an_inconsistent_lifecycle(fields, problem):
    rule_ = Rule("ZZZ901", "zzz-rule", "naming", "warning", "s", "e", **fields)
    with pytest.raises(ValueError, match=problem):
        registry._register(rule_)


def test_the_registry_never_reuses_a_removed_id(monkeypatch):
    monkeypatch.setitem(registry.REMOVED, "ZZZ902", "NAM001")
    with pytest.raises(ValueError, match="never reused"):
        registry._register(Rule("ZZZ902", "zzz-other", "naming", "warning", "s", "e"))


def test_every_rule_explains_itself_in_json(capsys):
    assert cli.main(["check", "--list-rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    for rule_ in all_rules():
        assert cli.main(["check", "--explain", rule_.name, "--format", "json"]) == 0
        explained = json.loads(capsys.readouterr().out)
        assert explained == rule_.as_dict()
        assert explained["id"] == rule_.id and explained["lifecycle"] == "stable"
        assert explained["summary"] and explained["explanation"]
        if explained["reported_by"]:
            assert find_rule(explained["reported_by"]).check is not None
    assert next(r for r in listed if r["id"] == "SAG010")["analysis_code"] == (
        "MISSING_COMPENSATION"
    )
