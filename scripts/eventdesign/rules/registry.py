"""The rule registry: every rule's stable ID, name, default severity, summary and explanation.

Each family module in this package registers its rules with the `rule` decorator (a check
function over the design model) or with `describe` (rules whose findings another analysis
produces, such as schema compatibility). An analysis reports what it finds by code; a rule
fed by one names it (`code`), and a described rule whose findings a model rule's check
reports names that rule (`reported_by`), so selecting it runs the check. Modules are
discovered, so adding a family is adding a file. Family modules import heavy libraries inside
their check functions only.

A check function takes the model, plus one keyword argument per name in its rule's `needs`
that the engine supplies (`matrix`: the transport capability matrix), so rules read no files.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..findings import Finding

CheckFunction = Callable[..., "Iterable[Finding]"]


@dataclass(frozen=True)
class Rule:
    """A lint rule: metadata plus, for model rules, the function that finds violations."""

    id: str
    name: str
    family: str
    severity: str
    summary: str
    explanation: str
    check: CheckFunction | None = None
    needs: tuple[str, ...] = ()
    code: str = ""  # the analysis code this rule reports, for rules an analysis feeds
    reported_by: str = ""  # the ID of the rule whose check reports this rule's findings


_RULES: dict[str, Rule] = {}
_LOADED = False


def _register(rule_: Rule) -> Rule:
    if rule_.id in _RULES:
        raise ValueError(f"duplicate rule id {rule_.id}")
    if any(r.name == rule_.name for r in _RULES.values()):
        raise ValueError(f"duplicate rule name {rule_.name}")
    _RULES[rule_.id] = rule_
    return rule_


def rule(
    id: str,
    name: str,
    *,
    family: str,
    severity: str,
    summary: str,
    explanation: str,
    needs: tuple[str, ...] = (),
    code: str = "",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of a model rule."""

    def decorate(check: CheckFunction) -> CheckFunction:
        _register(
            Rule(id, name, family, severity, summary, explanation.strip(), check, needs, code)
        )
        return check

    return decorate


def describe(
    id: str,
    name: str,
    *,
    family: str,
    severity: str,
    summary: str,
    explanation: str,
    code: str = "",
    reported_by: str = "",
) -> Rule:
    """Register a rule whose findings another analysis produces (no model check function)."""
    return _register(
        Rule(
            id,
            name,
            family,
            severity,
            summary,
            explanation.strip(),
            code=code,
            reported_by=reported_by,
        )
    )


def _load_families() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    package = importlib.import_module(__package__ or "eventdesign.rules")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name != "registry":
            importlib.import_module(f"{package.__name__}.{module.name}")


def all_rules() -> list[Rule]:
    """Every registered rule, ordered by ID."""
    _load_families()
    return sorted(_RULES.values(), key=lambda r: r.id)


def find_rule(id_or_name: str) -> Rule | None:
    """The rule with this ID (case-insensitive) or name, or None."""
    _load_families()
    wanted = id_or_name.strip()
    found = _RULES.get(wanted.upper())
    if found is not None:
        return found
    return next((r for r in _RULES.values() if r.name == wanted.lower()), None)
