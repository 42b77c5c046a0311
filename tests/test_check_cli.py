"""`grimoire check` on the command line: formats, exit codes, selection, --explain, --list-rules."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE_MODEL, run_grimoire
from eventdesign import cli
from eventdesign.rules.registry import all_rules

DATA = Path(__file__).parent / "data" / "check"
CLEAN = yaml.safe_load((DATA / "clean.yaml").read_text(encoding="utf-8"))


def write_model(tmp_path: Path, model: dict) -> Path:
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return path


def with_warning_only() -> dict:
    """The clean model plus one warning: an event with no channel (REL005)."""
    model = copy.deepcopy(CLEAN)
    invoice = model["events"]["InvoiceIssued"]
    del invoice["channel"]
    invoice["consumers"][0]["dead_letter"] = "billing.dlq"
    return model


def with_warning_and_error() -> dict:
    """Plus one error: a service writing its state and publishing without an outbox (REL001)."""
    model = with_warning_only()
    model["services"]["orders"]["outbox"] = "none"
    return model


def position_of(path: Path, text: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(text)


def rules_of(result) -> list[str]:
    return [f["rule"] for f in json.loads(result.stdout)["findings"]]


def test_bundled_example_passes_with_no_findings():
    result = run_grimoire("check", str(EXAMPLE_MODEL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("check: 0 errors, 0 warnings, 0 info")


def test_consumer_declared_not_idempotent_fails_the_check(tmp_path):
    model = copy.deepcopy(CLEAN)
    model["services"]["billing"]["idempotency"] = "none"
    result = run_grimoire("check", str(write_model(tmp_path, model)), "--format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    (found,) = json.loads(result.stdout)["findings"]
    assert (found["rule"], found["severity"]) == ("REL002", "error")


def test_consumer_without_idempotency_declared_only_warns(tmp_path):
    model = copy.deepcopy(CLEAN)
    del model["services"]["billing"]["idempotency"]
    result = run_grimoire("check", str(write_model(tmp_path, model)), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert rules_of(result) == ["REL002"]


def test_error_finding_exits_1_with_file_line_column(tmp_path):
    path = write_model(tmp_path, with_warning_and_error())
    line, column = position_of(path, "outbox: none")
    result = run_grimoire("check", str(path))
    assert result.returncode == 1
    assert f"{path}:{line}:{column}: error REL001 service 'orders'" in result.stdout


def test_warnings_alone_exit_0(tmp_path):
    result = run_grimoire("check", str(write_model(tmp_path, with_warning_only())))
    assert result.returncode == 0
    assert "warning REL005" in result.stdout


def test_strict_makes_warnings_fail(tmp_path):
    result = run_grimoire("check", str(write_model(tmp_path, with_warning_only())), "--strict")
    assert result.returncode == 1


def test_json_output_has_a_stable_shape(tmp_path):
    result = run_grimoire(
        "check", str(write_model(tmp_path, with_warning_and_error())), "--format", "json"
    )
    document = json.loads(result.stdout)
    assert set(document) == {"format", "tool", "command", "findings", "summary"}
    assert document["command"] == "check"
    assert document["summary"] == {"error": 1, "warning": 1, "info": 0}
    first = document["findings"][0]
    assert set(first) == {
        "rule",
        "severity",
        "message",
        "hint",
        "element",
        "file",
        "line",
        "column",
        "pointer",
        "trace",
    }
    assert (first["rule"], first["element"], first["pointer"]) == (
        "REL001",
        "service orders",
        "/services/orders/outbox",
    )


def test_sarif_output_is_sarif_2_1_0_with_rules_and_locations(tmp_path):
    path = write_model(tmp_path, with_warning_and_error())
    line, column = position_of(path, "outbox: none")
    result = run_grimoire("check", str(path), "--format", "sarif")
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["REL001", "REL005"]
    assert run["tool"]["driver"]["rules"][0]["name"] == "dual-write"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"REL001": "error", "REL005": "warning"}
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": line, "startColumn": column}


@pytest.mark.parametrize("pattern", ["REL005", "event-without-channel", "REL", "rel00"])
def test_select_takes_ids_names_and_prefixes(tmp_path, pattern):
    path = write_model(tmp_path, with_warning_and_error())
    result = run_grimoire("check", str(path), "--format", "json", "--select", pattern)
    expected = ["REL005"] if pattern in ("REL005", "event-without-channel") else None
    assert rules_of(result) == (expected or ["REL001", "REL005"])


def test_ignore_drops_rules_and_their_exit_code(tmp_path):
    path = write_model(tmp_path, with_warning_and_error())
    result = run_grimoire("check", str(path), "--format", "json", "--ignore", "dual-write,REL005")
    assert result.returncode == 0
    assert rules_of(result) == []


def test_model_rules_section_ignores_and_overrides_severity(tmp_path):
    model = with_warning_and_error()
    model["rules"] = {"ignore": ["REL005"], "severity": {"dual-write": "warning"}}
    result = run_grimoire("check", str(write_model(tmp_path, model)), "--format", "json")
    assert result.returncode == 0
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("REL001", "warning")]


def test_model_severity_off_disables_a_rule_family(tmp_path):
    model = with_warning_and_error()
    model["rules"] = {"severity": {"REL": "off"}}
    result = run_grimoire("check", str(write_model(tmp_path, model)), "--format", "json")
    assert rules_of(result) == []


def test_command_line_select_overrides_a_model_ignore(tmp_path):
    model = with_warning_and_error()
    model["rules"] = {"ignore": ["REL005"]}
    path = write_model(tmp_path, model)
    result = run_grimoire("check", str(path), "--format", "json", "--select", "REL005")
    assert rules_of(result) == ["REL005"]


def test_unknown_rule_in_the_model_is_unusable_input_at_its_line(tmp_path):
    model = copy.deepcopy(CLEAN)
    model["rules"] = {"ignore": ["NOPE999"]}
    path = write_model(tmp_path, model)
    result = run_grimoire("check", str(path))
    assert result.returncode == 2
    assert f"{path}:" in result.stderr and "NOPE999" in result.stderr


def test_unknown_rule_on_the_command_line_exits_2():
    result = run_grimoire("check", str(EXAMPLE_MODEL), "--select", "XYZ")
    assert result.returncode == 2
    assert "no rule matches 'XYZ'" in result.stderr


def test_max_payload_fields_flag_overrides_the_default(tmp_path):
    path = write_model(tmp_path, copy.deepcopy(CLEAN))
    result = run_grimoire(
        "check", str(path), "--format", "json", "--max-payload-fields", "1", "--select", "DAT003"
    )
    assert rules_of(result) == ["DAT003", "DAT003"]


def test_explain_prints_id_name_severity_summary_and_explanation():
    result = run_grimoire("check", "--explain", "REL001")
    assert result.returncode == 0
    first = result.stdout.splitlines()[0]
    assert first == "REL001 dual-write (reliability, default severity error)"
    assert "Transactional outbox" in result.stdout


def test_explain_accepts_a_rule_name():
    result = run_grimoire("check", "--explain", "event-not-past-tense")
    assert result.stdout.startswith("NAM001 event-not-past-tense")


def test_explain_of_an_unknown_rule_exits_2():
    result = run_grimoire("check", "--explain", "NOPE")
    assert result.returncode == 2
    assert "no rule 'NOPE'" in result.stderr


def test_list_rules_prints_one_line_per_rule_with_id_severity_name_summary():
    result = run_grimoire("check", "--list-rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    nam = next(line for line in lines if line.startswith("NAM001"))
    assert nam.split()[:3] == ["NAM001", "warning", "event-not-past-tense"]
    for family in ("NAM", "TOP", "SCH", "REL", "DAT", "SAG"):
        assert any(line.startswith(family) for line in lines), family


def test_every_rule_has_a_kebab_case_name_and_an_explanation(capsys):
    result = run_grimoire("check", "--list-rules")
    listed = [line.split()[:3] for line in result.stdout.splitlines()]
    assert [rule_id for rule_id, _, _ in listed] == [r.id for r in all_rules()]
    for rule_id, severity, name in listed:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert cli.main(["check", "--explain", rule_id]) == 0
        header, summary, blank, *explanation = capsys.readouterr().out.splitlines()
        assert header.startswith(f"{rule_id} {name} (") and f"severity {severity})" in header
        assert summary and blank == "" and len(" ".join(explanation)) > len(summary), rule_id


def test_missing_model_argument_exits_2():
    result = run_grimoire("check")
    assert result.returncode == 2
    assert "give the design model" in result.stderr


def saga_with_undeclared_event() -> dict:
    model = copy.deepcopy(CLEAN)
    model["sagas"] = {
        "Billing": {
            "style": "choreography",
            "trigger": "OrderPlaced",
            "reactions": [{"service": "billing", "on": "OrderPlaced", "emits": "InvoiceMailed"}],
        }
    }
    return model


def test_saga_rules_run_as_part_of_check(tmp_path):
    path = write_model(tmp_path, saga_with_undeclared_event())
    result = run_grimoire("check", str(path), "--format", "json", "--select", "SAG")
    assert "SAG001" in rules_of(result)


def test_ignoring_the_rule_that_carries_an_analysis_keeps_its_other_rules(tmp_path):
    path = write_model(tmp_path, saga_with_undeclared_event())
    everything = run_grimoire("check", str(path), "--format", "json", "--select", "SAG")
    result = run_grimoire(
        "check", str(path), "--format", "json", "--select", "SAG", "--ignore", "SAG001"
    )
    kept = [r for r in rules_of(everything) if r != "SAG001"]
    assert kept, "the saga analysis reports more than SAG001 on this model"
    assert rules_of(result) == kept
