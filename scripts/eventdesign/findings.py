"""The one result type every analysis produces: a finding at a location.

Both records are NamedTuples: every command makes them, and a fast command (`transport`)
should not pay for importing `dataclasses` to get them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Optional

SEVERITIES = ("error", "warning", "info")
_RANK = {"error": 3, "warning": 2, "info": 1}


def severity_rank(severity: str) -> int:
    """Higher is worse; unknown severities rank lowest."""
    return _RANK.get(severity, 0)


class Location(NamedTuple):
    """Where a finding applies: a file, optionally a 1-based line and column, and a JSON pointer."""

    file: str
    line: Optional[int] = None
    column: Optional[int] = None
    pointer: str = ""

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class Finding(NamedTuple):
    """One problem: which rule fired, how bad it is, where, what is wrong and how to fix it.

    `element` names the model element concerned (an event, service, saga, schema path);
    `trace` holds a counterexample (saga paths) or other supporting steps, one line each.
    """

    rule: str
    severity: str
    message: str
    location: Location
    hint: str = ""
    element: str = ""
    trace: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.rule, self.message)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: by file, line, column, rule, message."""
    return sorted(findings, key=Finding.sort_key)


def worst_severity(findings: Iterable[Finding]) -> str | None:
    """The most severe severity present, or None when there are no findings."""
    worst = None
    for finding in findings:
        if worst is None or severity_rank(finding.severity) > severity_rank(worst):
            worst = finding.severity
    return worst


def exit_code(findings: Iterable[Finding], fail_on: str = "error") -> int:
    """0 when nothing reaches `fail_on`, else 1 (2 is for unusable input, raised elsewhere)."""
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in findings) else 0
