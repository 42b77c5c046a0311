"""Findings to text, JSON or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..findings import Finding

FORMATS = ("text", "json", "sarif")


def render_findings(
    findings: Sequence[Finding],
    fmt: str,
    *,
    command: str,
    notes: Sequence[str] = (),
    extra: Mapping[str, object] | None = None,
) -> str:
    """Render findings in the named format; `command` names the subcommand that produced them.

    `notes` are lines the text format prints before its summary (what was checked), `extra`
    the same facts as top-level keys of the JSON document.
    """
    if fmt == "json":
        from .json_report import render as render_json

        return render_json(findings, command=command, extra=extra)
    if fmt == "sarif":
        from .sarif import render

        return render(findings, command=command)
    from .text import render as render_text

    return render_text(findings, command=command, notes=notes)
