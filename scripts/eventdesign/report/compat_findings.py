"""What `compat` found, as findings: the change, where, why it breaks, what to do.

The compat analyses report changes by code; the compatibility rules' catalogue gives each code
its rule, severity and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Optional

from ..compat.changes import Change, ModelChange
from ..compat.history import ModeVerdict, PairCheck, new_side
from ..compat.impact import Impact
from ..compat.renames import ADDED_CODES, Rename, find_renames
from ..compat.verdict_text import direction_text, plural
from ..findings import Finding, Location
from ..rules.compat_catalogue import explanation, kind_of, rename_hint

TRACE_LIMIT = 5  # a superseded event's incompatible changes listed in its finding


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
        hint=rename_hint(
            rename.language, rename.old_name, rename.new_name, "FORWARD" in directions
        ),
        element=subject or f"{where}/{rename.new_name}",
    )


def model_finding(change: ModelChange) -> Finding:
    """A change to an event as a whole (removed, weakened, superseded), with its rule's text;
    a superseded event's finding counts and lists the incompatible changes behind it."""
    kind = kind_of(change.code)
    detail, trace = change.detail, ()
    if change.verdict is not None:
        problems = [f for f in findings_for(change.verdict) if f.severity == "error"]
        detail += f" ({plural(len(problems), 'incompatible change')})"
        trace = tuple(f.message for f in problems[:TRACE_LIMIT])
    return Finding(
        rule=kind.rule_id,
        severity=kind.severity,
        message=f"{change.element}: {detail}: {kind.why}",
        location=change.location,
        hint=kind.hint,
        element=change.element,
        trace=trace,
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


def compat_findings(
    verdicts: Sequence[tuple[Optional[str], ModeVerdict]],
    changes: Iterable[ModelChange] = (),
    impacts: Iterable[tuple[Impact, Location]] = (),
) -> list[Finding]:
    """Every finding of one `compat` run: changes to events as a whole, each verdict's
    incompatibilities and warnings (by subject), and who the incompatible ones hurt."""
    findings = [model_finding(change) for change in changes]
    for subject, verdict in verdicts:
        findings += findings_for(verdict, subject)
    findings += [impact_finding(impact, location) for impact, location in impacts]
    return findings
