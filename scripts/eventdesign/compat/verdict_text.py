"""A verdict described: its one-line summary, its data for JSON, the direction of a check."""

from __future__ import annotations

from typing import Optional

from .history import ModeVerdict, PairCheck
from .impact import Impact
from .modes import BACKWARD


def plural(count: int, noun: str) -> str:
    """'1 change', '2 changes'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def direction_text(verdict: ModeVerdict, check: PairCheck) -> str:
    """'[BACKWARD: v2 reads data written with v1]'"""
    comparison = check.comparison
    reader = verdict.versions[comparison.reader].label
    writer = verdict.versions[comparison.writer].label
    return f"[{comparison.direction}: {reader} reads data written with {writer}]"


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
        notes.append(plural(verdict.error_count, "change"))
    if verdict.warning_count:
        notes.append(plural(verdict.warning_count, "warning"))
    earlier = sorted({_earlier(check) for check in verdict.checks})
    notes.append("against " + ", ".join(verdict.versions[i].label for i in earlier))
    return f"{prefix}{verdict.mode}: {state} ({'; '.join(notes)})"


def _earlier(check: PairCheck) -> int:
    """The index of the earlier version a check compares the newest one with."""
    comparison = check.comparison
    return comparison.writer if comparison.direction == BACKWARD else comparison.reader


def verdict_summary(
    verdict: ModeVerdict, subject: Optional[str] = None, impact: Optional[Impact] = None
) -> dict:
    """The verdict as data for JSON output."""
    summary = {
        "subject": subject or verdict.versions[-1].label,
        "mode": verdict.mode,
        "compatible": verdict.compatible,
        "changes": verdict.error_count,
        "warnings": verdict.warning_count,
        "versions_checked": len({_earlier(check) for check in verdict.checks}),
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
    if impact is not None:
        summary["impact"] = impact.as_data()
    return summary
