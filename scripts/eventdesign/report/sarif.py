"""SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..findings import Finding, sorted_findings
from ..rules.registry import find_rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/grimoire-plugins/grimoire"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_descriptor(rule_id: str) -> dict:
    rule = find_rule(rule_id)
    if rule is None:
        return {"id": rule_id}
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.explanation},
        "defaultConfiguration": {"level": _LEVELS.get(rule.severity, "warning")},
    }


def _artifact_location(file: str) -> dict:
    """A URI code scanning can map: relative to the working directory (the checkout) where
    possible, else an absolute file URI."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}


def _result(finding: Finding, rule_index: int) -> dict:
    loc = finding.location
    region: dict = {}
    if loc.line is not None:
        region["startLine"] = loc.line
        if loc.column is not None:
            region["startColumn"] = loc.column
    physical: dict = {"artifactLocation": _artifact_location(loc.file)}
    if region:
        physical["region"] = region
    text = finding.message + (f" Hint: {finding.hint}" if finding.hint else "")
    result: dict = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(finding.severity, "warning"),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }
    if finding.element or loc.pointer:
        result["properties"] = {"element": finding.element, "pointer": loc.pointer}
    return result


def render(findings: Sequence[Finding], *, command: str) -> str:
    ordered = sorted_findings(findings)
    rule_ids = sorted({f.rule for f in ordered})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "grimoire",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule_id) for rule_id in rule_ids],
                    }
                },
                "automationDetails": {"id": f"grimoire/{command}"},
                "results": [_result(f, index[f.rule]) for f in ordered],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
