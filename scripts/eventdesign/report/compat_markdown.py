"""`compat --format markdown`: verdicts, who is hurt and findings, fit for a pull-request comment.

Every piece of user or schema text is escaped with `render.escape` before the template sees it;
the template environment refuses plain strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

from ..findings import Finding, sorted_findings, worst_severity
from ..render.escape import EscapedText, diagram_environment, markdown_code, markdown_text


def _row(subject: Optional[str], verdict: Any, impact: Any) -> dict:
    name = subject or verdict.versions[-1].label
    if verdict.mode == "NONE":
        state, failing, order = "not checked", "", ""
    elif verdict.compatible:
        state, failing, order = "compatible", "none", "any order"
    else:
        state = "**incompatible**"
        failing = ", ".join(impact.failing) if impact else ""
        order = impact.deploy_order if impact else ""
    return {
        "subject": markdown_code(name),
        "mode": markdown_text(verdict.mode),
        "verdict": EscapedText(state),
        "failing": markdown_text(failing) if failing else EscapedText(""),
        "order": markdown_text(order) if order else EscapedText(""),
    }


def _hurt(impact: Any) -> dict:
    readers = []
    for reader in impact.readers:
        name = markdown_code(reader.service)
        if reader.read_model:
            name = EscapedText(f"{name} (read model {markdown_code(reader.read_model)})")
        effects = "; ".join(f"{d}: {text}" for d, text in impact.effects(reader))
        readers.append({"name": name, "effects": markdown_text(effects)})
    return {
        "subject": markdown_code(impact.subject),
        "producer": markdown_code(impact.producer) if impact.producer else EscapedText("?"),
        "readers": readers,
    }


def render_markdown(
    verdicts: Sequence[tuple[Optional[str], Any, Any]],
    findings: Sequence[Finding],
    notes: Sequence[str],
    against: Optional[str] = None,
) -> str:
    """The Markdown summary: one table row per checked event, then who is hurt and findings."""
    shown = [f for f in sorted_findings(findings) if f.rule != "CMP005"]
    incompatible = sum(1 for _, verdict, _ in verdicts if not verdict.compatible)
    worst = worst_severity(shown)
    if incompatible or worst == "error":
        headline = f"{incompatible or 'some'} incompatible (of {len(verdicts)} checked)"
    else:
        headline = f"compatible ({len(verdicts)} checked)"
    template = diagram_environment().get_template("compat/report.md.j2")
    return template.render(
        headline=markdown_text(headline),
        against=markdown_code(against) if against else None,
        rows=[_row(subject, verdict, impact) for subject, verdict, impact in verdicts],
        hurt=[
            _hurt(impact)
            for _, _, impact in verdicts
            if impact is not None and (impact.readers or impact.producer)
        ],
        findings=[
            {
                "severity": markdown_text(f.severity),
                "rule": markdown_text(f.rule),
                "location": markdown_code(str(f.location)),
                "message": markdown_text(f.message),
                "hint": markdown_text(f.hint) if f.hint else None,
            }
            for f in shown
        ],
        notes=[markdown_text(note) for note in notes],
    )
