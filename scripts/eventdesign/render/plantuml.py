"""PlantUML sequence diagrams of sagas (the same scenario as the Mermaid one).

Participants get generated ids (`p1`, `p2`); model names only appear as labels, escaped by
`escape.plantuml_text` in the template.
"""

from __future__ import annotations

from ..model.types import DesignModel
from ..saga.model import Saga
from ..saga.scenarios import rows, sequence_of
from .escape import diagram_environment, identifier
from .mermaid import BLOCK_KEYWORDS


def saga_sequence(model: DesignModel, saga: Saga | str) -> str:
    """A saga as a PlantUML sequence diagram: happy path, `alt`/`opt`/`par` for failures."""
    if isinstance(saga, str):
        saga = model.parsed_sagas[saga]
    sequence = sequence_of(model, saga)
    ids = {name: identifier("p", index) for index, name in enumerate(sequence.participants, 1)}
    template = diagram_environment().get_template("plantuml/sequence.puml.j2")
    return template.render(
        participants=[(ids[name], name, name in sequence.actors) for name in sequence.participants],
        ids=ids,
        rows=rows(sequence),
        keyword=BLOCK_KEYWORDS,
    )
