"""Stable JSON: {"tool", "command", "findings": [...], "summary": {...}} plus any keys a
command adds (`saga verify`: `explored`); see README."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from .. import __version__
from ..findings import SEVERITIES, Finding, sorted_findings

JSON_FORMAT_VERSION = 1


def finding_to_dict(finding: Finding) -> dict:
    loc = finding.location
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "hint": finding.hint,
        "element": finding.element,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "pointer": loc.pointer,
        "trace": list(finding.trace),
    }


def render(
    findings: Sequence[Finding], *, command: str, extra: Mapping[str, object] | None = None
) -> str:
    ordered = sorted_findings(findings)
    summary = {s: sum(1 for f in ordered if f.severity == s) for s in SEVERITIES}
    document = {
        "format": JSON_FORMAT_VERSION,
        "tool": {"name": "grimoire", "version": __version__},
        "command": command,
        "findings": [finding_to_dict(f) for f in ordered],
        "summary": summary,
        **(extra or {}),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
