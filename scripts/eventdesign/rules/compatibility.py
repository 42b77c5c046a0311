"""Compatibility rules: one per kind of schema change `grimoire compat` reports.

The compat analysis (`eventdesign.compat`) reports changes by code, so these rules are
registered with `describe`, each with the code it reports; their IDs, names, severities and
text are the catalogue's (`compat_catalogue`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

from .compat_catalogue import FAMILY, KINDS, SEVERITIES
from .registry import describe

if TYPE_CHECKING:
    from ..compat.history import ModeVerdict

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


def check_schemas(
    history: Sequence[Any],
    mode: str,
    language: str = "jsonschema",
    labels: Optional[Sequence[str]] = None,
) -> ModeVerdict:
    """Check already-parsed schemas (oldest first) in `mode`, with these rules' severities."""
    from ..compat.history import check_data

    return check_data(history, mode, language, labels, severities=SEVERITIES)
