"""The rule registry: every rule's stable ID, name, default severity, summary and explanation.

An explanation has ruff's parts: what the rule checks (`what`), why it matters (`why`), an
example that breaks it (`example`), the same example put right (`instead`) and the documents
that back it (`sources`). For model rules the two examples are fragments of a design model;
for compatibility rules they are `before:`/`after:` schema pairs. Both are tested: the example
must trigger its rule and the corrected one must pass every rule.

Each family module in this package registers its rules with the `rule` decorator (a check
function over the design model) or with `describe` (rules whose findings another analysis
produces, such as schema compatibility). An analysis reports what it finds by code; a rule
fed by one names it (`code`), and a described rule whose findings a model rule's check
reports names that rule (`reported_by`), so selecting it runs the check. Modules are
discovered, so adding a family is adding a file. Family modules import heavy libraries inside
their check functions only.

Each rule has a lifecycle: `stable`; `preview` (runs only when selected by its ID or name);
`deprecated` (runs, and names its replacement). A removed rule's ID stays in `REMOVED` with
the rule that took its place, so IDs users put in a model's `rules:` section never silently
stop matching: they name the replacement.

A check function takes the model, plus one keyword argument per name in its rule's `needs`
that the engine supplies (`matrix`: the transport capability matrix), so rules read no files.
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..findings import Finding

_TEXT_PARTS = ("what", "why", "example", "instead")

CheckFunction = Callable[..., "Iterable[Finding]"]

STABLE, PREVIEW, DEPRECATED = "stable", "preview", "deprecated"
LIFECYCLES = (STABLE, PREVIEW, DEPRECATED)
# The ID of every removed rule -> the ID of the rule that took its place. Never shrink it.
REMOVED: dict[str, str] = {}


@dataclass(frozen=True)
class Rule:
    """A lint rule: metadata plus, for model rules, the function that finds violations."""

    id: str
    name: str
    family: str
    severity: str
    summary: str
    what: str
    why: str = ""
    example: str = ""
    instead: str = ""
    sources: tuple[str, ...] = ()
    check: CheckFunction | None = None
    needs: tuple[str, ...] = ()
    code: str = ""  # the analysis code this rule reports, for rules an analysis feeds
    reported_by: str = ""  # the ID of the rule whose check reports this rule's findings
    lifecycle: str = STABLE
    replaced_by: str = ""  # for a deprecated rule: the ID of the rule to use instead

    @property
    def explanation(self) -> str:
        """The explanation's parts as one text, for readers that take a single text (SARIF)."""
        return "\n\n".join(f"{heading}\n{text}" for heading, text in self.sections())

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) for each part of the explanation the rule has, in reading order."""
        parts = [
            ("What it does", self.what),
            ("Why it matters", self.why),
            ("Example", textwrap.indent(self.example, "    ")),
            ("Instead", textwrap.indent(self.instead, "    ")),
            ("Sources", "\n".join(f"- {source}" for source in self.sources)),
        ]
        return [(heading, text) for heading, text in parts if text]

    def as_dict(self) -> dict:
        """What `check --explain RULE --format json` prints."""
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "severity": self.severity,
            "lifecycle": self.lifecycle,
            "replaced_by": self.replaced_by or None,
            "summary": self.summary,
            "explanation": self.explanation,
            "what": self.what,
            "why": self.why,
            "example": self.example,
            "instead": self.instead,
            "sources": list(self.sources),
            "reported_by": self.reported_by or None,
            "analysis_code": self.code or None,
            "needs": list(self.needs),
        }


_RULES: dict[str, Rule] = {}
_LOADED = False


def _register(rule_: Rule) -> Rule:
    if rule_.id in _RULES:
        raise ValueError(f"duplicate rule id {rule_.id}")
    if any(r.name == rule_.name for r in _RULES.values()):
        raise ValueError(f"duplicate rule name {rule_.name}")
    if rule_.id in REMOVED:
        raise ValueError(f"rule id {rule_.id} was removed; IDs are never reused")
    if rule_.lifecycle not in LIFECYCLES:
        raise ValueError(f"rule {rule_.id}: lifecycle must be one of {', '.join(LIFECYCLES)}")
    if (rule_.lifecycle == DEPRECATED) != bool(rule_.replaced_by):
        raise ValueError(f"rule {rule_.id}: a deprecated rule (and only one) names its replacement")
    _RULES[rule_.id] = rule_
    return rule_


def rule(
    id: str,
    name: str,
    *,
    needs: tuple[str, ...] = (),
    **metadata: Any,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of a model rule; `metadata` are the
    other fields of `Rule` (family, severity, summary, what, why, example, instead, sources,
    code, lifecycle, ...)."""

    def decorate(check: CheckFunction) -> CheckFunction:
        describe(id, name, check=check, needs=needs, **metadata)
        return check

    return decorate


def describe(id: str, name: str, **metadata: Any) -> Rule:
    """Register a rule; without `check`, one whose findings another analysis produces.

    The explanation comes in parts: `what`, `why`, `example`, `instead`, `sources`."""
    parts = {key: metadata[key].strip() for key in _TEXT_PARTS if key in metadata}
    for key in ("example", "instead"):
        if key in parts:
            parts[key] = textwrap.dedent(metadata[key]).strip("\n")
    return _register(Rule(id, name, **{**metadata, **parts}))


def _load_families() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    package = importlib.import_module(__package__ or "eventdesign.rules")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name != "registry" and not module.ispkg:  # packages hold a family's data
            importlib.import_module(f"{package.__name__}.{module.name}")


def all_rules() -> list[Rule]:
    """Every registered rule, ordered by ID."""
    _load_families()
    return sorted(_RULES.values(), key=lambda r: r.id)


def find_rule(id_or_name: str) -> Rule | None:
    """The rule with this ID (case-insensitive) or name, or None; a removed rule's ID finds
    the rule that took its place."""
    _load_families()
    wanted = id_or_name.strip()
    if wanted.upper() in REMOVED:
        return find_rule(REMOVED[wanted.upper()])
    found = _RULES.get(wanted.upper())
    if found is not None:
        return found
    return next((r for r in _RULES.values() if r.name == wanted.lower()), None)
