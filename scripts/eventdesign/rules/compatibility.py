"""Compatibility rules: one per kind of schema change `grimoire compat` reports.

The findings come from the compat analysis (`eventdesign.compat`), so these rules are
registered with `describe`, each with the change code it reports; their text lives in
`eventdesign.compat.changes`.
"""

from __future__ import annotations

from ..compat.changes import FAMILY, KINDS
from .registry import describe

for _kind in KINDS:
    describe(
        _kind.rule_id,
        _kind.rule_name,
        code=_kind.code,
        family=FAMILY,
        severity=_kind.severity,
        summary=_kind.summary,
        explanation=(
            f"{_kind.why}\n\nWhat to do instead: {_kind.hint}\n\n"
            f"Reported as {_kind.code} by `grimoire compat` "
            f"({'design model' if _kind.language == 'model' else _kind.language})."
        ),
    )
