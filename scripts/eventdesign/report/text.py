"""Compact text: one line per finding, indented hint and trace lines, and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import SEVERITIES, Finding, sorted_findings
from ..terminal import printable


def summary_line(findings: Sequence[Finding]) -> str:
    """`N errors, N warnings, N info` with singulars where they belong."""
    counts = {s: 0 for s in SEVERITIES}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    errors, warnings = counts["error"], counts["warning"]
    return (
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}, {counts['info']} info"
    )


def render(findings: Sequence[Finding], *, command: str, notes: Sequence[str] = ()) -> str:
    lines = []
    for finding in sorted_findings(findings):
        lines.append(f"{finding.location}: {finding.severity} {finding.rule} {finding.message}")
        if finding.hint:
            lines.append(f"  hint: {finding.hint}")
        lines.extend(f"  trace: {step}" for step in finding.trace)
    lines.extend(notes)
    lines.append(f"{command}: {summary_line(findings)}")
    # Names and values in messages come from the input: no control character reaches a terminal.
    return "\n".join(printable(line) for line in lines) + "\n"
