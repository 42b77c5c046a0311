"""Mermaid diagrams: a saga's sequence and state diagrams, and the system's event flowchart.

Every element gets a generated id (`p1`, `s1`, `n1`, `e1`, `c1`, `r1`, `g1`, `h1`); model
names only ever appear as labels, escaped by `escape.mermaid_text` in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..model.types import DesignModel
from .escape import EscapedText, diagram_environment, identifier

if TYPE_CHECKING:
    from ..saga.model import Saga

# The saga modules are imported by the functions that draw a saga: building their dataclasses
# costs more than drawing a model's flowchart, and a model without sagas never needs them.


def _saga(model: DesignModel, saga: Saga | str) -> Saga:
    if isinstance(saga, str):
        return model.parsed_sagas[saga]
    return saga


def _render(template: str, **context: object) -> str:
    return diagram_environment().get_template(template).render(**context)


# Block kinds of saga sequence diagrams; each is its own keyword in Mermaid and in PlantUML.
BLOCK_KEYWORDS = {kind: EscapedText(kind) for kind in ("alt", "opt", "par", "loop", "break")}


def participant_ids(participants: tuple[str, ...]) -> dict[str, EscapedText]:
    return {name: identifier("p", index) for index, name in enumerate(participants, start=1)}


def saga_sequence(model: DesignModel, saga: Saga | str) -> str:
    """A saga as a Mermaid `sequenceDiagram`: happy path, `alt`/`opt`/`par` for failures."""
    from ..saga.scenarios import rows, sequence_of

    sequence = sequence_of(model, _saga(model, saga))
    ids = participant_ids(sequence.participants)
    return _render(
        "mermaid/sequence.mmd.j2",
        participants=[(ids[name], name, name in sequence.actors) for name in sequence.participants],
        ids=ids,
        rows=rows(sequence),
        keyword=BLOCK_KEYWORDS,
    )


def saga_states(model: DesignModel, saga: Saga | str) -> str:
    """A saga as a Mermaid `stateDiagram-v2`: steps, compensations and terminal states."""
    from ..saga.scenarios import states_of

    machine = states_of(_saga(model, saga))
    ids = {state.key: identifier("s", index) for index, state in enumerate(machine.states, 1)}
    classes: dict[str, list[EscapedText]] = {}
    for state in machine.states:
        if state.role in ("compensation", "failure", "completed", "compensated", "stuck"):
            classes.setdefault(state.role, []).append(ids[state.key])
        elif state.role == "escalated":
            classes.setdefault("stuck", []).append(ids[state.key])
        elif state.role == "cancelled":
            classes.setdefault("compensated", []).append(ids[state.key])
    return _render(
        "mermaid/state.mmd.j2",
        states=[(ids[state.key], state) for state in machine.states],
        ids=ids,
        transitions=machine.transitions,
        classes=sorted(classes.items()),
    )


@dataclass
class _Node:
    id: EscapedText
    label: str
    shape: str = "box"


@dataclass
class _Group:
    id: EscapedText
    label: str
    nodes: list[_Node] = field(default_factory=list)


class _Edge(NamedTuple):
    # A tuple: a system has thousands of edges, each hashed once to drop duplicates.
    source: EscapedText
    target: EscapedText
    style: str = "solid"


def system_flowchart(model: DesignModel) -> str:
    """The system as a Mermaid `flowchart`: services and read models grouped by bounded
    context, events grouped by channel, producer/consumer, command and projection edges."""
    services: dict[str, _Node] = {}

    def service(name: str) -> _Node:
        if name not in services:
            services[name] = _Node(identifier("n", len(services) + 1), name)
        return services[name]

    for name in model.services:
        service(name)
    contexts: dict[str, _Group] = {}
    for name in model.contexts:
        contexts[name] = _Group(identifier("g", len(contexts) + 1), name)
    for spec in model.services.values():
        if spec.context and spec.context not in contexts:
            contexts[spec.context] = _Group(identifier("g", len(contexts) + 1), spec.context)
    stores = {
        name: _Node(identifier("r", index), name, "store")
        for index, name in enumerate(model.read_models, start=1)
    }
    events = {
        name: _Node(identifier("e", index), name)
        for index, name in enumerate(model.events, start=1)
    }
    commands = {
        name: _Node(identifier("c", index), name)
        for index, name in enumerate(model.commands, start=1)
    }
    edges: list[_Edge] = []
    for event in model.events.values():
        edges.append(_Edge(service(event.producer).id, events[event.name].id))
        for consumer in event.consumers:
            edges.append(_Edge(events[event.name].id, service(consumer.service).id))
    for command in model.commands.values():
        for issuer in command.issuers:
            edges.append(_Edge(service(issuer).id, commands[command.name].id, "thick"))
        edges.append(_Edge(commands[command.name].id, service(command.handler).id, "thick"))
    for read_model in model.read_models.values():
        for source in read_model.sources:
            if source in events:
                edges.append(_Edge(events[source].id, stores[read_model.name].id, "dotted"))
    loose_services: list[_Node] = []
    for name, node in services.items():
        spec = model.services.get(name)
        if spec is not None and spec.context:
            contexts[spec.context].nodes.append(node)
        else:
            loose_services.append(node)
    for read_model in model.read_models.values():
        owner = model.services.get(read_model.owner)
        if owner is not None and owner.context:
            contexts[owner.context].nodes.append(stores[read_model.name])
        else:
            loose_services.append(stores[read_model.name])
    channels: dict[str, _Group] = {}
    loose_events: list[_Node] = []
    for event in model.events.values():
        if event.channel:
            if event.channel not in channels:
                label = f"channel {event.channel}"
                channels[event.channel] = _Group(identifier("h", len(channels) + 1), label)
            channels[event.channel].nodes.append(events[event.name])
        else:
            loose_events.append(events[event.name])
    return _render(
        "mermaid/flowchart.mmd.j2",
        contexts=[group for group in contexts.values() if group.nodes],
        loose_services=loose_services,
        channels=list(channels.values()),
        loose_events=loose_events,
        commands=list(commands.values()),
        edges=list(dict.fromkeys(edges)),
        event_ids=[node.id for node in events.values()],
        command_ids=[node.id for node in commands.values()],
        store_ids=[node.id for node in stores.values()],
    )
