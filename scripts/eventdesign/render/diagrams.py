"""Every diagram of a design model, as named texts, and the ways to bundle them.

`build_diagrams(model)` is the entry point other writers use (the docs exporter embeds them):
the system flowchart, then per saga in model order its Mermaid sequence and state diagrams and
its PlantUML sequence diagram. Names are unique, file-name-safe slugs; the same model always
gives the same diagrams, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model.types import DesignModel
from . import mermaid, plantuml
from .escape import EscapedText, diagram_environment, slug

KINDS = ("flow", "sequence", "state", "plantuml")
EXTENSIONS = {"mermaid": ".mmd", "plantuml": ".puml"}


@dataclass(frozen=True)
class Diagram:
    """One diagram: a unique slug `name`, its `kind` (flow, sequence, state, plantuml), its
    `language` (mermaid or plantuml), its source `text`, and the saga it draws, if any."""

    name: str
    kind: str
    language: str
    text: str
    saga: str | None = None

    @property
    def file_name(self) -> str:
        return self.name + EXTENSIONS[self.language]


class _Names:
    """Unique slugs: a clash gets `-2`, `-3`, ..."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, wanted: str) -> str:
        candidate, counter = wanted, 2
        while candidate in self.taken:
            candidate = f"{wanted}-{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate


def build_diagrams(
    model: DesignModel,
    kinds: Iterable[str] | None = None,
    sagas: Sequence[str] | None = None,
) -> list[Diagram]:
    """The model's diagrams, optionally only some kinds and some sagas (by name).

    With `sagas` given, only those sagas' diagrams are drawn (no system flowchart unless
    `kinds` asks for `flow`).
    """
    wanted = set(kinds) if kinds else set(KINDS)
    if sagas is not None and not kinds:
        wanted.discard("flow")
    names = _Names()
    diagrams: list[Diagram] = []
    if "flow" in wanted:
        text = mermaid.system_flowchart(model)
        diagrams.append(Diagram(names.claim("system-flow"), "flow", "mermaid", text))
    for saga_name, saga in model.parsed_sagas.items():
        if sagas is not None and saga_name not in sagas:
            continue
        base = "saga-" + (slug(saga_name) or "unnamed")
        if "sequence" in wanted:
            text = mermaid.saga_sequence(model, saga)
            name = names.claim(f"{base}-sequence")
            diagrams.append(Diagram(name, "sequence", "mermaid", text, saga_name))
        if "state" in wanted:
            text = mermaid.saga_states(model, saga)
            name = names.claim(f"{base}-state")
            diagrams.append(Diagram(name, "state", "mermaid", text, saga_name))
        if "plantuml" in wanted:
            text = plantuml.saga_sequence(model, saga)
            name = names.claim(f"{base}-sequence-plantuml")
            diagrams.append(Diagram(name, "plantuml", "plantuml", text, saga_name))
    return diagrams


def as_stream(diagrams: Sequence[Diagram]) -> str:
    """All diagrams one after another, each preceded by a comment line naming it."""
    parts = []
    for diagram in diagrams:
        marker = "%%" if diagram.language == "mermaid" else "'"
        parts.append(f"{marker} diagram: {diagram.name} ({diagram.kind}, {diagram.language})\n")
        parts.append(diagram.text)
        parts.append("\n")
    return "".join(parts)


def as_markdown(diagrams: Sequence[Diagram]) -> str:
    """One Markdown document embedding every diagram in a ```mermaid or ```plantuml block."""
    template = diagram_environment().get_template("diagrams/document.md.j2")
    safe = [
        {
            "name": EscapedText(diagram.name),
            "language": diagram.language,
            "text": EscapedText(diagram.text),
        }
        for diagram in diagrams
    ]
    return template.render(diagrams=safe)
