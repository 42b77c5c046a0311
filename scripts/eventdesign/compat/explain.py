"""Verdicts to findings and verdict lines: what changed, where, why it breaks, what to do."""

from __future__ import annotations

from typing import Optional

from ..findings import Finding
from .changes import Change, kind_of
from .history import ModeVerdict, PairCheck, new_side
from .modes import BACKWARD


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def direction_text(verdict: ModeVerdict, check: PairCheck) -> str:
    """'[BACKWARD: v2 reads data written with v1]'"""
    comparison = check.comparison
    reader = verdict.versions[comparison.reader].label
    writer = verdict.versions[comparison.writer].label
    return f"[{comparison.direction}: {reader} reads data written with {writer}]"


def finding_for(
    verdict: ModeVerdict, check: PairCheck, change: Change, subject: Optional[str] = None
) -> Finding:
    """One change as a finding: rule, severity, located in the newest version when possible."""
    kind = kind_of(change.code)
    index, pointer = new_side(check, change)
    location = verdict.versions[index].source.locate(pointer or "")
    detail = f" ({change.detail})" if change.detail else ""
    prefix = f"{subject}: " if subject else ""
    message = (
        f"{prefix}{change.code} at {change.path}{detail}: {kind.why} "
        f"{direction_text(verdict, check)}"
    )
    return Finding(
        rule=kind.rule_id,
        severity=kind.severity,
        message=message,
        location=location,
        hint=kind.hint,
        element=subject or change.path,
    )


def findings_for(verdict: ModeVerdict, subject: Optional[str] = None) -> list[Finding]:
    """Every incompatibility (error) and warning of a verdict, as findings."""
    findings = []
    seen = set()
    for check in verdict.checks:
        for change in check.reported:
            finding = finding_for(verdict, check, change, subject)
            key = (finding.rule, finding.message, finding.location)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def verdict_line(verdict: ModeVerdict, subject: Optional[str] = None) -> str:
    """'BACKWARD: incompatible (2 changes)', prefixed with the subject when given."""
    prefix = f"{subject}: " if subject else ""
    if verdict.mode == "NONE":
        return f"{prefix}NONE: not checked (compatibility mode NONE)"
    if not verdict.checks:
        return f"{prefix}{verdict.mode}: compatible (no earlier version to compare with)"
    state = "compatible" if verdict.compatible else "incompatible"
    notes = []
    if not verdict.compatible:
        notes.append(_plural(verdict.error_count, "change"))
    if verdict.warning_count:
        notes.append(_plural(verdict.warning_count, "warning"))
    earlier = sorted({_earlier(check) for check in verdict.checks})
    notes.append("against " + ", ".join(verdict.versions[i].label for i in earlier))
    return f"{prefix}{verdict.mode}: {state} ({'; '.join(notes)})"


def _earlier(check: PairCheck) -> int:
    """The index of the earlier version a check compares the newest one with."""
    comparison = check.comparison
    return comparison.writer if comparison.direction == BACKWARD else comparison.reader


def verdict_summary(verdict: ModeVerdict, subject: Optional[str] = None) -> dict:
    """The verdict as data for JSON output."""
    return {
        "subject": subject or verdict.versions[-1].label,
        "mode": verdict.mode,
        "compatible": verdict.compatible,
        "changes": verdict.error_count,
        "warnings": verdict.warning_count,
        "checked": [
            {
                "direction": check.comparison.direction,
                "reader": verdict.versions[check.comparison.reader].label,
                "writer": verdict.versions[check.comparison.writer].label,
                "compatible": not check.errors,
            }
            for check in verdict.checks
        ],
    }
