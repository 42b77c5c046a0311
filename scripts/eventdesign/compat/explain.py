"""Verdicts to findings and verdict lines: what changed, where, why it breaks, what to do."""

from __future__ import annotations

from typing import Optional

from ..findings import Finding, Location
from .changes import Change, explanation, kind_of
from .history import ModeVerdict, PairCheck, new_side
from .impact import Impact
from .modes import BACKWARD
from .renames import ADDED_CODES, Rename, find_renames


def plural(count: int, noun: str) -> str:
    """'1 change', '2 changes'."""
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
    why, hint = explanation(change.code, check.comparison.direction)
    index, pointer = new_side(check, change)
    location = verdict.versions[index].source.locate(pointer or "")
    detail = f" ({change.detail})" if change.detail else ""
    prefix = f"{subject}: " if subject else ""
    message = (
        f"{prefix}{change.code} at {change.path}{detail}: {why} {direction_text(verdict, check)}"
    )
    return Finding(
        rule=kind.rule_id,
        severity=kind.severity,
        message=message,
        location=location,
        hint=hint,
        element=subject or change.path,
    )


def _rename_effect(verdict: ModeVerdict, check: PairCheck, change: Change) -> str:
    """What one of a rename's changes does to readers, in the versions' own names."""
    reader = verdict.versions[check.comparison.reader].label
    writer = verdict.versions[check.comparison.writer].label
    member = change.path.rpartition("/")[2] if "/" in change.path else change.path
    member = member.rpartition(".")[2] if verdict.versions[-1].language == "avro" else member
    if change.code in ADDED_CODES:
        if "REQUIRED" in change.code or change.code == "READER_FIELD_MISSING_DEFAULT_VALUE":
            return f"{reader} requires `{member}`, which data written with {writer} lacks"
        return (
            f"{writer} let producers send `{member}` with any value, which {reader} now "
            "declares more strictly"
        )
    return f"data written with {writer} carries `{member}`, which {reader} rejects"


def rename_finding(verdict: ModeVerdict, rename: Rename, subject: Optional[str] = None) -> Finding:
    """A probable rename as one finding, with the alternatives that are safe in its mode."""
    kind = kind_of("PROPERTY_RENAMED")
    failing = rename.failing
    directions = sorted({check.comparison.direction for check, _ in failing})
    effects = "; ".join(
        f"{check.comparison.direction}: {_rename_effect(verdict, check, change)}"
        for check, change in sorted(failing, key=lambda pair: pair[0].comparison.direction)
    )
    basis = "same schema" if rename.same_schema else "similar name, same type"
    where = rename.parent or ("#" if rename.language == "jsonschema" else "")
    prefix = f"{subject}: " if subject else ""
    codes = ", ".join(sorted({change.code for _, change in failing}))
    message = (
        f"{prefix}`{rename.old_name}` renamed to `{rename.new_name}` in {where} ({basis}): "
        f"{effects} ({codes})"
    )
    severity = max((kind_of(c.code).severity for _, c in failing), key=("warning", "error").index)
    return Finding(
        rule=kind.rule_id,
        severity=severity,
        message=message,
        location=verdict.versions[-1].source.locate(rename.new_pointer),
        hint=rename_hint(rename, directions),
        element=subject or f"{where}/{rename.new_name}",
    )


def rename_hint(rename: Rename, failing_directions: list[str]) -> str:
    """Safe alternatives to renaming in place, for the directions that fail."""
    old, new = rename.old_name, rename.new_name
    old_readers_fail = "FORWARD" in failing_directions
    if rename.language == "avro":
        hint = (
            f'Give the new field the old name as an alias (`"name": "{new}", "aliases": '
            f'["{old}"]`): readers of the new schema then resolve data written with `{old}`.'
        )
        if old_readers_fail:
            hint += (
                f" Readers of the old schema only know `{old}`: keep writing `{old}` and add "
                f"`{new}` as a new field with a default until they have upgraded, or publish "
                "a new event type that supersedes this one."
            )
        return hint
    hint = (
        f"Keep `{old}` and add `{new}` beside it as an optional property: producers write both, "
        f"consumers read `{new}` and fall back to `{old}`; drop `{old}` in a later version, "
        "when the mode allows it."
    )
    if old_readers_fail:
        hint += (
            f" Under FORWARD or FULL, old readers must accept the extra `{new}`: a closed "
            "content model rejects it, and under FULL only a partially open one "
            "(additionalProperties or patternProperties with a schema covering the property) "
            "lets a property be added; otherwise publish a new event type that supersedes "
            "this one."
        )
    return hint


def model_finding(code: str, message: str, location: Location, element: str) -> Finding:
    """A finding about an event as a whole (removed, weakened, superseded), from its kind."""
    kind = kind_of(code)
    return Finding(
        rule=kind.rule_id,
        severity=kind.severity,
        message=f"{element}: {message}: {kind.why}",
        location=location,
        hint=kind.hint,
        element=element,
    )


def impact_finding(impact: Impact, location: Location) -> Finding:
    """Who an incompatible event's change hurts, as an informational finding."""
    kind = kind_of("READERS_HURT")
    details = [
        f"{reader.service}: {text} [{direction}]"
        for reader in impact.readers
        for direction, text in impact.effects(reader)
    ]
    return Finding(
        rule=kind.rule_id,
        severity=kind.severity,
        message=impact.summary(),
        location=location,
        hint=f"Safe deploy order: {impact.deploy_order}.",
        element=impact.subject,
        trace=tuple(details),
    )


def findings_for(verdict: ModeVerdict, subject: Optional[str] = None) -> list[Finding]:
    """Every incompatibility (error) and warning of a verdict, as findings."""
    findings = []
    seen = set()
    renames = find_renames(verdict)
    absorbed = {(id(check), change) for rename in renames for check, change in rename.absorbed}
    findings += [rename_finding(verdict, rename, subject) for rename in renames]
    for check in verdict.checks:
        for change in check.reported:
            if (id(check), change) in absorbed:
                continue
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
