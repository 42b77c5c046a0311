"""Every rule's explanation example breaks the rule, and its corrected example is a sound design.

A model rule's `example` and `instead` are fragments of a design model, merged into
tests/data/rules/explain-base.yaml (a sound model): the example must trigger its rule, and the
corrected one must pass every rule, so what `check --explain` shows a user is what `check` does.
A schema compatibility rule's are `before:`/`after:` schema pairs (with an optional `mode:`,
BACKWARD when absent): the example must report its change, the corrected one nothing. A
compatibility rule about events as a whole has `before:`/`after:` design-model fragments, each
merged into the base model and compared as `compat --against` compares a revision with the
working tree: the example must report its rule, the corrected one nothing, and the corrected
`after` model must pass every rule.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventdesign.compat.against import compare_models
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.report.compat_findings import compat_findings
from eventdesign.rules import engine
from eventdesign.rules.compat_catalogue import SEVERITIES
from eventdesign.rules.compatibility import check_schemas
from eventdesign.rules.registry import Rule, all_rules

ROOT = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((ROOT / "tests" / "data" / "rules" / "explain-base.yaml").read_text())
MODEL_FAMILIES = ("naming", "topology", "schemas", "reliability", "data", "sagas", "capacity")


def merged(base: Any, fragment: Any) -> Any:
    """`fragment` laid over `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        result = dict(base)
        for key, value in fragment.items():
            result[key] = merged(base[key], value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(fragment)


def findings_on(tmp_path: Path, fragment: str, rule_ids: list[str]) -> list:
    """Findings of the selected rules on the base model with `fragment` laid over it."""
    path = tmp_path / "design.yaml"
    # the model's own parser, as `check` reads the fragment: it keeps a saga's `on:` a string
    # key (PyYAML's safe_load would make it True)
    model = merged(BASE, parse_yaml(fragment, "example").data)
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    selection = engine.select_rules(all_rules(), cli_select=rule_ids)
    return list(engine.run_rules(load_model(path), selection))


def model_rules_with_examples() -> list[Rule]:
    return [r for r in all_rules() if r.family in MODEL_FAMILIES and r.example]


@pytest.mark.parametrize("rule_", model_rules_with_examples(), ids=lambda r: r.id)
def test_the_example_triggers_its_rule(tmp_path, rule_):
    found = findings_on(tmp_path, rule_.example, [rule_.id])
    assert [f.rule for f in found if f.rule == rule_.id], f"{rule_.id}'s example passes"


@pytest.mark.parametrize("rule_", model_rules_with_examples(), ids=lambda r: r.id)
def test_the_corrected_example_passes_every_rule(tmp_path, rule_):
    found = findings_on(tmp_path, rule_.instead, ["ALL"])
    assert [(f.rule, f.message) for f in found] == []


# A schema compatibility rule's name starts with the schema language it concerns.
SCHEMA_LANGUAGES = {"json": "jsonschema", "avro": "avro", "proto": "protobuf"}


def schema_rules_with_examples() -> list[Rule]:
    return [
        r
        for r in all_rules()
        if r.family == "compatibility" and r.example and r.name.split("-")[0] in SCHEMA_LANGUAGES
    ]


def reported_codes(rule_: Rule, pair_text: str) -> list[str]:
    """Codes `compat` reports going from the pair's `before` schema to its `after` schema."""
    pair = yaml.safe_load(pair_text)
    language = SCHEMA_LANGUAGES[rule_.name.split("-")[0]]
    verdict = check_schemas([pair["before"], pair["after"]], pair.get("mode", "BACKWARD"), language)
    return [change.code for check in verdict.checks for change in check.reported]


@pytest.mark.parametrize("rule_", schema_rules_with_examples(), ids=lambda r: r.id)
def test_the_schema_example_reports_its_change(rule_):
    assert rule_.code in reported_codes(rule_, rule_.example)


@pytest.mark.parametrize("rule_", schema_rules_with_examples(), ids=lambda r: r.id)
def test_the_corrected_schema_change_reports_nothing(rule_):
    assert reported_codes(rule_, rule_.instead) == []


def model_compat_rules_with_examples() -> list[Rule]:
    return [
        r
        for r in all_rules()
        if r.family == "compatibility"
        and r.example
        and r.name.split("-")[0] not in SCHEMA_LANGUAGES
    ]


def design_model(folder: Path, fragment: Any) -> Any:
    """The base model with `fragment` laid over it, written to `folder` and loaded."""
    folder.mkdir(parents=True)
    path = folder / "design.yaml"
    path.write_text(yaml.safe_dump(merged(BASE, fragment or {}), sort_keys=False), encoding="utf-8")
    return load_model(path)


def model_compat_findings(folder: Path, pair_text: str) -> list:
    """What `compat --against` reports when the model goes from `before` to `after`."""
    pair = yaml.safe_load(pair_text)
    old = design_model(folder / "before", pair["before"])
    new = design_model(folder / "after", pair["after"])
    result = compare_models(new, old, severities=SEVERITIES, revision="before")
    return compat_findings(result.verdicts, result.changes, result.impacts.values())


@pytest.mark.parametrize("rule_", model_compat_rules_with_examples(), ids=lambda r: r.id)
def test_the_model_example_reports_its_rule(tmp_path, rule_):
    found = model_compat_findings(tmp_path / "compat", rule_.example)
    assert rule_.id in [f.rule for f in found], f"{rule_.id}'s example passes"


@pytest.mark.parametrize("rule_", model_compat_rules_with_examples(), ids=lambda r: r.id)
def test_the_corrected_model_change_reports_nothing_and_passes_every_rule(tmp_path, rule_):
    found = model_compat_findings(tmp_path / "compat", rule_.instead)
    assert [(f.rule, f.message) for f in found] == []
    after = yaml.safe_dump(yaml.safe_load(rule_.instead)["after"])
    assert [(f.rule, f.message) for f in findings_on(tmp_path, after, ["ALL"])] == []


def test_the_base_model_is_sound(tmp_path):
    assert findings_on(tmp_path, "{}", ["ALL"]) == []


# SAG022 says that exploring a saga stopped at its bound of 50,000 states: a saga big enough
# to reach it is no fragment a reader can take in, so that one rule explains without one.
RULES_WITHOUT_EXAMPLE = {"SAG022"}


@pytest.mark.parametrize("rule_", all_rules(), ids=lambda r: r.id)
def test_every_rule_is_explained_in_every_part(rule_):
    assert rule_.what and rule_.why and rule_.sources
    has_example = bool(rule_.example and rule_.instead)
    assert has_example == (rule_.id not in RULES_WITHOUT_EXAMPLE)
    assert rule_.example != rule_.instead or not has_example


def test_every_example_is_run_by_exactly_one_of_the_tests_above():
    runs = [
        *model_rules_with_examples(),
        *schema_rules_with_examples(),
        *model_compat_rules_with_examples(),
    ]
    assert sorted(r.id for r in runs) == sorted(r.id for r in all_rules() if r.example)


def test_explain_shows_the_parts_in_text_and_json():
    def explain(*extra: str) -> str:
        command = [sys.executable, str(ROOT / "scripts" / "grimoire.py"), "check"]
        done = subprocess.run(
            [*command, "--explain", "NAM001", *extra], capture_output=True, text=True, check=True
        )
        return done.stdout

    text = explain()
    headings = ["What it does", "Why it matters", "Example", "Instead", "Sources"]
    assert [line for line in text.splitlines() if line in headings] == headings
    assert "\n    events:\n      RenewLoan:" in text
    parts = json.loads(explain("--format", "json"))
    assert yaml.safe_load(parts["example"])["events"].keys() == {"RenewLoan"}
    assert parts["sources"][0].startswith("Vaughn Vernon")
