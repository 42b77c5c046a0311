"""Findings render the same way whichever analysis produced them."""

from __future__ import annotations

import json

from eventdesign.findings import Finding, Location, exit_code
from eventdesign.report import render_findings

FINDINGS = [
    Finding(
        rule="TEST002",
        severity="warning",
        message="event 'B' is never consumed",
        location=Location("design.yaml", 20, 3, "/events/B"),
        hint="add a consumer or remove the event",
        element="event B",
    ),
    Finding(
        rule="TEST001",
        severity="error",
        message="event 'A' has no producer",
        location=Location("design.yaml", 10, 3, "/events/A"),
        trace=("1. orders: OrderPlaced", "2. end"),
    ),
]


def test_text_lists_findings_in_file_order_with_a_summary_line():
    text = render_findings(FINDINGS, "text", command="check")
    lines = text.splitlines()
    assert lines[0] == "design.yaml:10:3: error TEST001 event 'A' has no producer"
    assert "  trace: 1. orders: OrderPlaced" in lines
    assert "design.yaml:20:3: warning TEST002 event 'B' is never consumed" in lines
    assert "  hint: add a consumer or remove the event" in lines
    assert lines[-1] == "check: 1 error, 1 warning, 0 info"


def test_json_carries_every_field_and_a_summary():
    document = json.loads(render_findings(FINDINGS, "json", command="check"))
    assert document["command"] == "check"
    assert document["summary"] == {"error": 1, "warning": 1, "info": 0}
    first = document["findings"][0]
    assert first["rule"] == "TEST001"
    assert (first["file"], first["line"], first["column"]) == ("design.yaml", 10, 3)
    assert first["pointer"] == "/events/A"
    assert first["trace"] == ["1. orders: OrderPlaced", "2. end"]


def test_sarif_is_version_2_1_0_with_regions_and_levels():
    document = json.loads(render_findings(FINDINGS, "sarif", command="check"))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["TEST001", "TEST002"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"TEST001": "error", "TEST002": "warning"}
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 10, "startColumn": 3}


def test_exit_code_fails_on_errors_and_on_warnings_only_when_strict():
    warning_only = [FINDINGS[0]]
    assert exit_code(warning_only) == 0
    assert exit_code(warning_only, fail_on="warning") == 1
    assert exit_code(FINDINGS) == 1
    assert exit_code([]) == 0


def test_sarif_locations_are_relative_to_the_checkout_or_file_uris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = Finding("TEST001", "error", "m", Location(str(tmp_path / "models" / "design.yaml"), 1))
    outside = Finding("TEST001", "error", "m", Location("/elsewhere/design.yaml", 1))
    relative = Finding("TEST001", "error", "m", Location("design.yaml", 1))
    document = json.loads(render_findings([inside, outside, relative], "sarif", command="check"))
    uris = sorted(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    )
    assert uris == ["design.yaml", "file:///elsewhere/design.yaml", "models/design.yaml"]
