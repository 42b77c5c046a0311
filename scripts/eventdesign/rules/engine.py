"""Run the registered rules over a model, honouring selection, ignores and severity overrides.

Selection comes from two places: the command line and the model's `rules:` section. A
command-line `--select` replaces the model's `select`; ignores from both apply, except that a
rule the command line selects explicitly runs even when the model ignores it. Severity
overrides (model only) map a rule ID, name or ID prefix to error, warning, info or off; the most
specific pattern wins (ID or name, then the longest prefix). The model's `rules.suppress`
drops one rule's findings for one element (and its parts), each with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..findings import Finding, Location, sorted_findings
from ..pointer import escape_token
from .registry import PREVIEW, REMOVED, Rule, all_rules, find_rule

if TYPE_CHECKING:
    from ..model.types import DesignModel

OFF = "off"


class UnknownRule(ValueError):
    """A selection pattern that names no rule."""


@dataclass(frozen=True)
class Selection:
    """Which rules run and at what severity."""

    rules: tuple[Rule, ...]
    severity: dict[str, str]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.rules)


def split_patterns(text: str | None) -> list[str]:
    """`NAM,TOP003, fat-event` to ['NAM', 'TOP003', 'fat-event']."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _specificity(rule_: Rule, pattern: str) -> int:
    """How closely a pattern names a rule: 0 no match, else higher is more specific."""
    wanted = pattern.strip()
    if wanted.upper() == "ALL":
        return 1
    if wanted.upper() == rule_.id or wanted.lower() == rule_.name:
        return 1000
    if REMOVED.get(wanted.upper()) == rule_.id:
        return 1000  # a removed rule's ID names the rule that took its place
    if wanted and rule_.id.startswith(wanted.upper()):
        return 1 + len(wanted)
    return 0


def matching(rules: Sequence[Rule], pattern: str) -> list[Rule]:
    """Rules a pattern names; raises UnknownRule when it names none."""
    found = [r for r in rules if _specificity(r, pattern)]
    if not found:
        raise UnknownRule(pattern)
    return found


def select_rules(
    rules: Sequence[Rule],
    *,
    cli_select: Sequence[str] = (),
    cli_ignore: Sequence[str] = (),
    model_select: Sequence[str] = (),
    model_ignore: Sequence[str] = (),
    model_severity: dict[str, str] | None = None,
) -> Selection:
    """Apply selection and overrides; raises UnknownRule for a pattern that names no rule."""
    select = list(cli_select) or list(model_select)
    # A preview rule runs only when a selection names it by ID or name.
    named = {r.id for pattern in select for r in rules if _specificity(r, pattern) == 1000}
    chosen = [r for r in rules if r.lifecycle != PREVIEW or r.id in named]
    if select:
        wanted = {r.id for pattern in select for r in matching(rules, pattern)}
        chosen = [r for r in chosen if r.id in wanted]
    cli_named = {r.id for pattern in cli_select for r in matching(rules, pattern)}
    dropped = {r.id for pattern in cli_ignore for r in matching(rules, pattern)}
    dropped |= {
        r.id for pattern in model_ignore for r in matching(rules, pattern) if r.id not in cli_named
    }
    chosen = [r for r in chosen if r.id not in dropped]
    severity: dict[str, str] = {}
    best: dict[str, int] = {}
    for pattern, level in (model_severity or {}).items():
        for r in matching(rules, pattern):
            score = _specificity(r, pattern)
            if score > best.get(r.id, 0):
                best[r.id] = score
                severity[r.id] = level
    chosen = [r for r in chosen if severity.get(r.id) != OFF]
    return Selection(tuple(chosen), severity)


