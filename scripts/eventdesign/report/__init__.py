"""Findings to text, JSON or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding

FORMATS = ("text", "json", "sarif")


def render_findings(findings: Sequence[Finding], fmt: str, *, command: str) -> str:
    """Render findings in the named format; `command` names the subcommand that produced them."""
    if fmt == "json":
        from .json_report import render
    elif fmt == "sarif":
        from .sarif import render
    else:
        from .text import render
    return render(findings, command=command)