def selection_for(
    model: DesignModel, cli_select: Sequence[str] = (), cli_ignore: Sequence[str] = ()
) -> Selection:
    """The selection for a model; unknown patterns become InputError at their line."""
    rules = all_rules()
    for pattern in [*cli_select, *cli_ignore]:
        try:
            matching(rules, pattern)
        except UnknownRule:
            raise InputError(
                f"no rule matches '{pattern}' (give an ID, an ID prefix such as NAM, or a name);"
                " see `check --list-rules`"
            ) from None
    settings = model.rule_settings
    for key in ("select", "ignore"):
        for index, pattern in enumerate(getattr(settings, key)):
            _known_in_model(model, rules, pattern, f"/rules/{key}/{index}")
    for pattern in settings.severity:
        _known_in_model(model, rules, pattern, f"/rules/severity/{escape_token(pattern)}")
    for suppression in settings.suppress:
        if find_rule(suppression.rule) is None:
            location = model.locate(f"{suppression.pointer}/rule")
            raise InputError(
                f"'{suppression.rule}' is not one rule; a suppression names one rule by ID or"
                " name (see `check --list-rules`)",
                location.file,
                location.line,
                location.column,
            )
    return select_rules(
        rules,
        cli_select=cli_select,
        cli_ignore=cli_ignore,
        model_select=settings.select,
        model_ignore=settings.ignore,
        model_severity=settings.severity,
    )


def _known_in_model(model: DesignModel, rules: Sequence[Rule], pattern: str, pointer: str) -> None:
    try:
        matching(rules, pattern)
    except UnknownRule:
        location = model.locate(pointer)
        raise InputError(
            f"no rule matches '{pattern}'; see `check --list-rules`",
            location.file,
            location.line,
            location.column,
        ) from None


def bundled_matrix() -> Any:
    """The bundled transport capability matrix (read and checked once per process)."""
    from ..transport.matrix import load_matrix

    return load_matrix()


PROVIDERS = {"matrix": bundled_matrix}


def run_rules(
    model: DesignModel, selection: Selection, provided: dict[str, Any] | None = None
) -> list[Finding]:
    """Run every selected rule that has a check function; findings sorted and overridden.

    A check function may report findings under other rule IDs (one analysis, several rules,
    each declaring `reported_by`): it also runs when only those rules are selected, and
    findings of rules that are not selected are dropped. What rules need (`Rule.needs`)
    comes from `provided`, else from the bundled sources, read once and only when needed.
    Findings the model suppresses for their element are dropped.
    """
    selected = selection.ids
    runnable = [r for r in all_rules() if r.check is not None]
    reporters = {r.reported_by for r in selection.rules if r.reported_by}
    inputs = dict(provided or {})
    findings: list[Finding] = []
    for rule_ in runnable:
        if rule_.id not in selected and rule_.id not in reporters:
            continue
        for need in rule_.needs:
            if need not in inputs:
                inputs[need] = PROVIDERS[need]()
        extra = {need: inputs[need] for need in rule_.needs}
        findings.extend(_effective(rule_, rule_.check(model, **extra), selection))
    suppressed = _suppressed_ids(model)
    return sorted_findings(
        f
        for f in findings
        if f.rule in selected and not any(s.covers(f.element) for s in suppressed.get(f.rule, ()))
    )


def _suppressed_ids(model: DesignModel) -> dict[str, list[Any]]:
    """The model's suppressions by the rule ID each names."""
    by_rule: dict[str, list[Any]] = {}
    for suppression in model.rule_settings.suppress:
        found = find_rule(suppression.rule)
        if found is not None:
            by_rule.setdefault(found.id, []).append(suppression)
    return by_rule


def _effective(rule_: Rule, findings: Iterable[Finding], selection: Selection) -> list[Finding]:
    result = []
    for finding in findings:
        level = selection.severity.get(finding.rule) or finding.severity or rule_.severity
        if level != finding.severity:
            finding = finding._replace(severity=level)
        result.append(finding)
    return result


def finding(
    rule_id: str,
    message: str,
    location: Location,
    *,
    hint: str = "",
    element: str = "",
    trace: Sequence[str] = (),
    severity: str | None = None,
) -> Finding:
    """A finding of a registered rule, at its default severity unless `severity` is given (for
    rules whose findings differ in weight); the model's severity overrides still apply."""
    if severity is None:
        rule_ = find_rule(rule_id)
        severity = rule_.severity if rule_ is not None else "warning"
    return Finding(rule_id, severity, message, location, hint, element, tuple(trace))
