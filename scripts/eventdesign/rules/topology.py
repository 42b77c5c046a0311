"""Topology rules (TOP): who produces and consumes what, dangling references, event loops,
channels on the wrong broker, read models their owner cannot feed, internal events that leak."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..findings import Finding
from ..model.types import saga_message_roles
from .citations import (
    ASYNCAPI_OPERATIONS,
    COMMAND_MESSAGE,
    CQRS,
    DOMAIN_EVENTS,
    EVENT_DRIVEN,
    REQUEST_REPLY,
)
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import DesignModel
    from ..saga.model import Saga

FAMILY = "topology"
MAX_CYCLES = 100


@rule(
    "TOP001",
    "producer-undeclared",
    family=FAMILY,
    severity="error",
    summary="An event's producer must be a service declared under services.",
    what="""
Flags an event whose `producer` is not a service declared under `services:`.
""",
    why="""
Every event has exactly one producing service: the owner of the fact, of its schema and of its
evolution. A producer that is not declared is a typo or a missing service, and every later
analysis (outbox, ownership, diagrams, AsyncAPI export) loses track of who publishes the event.
""",
    example="""
events:
  LoanRenewed:
    producer: lendng          # declared nowhere: a typo
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  LoanRenewed:
    producer: lending         # the declared service that owns the fact
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        DOMAIN_EVENTS,
        ASYNCAPI_OPERATIONS,
    ),
)
def check_producers(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if event.producer not in model.services:
            yield finding(
                "TOP001",
                f"event '{event.name}' is produced by '{event.producer}', which is not a "
                "declared service",
                model.locate(f"{event.pointer}/producer"),
                hint=f"declare '{event.producer}' under services, or fix the name",
                element=f"event {event.name}",
            )


@rule(
    "TOP002",
    "consumer-undeclared",
    family=FAMILY,
    severity="error",
    summary="An event's consumers must be services declared under services.",
    what="""
Flags each consumer of an event (in `consumers:`, by name or as a `service:` entry) that is not
a service declared under `services:`.
""",
    why="""
A consumer that is not a declared service is a typo or a missing service: nobody will own the
subscription, its idempotency or its dead-letter handling, and the checks that look after
those skip it.
""",
    example="""
events:
  LoanRenewed:
    producer: lending
    consumers: [notice]       # declared nowhere: a typo
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  LoanRenewed:
    producer: lending
    consumers: [notices]      # the declared service that subscribes
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(ASYNCAPI_OPERATIONS,),
)
def check_consumers(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        for consumer in event.consumers:
            if consumer.service not in model.services:
                yield finding(
                    "TOP002",
                    f"event '{event.name}' is consumed by '{consumer.service}', which is not a "
                    "declared service",
                    model.locate(consumer.pointer),
                    hint=f"declare '{consumer.service}' under services, or fix the name",
                    element=f"event {event.name}",
                )


@rule(
    "TOP003",
    "event-undeclared",
    family=FAMILY,
    severity="error",
    summary="Read models and other references must name declared events.",
    what="""
Flags each source of a read model (`read_models: NAME: sources:`) that is not a declared event.
""",
    why="""
A read model that projects an event nobody declares consumes something no service produces: it
stays empty, or is fed by an event the model knows nothing about (no schema, no producer, no
compatibility checks). Declare the event with its producer, or fix the name.
""",
    example="""
read_models:
  LoanHistory:
    owner: lending
    sources: [BookBorrowed, BookReturned]   # BookReturned is declared nowhere
""",
    instead="""
events:
  BookReturned:               # declared, with the service that produces it
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
read_models:
  LoanHistory:
    owner: lending
    sources: [BookBorrowed, BookReturned]
""",
    sources=(CQRS,),
)
def check_event_references(model: DesignModel) -> Iterator[Finding]:
    for read_model in model.read_models.values():
        for index, source in enumerate(read_model.sources):
            if source not in model.events:
                yield finding(
                    "TOP003",
                    f"read model '{read_model.name}' projects '{source}', which is not a "
                    "declared event",
                    model.locate(f"{read_model.pointer}/sources/{index}"),
                    hint=f"declare event '{source}' with its producer, or fix the name",
                    element=f"read model {read_model.name}",
                )


def _references(model: DesignModel) -> Iterator[tuple[str, str, str, str, str]]:
    """(kind wanted, name, pointer, element, role) for every reference by name."""
    for service in model.services.values():
        element = f"service {service.name}"
        if service.context is not None:
            yield "context", service.context, f"{service.pointer}/context", element, "context"
        if service.dead_letter is not None:
            pointer = f"{service.pointer}/dead_letter"
            yield "channel", service.dead_letter, pointer, element, "dead-letter channel"
    for channel in model.channels.values():
        element = f"channel {channel.name}"
        if channel.broker is not None:
            yield "broker", channel.broker, f"{channel.pointer}/broker", element, "broker"
        if channel.dead_letter is not None:
            pointer = f"{channel.pointer}/dead_letter"
            yield "channel", channel.dead_letter, pointer, element, "dead-letter channel"
    for event in model.events.values():
        element = f"event {event.name}"
        if event.channel is not None:
            yield "channel", event.channel, f"{event.pointer}/channel", element, "channel"
        for consumer in event.consumers:
            of_consumer = f"of consumer '{consumer.service}'"
            if consumer.dead_letter is not None:
                pointer = f"{consumer.pointer}/dead_letter"
                role = f"dead-letter channel {of_consumer}"
                yield "channel", consumer.dead_letter, pointer, element, role
            if consumer.read_model is not None:
                pointer = f"{consumer.pointer}/read_model"
                role = f"read model {of_consumer}"
                yield "read model", consumer.read_model, pointer, element, role
    for command in model.commands.values():
        element = f"command {command.name}"
        yield "service", command.handler, f"{command.pointer}/handler", element, "handler"
        for index, issuer in enumerate(command.issuers):
            yield "service", issuer, f"{command.pointer}/issuers/{index}", element, "issuer"
        if command.channel is not None:
            yield "channel", command.channel, f"{command.pointer}/channel", element, "channel"
    for read_model in model.read_models.values():
        element = f"read model {read_model.name}"
        yield "service", read_model.owner, f"{read_model.pointer}/owner", element, "owner"


@rule(
    "TOP004",
    "reference-undeclared",
    family=FAMILY,
    severity="error",
    summary="Contexts, services, channels, brokers, dead-letter channels and read models named"
    " anywhere must be declared.",
    what="""
Flags a name that refers to an element declared nowhere: a service's context and dead-letter
channel, a channel's broker and dead-letter channel, an event's channel, a consumer's
dead-letter channel and read model, a command's handler, issuers and channel, a read model's
owner.
""",
    why="""
The model refers to its elements by name. A name declared nowhere is a typo or a missing
declaration; diagrams, exports and the other rules silently skip it, so the checks a channel,
a broker or a service would get are never made.
""",
    example="""
commands:
  RenewLoan:
    handler: lending
    issuers: [notices]
    channel: lending.commands # declared nowhere
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
channels:
  lending.commands:           # declared, on the broker, with its dead letter
    transport: kafka
    broker: bus
    partitions: 6
    ordering: per-key
    dead_letter: lending.dlq
commands:
  RenewLoan:
    handler: lending
    issuers: [notices]
    channel: lending.commands
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(ASYNCAPI_OPERATIONS,),
)
def check_references(model: DesignModel) -> Iterator[Finding]:
    declared = {
        "context": model.contexts,
        "service": model.services,
        "broker": model.brokers,
        "channel": model.channels,
        "read model": model.read_models,
    }
    for kind, name, pointer, element, role in _references(model):
        if name not in declared[kind]:
            yield finding(
                "TOP004",
                f"{element}: {role} '{name}' is not a declared {kind}",
                model.locate(pointer),
                hint=f"declare {kind} '{name}', or fix the name",
                element=element,
            )


@rule(
    "TOP005",
    "event-never-consumed",
    family=FAMILY,
    severity="warning",
    summary="An event nobody consumes (no consumer, no read model) is dead weight or a gap.",
    what="""
Flags an event that no service consumes and no read model projects. An event that only a read
model projects counts as consumed, and an internal event (`internal: true`, kept in its
service or event store) needs no consumer.
""",
    why="""
An event nobody consumes either has a consumer the model forgot (declare it, so ownership,
idempotency and dead-lettering are checked for it) or is not needed yet (remove it: every
published event is a contract you must keep compatible). Events published for consumers outside
the system can be kept; suppress this rule for them (`rules.suppress`, with the reason).
""",
    example="""
events:
  FineWaived:
    producer: lending
    consumers: []             # nobody reacts: a missing consumer, or a needless contract
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  FineWaived:
    producer: lending
    consumers: [notices]      # notices tells the member their fine was waived
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        DOMAIN_EVENTS,
        EVENT_DRIVEN,
    ),
)
def check_unconsumed(model: DesignModel) -> Iterator[Finding]:
    projected = {source for rm in model.read_models.values() for source in rm.sources}
    for event in model.events.values():
        if not event.consumers and event.name not in projected and not event.internal:
            yield finding(
                "TOP005",
                f"event '{event.name}' is never consumed",
                model.locate(event.pointer),
                hint="add its consumers or a read model that projects it, or remove the event",
                element=f"event {event.name}",
            )


@rule(
    "TOP006",
    "producer-consumes-own-event",
    family=FAMILY,
    severity="info",
    summary="A service consuming its own event without a read model goes through the broker to"
    " talk to itself.",
    what="""
Flags a service that consumes its own event without naming a read model on the consumer entry
(`read_model:`). A saga timer's expiry event (`timers:`) is meant to come back to its owner
later, so it is not reported.
""",
    why="""
A service that subscribes to its own event pays broker latency and a second failure point for
work it could do in the transaction that produced the event, and it reads its own writes late.
It is right for an event-sourced service updating a projection: name the read model on the
consumer entry and this rule stays quiet.
""",
    example="""
events:
  LoanRenewed:
    producer: lending
    consumers: [notices, lending]   # lending waits on the broker to update its own loan
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  LoanRenewed:                # lending moves the due date in the transaction that renews
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'Chris Richardson, "Pattern: Transactional outbox",'
        " https://microservices.io/patterns/data/transactional-outbox.html",
        'Microsoft, "Event Sourcing pattern" (Azure Architecture Center),'
        " https://learn.microsoft.com/azure/architecture/patterns/event-sourcing",
    ),
)
def check_self_consumption(model: DesignModel) -> Iterator[Finding]:
    timers = {
        name
        for name, roles in saga_message_roles(model.parsed_sagas).items()
        if any(role.endswith(": timer") for role in roles)
    }
    for event in model.events.values():
        if event.name in timers:
            continue
        for consumer in event.consumers:
            if consumer.service == event.producer and consumer.read_model is None:
                yield finding(
                    "TOP006",
                    f"service '{event.producer}' consumes its own event '{event.name}'",
                    model.locate(consumer.pointer),
                    hint="do the work in the producing transaction, or name the read model it"
                    " feeds",
                    element=f"event {event.name}",
                )


@dataclass(frozen=True)
class Reaction:
    """`service` reacts to event `on` by emitting event `emits`; declared or assumed."""

    service: str
    on: str
    emits: str
    declared: bool


def _saga_message_names(saga: Saga) -> set[str]:
    """Every message a saga names: trigger, outcomes, cancel, timers, and each step's (in
    parallel groups too) or reaction's messages, compensations included."""
    names = {saga.trigger or "", *saga.completed, *saga.compensated}
    if saga.cancel is not None:
        names.add(saga.cancel.on)
    for timer in saga.timers:
        names.add(timer.event)
    for step in getattr(saga, "steps", ()):
        names |= {step.command, step.reply or "", *step.failures}
        if step.compensation is not None:
            undo = step.compensation
            names |= {undo.command, undo.reply or "", undo.nothing_to_undo or "", *undo.failures}
    for reaction in getattr(saga, "reactions", ()):
        names |= {reaction.on, *reaction.emits, *reaction.fails_with}
        names |= {*reaction.after_pivot, *reaction.nothing_to_undo}
    names.discard("")
    return names


def declared_reactions(model: DesignModel) -> list[Reaction]:
    """Reactions that choreographed sagas spell out (`service`, `on`, `emits`, `fails_with`)."""
    found = []
    for saga in model.parsed_sagas.values():
        for declared in getattr(saga, "reactions", ()):
            for emitted in (*declared.emits, *declared.fails_with):
                found.append(Reaction(declared.service, declared.on, emitted, True))
    return found


def reactions(model: DesignModel) -> list[Reaction]:
    """Declared reactions, plus assumed ones for services that declare none.

    A service with no declared reaction is assumed to possibly emit any of its events on any
    event it consumes; a service that declares reactions is taken at its word (its other
    subscriptions only update its state). Read-model feeds never react.
    """
    declared = declared_reactions(model)
    declaring = {r.service for r in declared}
    produced: dict[str, list[str]] = defaultdict(list)
    for event in model.events.values():
        produced[event.producer].append(event.name)
    assumed = []
    for event in model.events.values():
        for consumer in event.consumers:
            service = consumer.service
            if consumer.read_model is not None or service in declaring:
                continue
            assumed.extend(Reaction(service, event.name, out, False) for out in produced[service])
    return declared + assumed


def strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Strongly connected components with more than one node or a self-loop (Kosaraju)."""
    nodes = sorted(set(graph) | {n for targets in graph.values() for n in targets})
    order: list[str] = []
    seen: set[str] = set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, successors = stack[-1]
            for successor in successors:
                if successor not in seen:
                    seen.add(successor)
                    stack.append((successor, iter(graph.get(successor, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    reverse: dict[str, list[str]] = defaultdict(list)
    for node, targets in graph.items():
        for target in targets:
            reverse[target].append(node)
    components = []
    assigned: set[str] = set()
    for root in reversed(order):
        if root in assigned:
            continue
        component = {root}
        assigned.add(root)
        pending = [root]
        while pending:
            for previous in reverse.get(pending.pop(), ()):
                if previous not in assigned:
                    assigned.add(previous)
                    component.add(previous)
                    pending.append(previous)
        if len(component) > 1 or root in graph.get(root, ()):
            components.append(component)
    return components


def elementary_cycles(
    graph: dict[str, list[str]], limit: int, budget: int = 200_000
) -> list[list[str]]:
    """Elementary cycles of a directed graph, each once, in a deterministic order.

    Each cycle starts at its smallest node. The search runs only inside strongly connected
    components and stops after `limit` cycles or `budget` steps, so a dense graph cannot make
    it run for ever.
    """
    cycles: list[list[str]] = []
    steps = 0
    for component in sorted(strongly_connected(graph), key=min):
        nodes = sorted(component)
        for start_index, start in enumerate(nodes):
            allowed = set(nodes[start_index:])

            def successors_of(node: str, allowed: set[str] = allowed) -> Iterator[str]:
                return iter(sorted(n for n in graph.get(node, ()) if n in allowed))

            stack = [(start, successors_of(start))]
            path = [start]
            on_path = {start}
            while stack:
                steps += 1
                if steps > budget:
                    return cycles
                successors = stack[-1][1]
                advanced = False
                for successor in successors:
                    if successor == start:
                        cycles.append(list(path))
                        if len(cycles) >= limit:
                            return cycles
                    elif successor not in on_path:
                        path.append(successor)
                        on_path.add(successor)
                        stack.append((successor, successors_of(successor)))
                        advanced = True
                        break
                if not advanced:
                    stack.pop()
                    on_path.discard(path.pop())
    return cycles


@rule(
    "TOP007",
    "event-loop",
    family=FAMILY,
    severity="warning",
    summary="Declared reactions form a loop: an event leads, reaction by reaction, back to itself.",
    what="""
Follows the reactions that choreographed sagas declare (`on` -> `emits` / `fails_with`) from
event to event and flags every chain that leads back to the event it started from. Each
elementary loop is reported once, at its first event, with the chain as its trace.
""",
    why="""
When service A's event makes B react with an event that makes A (or C, ...) react with the
first event again, one message keeps the services busy for ever: an event storm that only
stops when a broker or a bill does. Break it with a state check in one reaction (react only on
a state change), or make one hop a command with an explicit handler.
""",
    example="""
events:
  LoanRenewed:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: &loan {type: object, required: [loanId], properties: {loanId: {type: string}}}
  RenewalNoticeSent:
    producer: notices
    consumers: [lending]
    channel: lending.events
    key: loanId
    schema: *loan
sagas:
  RenewLoan:
    style: choreography
    trigger: LoanRenewed
    reactions:
      - {service: notices, on: LoanRenewed, emits: RenewalNoticeSent}
      - {service: lending, on: RenewalNoticeSent, emits: LoanRenewed}  # renews again: a loop
    completed: RenewalNoticeSent
""",
    instead="""
events:
  LoanRenewed:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: &loan {type: object, required: [loanId], properties: {loanId: {type: string}}}
  RenewalNoticeSent:
    producer: notices
    consumers: [lending]
    channel: lending.events
    key: loanId
    schema: *loan
sagas:
  RenewLoan:
    style: choreography
    trigger: LoanRenewed
    reactions:
      - {service: notices, on: LoanRenewed, emits: RenewalNoticeSent}
      - {service: lending, on: RenewalNoticeSent}   # records the notice, emits nothing
    completed: RenewalNoticeSent
""",
    sources=(
        EVENT_DRIVEN,
        'Chris Richardson, Microservices Patterns (2018), ch. 4 "Managing transactions with'
        ' sagas" (choreography-based sagas)',
    ),
)
def check_event_loops(model: DesignModel) -> Iterator[Finding]:
    graph: dict[str, list[str]] = defaultdict(list)
    by_hop: dict[tuple[str, str], list[str]] = defaultdict(list)
    for reaction in declared_reactions(model):
        if reaction.emits not in graph[reaction.on]:
            graph[reaction.on].append(reaction.emits)
        by_hop[(reaction.on, reaction.emits)].append(reaction.service)
    for cycle in elementary_cycles(graph, MAX_CYCLES):
        start = model.events.get(cycle[0])
        pointer = start.pointer if start is not None else ""
        trace = []
        for index, event in enumerate(cycle):
            following = cycle[(index + 1) % len(cycle)]
            services = ", ".join(sorted(set(by_hop[(event, following)])))
            trace.append(f"{services} reacts to {event} by emitting {following}")
        loop = " -> ".join([*cycle, cycle[0]])
        yield finding(
            "TOP007",
            f"events loop through declared reactions: {loop}",
            model.locate(pointer),
            hint="react only to a state change in one step, or turn one hop into a command",
            element=f"event loop {loop}",
            trace=trace,
        )


@rule(
    "TOP008",
    "possible-ping-pong",
    family=FAMILY,
    severity="info",
    summary="Two services consume each other's events and may react to them: a possible ping-pong.",
    what="""
Flags two services that consume each other's events when at least one of them declares no
reactions, so the model cannot tell whether A's reaction triggers B's and back again. A
service with no declared reaction is assumed to possibly emit any of its events on any event it
consumes; read-model feeds (`read_model:`) never react. Pairs whose events are all messages of
one saga (an orchestrator and its participant exchanging trigger, replies, in parallel groups
too, and outcomes) are left to `saga verify`, which explores that exchange exactly. Longer
cycles are reported only from declared reactions (TOP007): inferred ones would flag almost
every design.
""",
    why="""
Most such pairs are a plain request/response chatter (itself a sign of tight coupling); some
are an endless ping-pong that only shows under load. Declare the reactions in a choreographed
saga (`on` / `emits`), and `event-loop` (TOP007) checks the real chain exactly; or let one side
only keep a read model of the other's events.
""",
    example="""
events:
  NoticeBounced:              # notices reacts to lending's events, lending to this one
    producer: notices
    consumers: [lending]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  NoticeBounced:
    producer: notices
    consumers: [{service: lending, read_model: MemberContacts}]   # kept in a view, no reaction
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
read_models:
  MemberContacts: {owner: lending, sources: [NoticeBounced]}
""",
    sources=(
        EVENT_DRIVEN,
        REQUEST_REPLY,
    ),
)
def check_ping_pong(model: DesignModel) -> Iterator[Finding]:
    sagas_messages = [_saga_message_names(saga) for saga in model.parsed_sagas.values()]
    edges: dict[tuple[str, str], list[Reaction]] = defaultdict(list)
    producer_of = {e.name: e.producer for e in model.events.values()}
    for reaction in reactions(model):
        source = producer_of.get(reaction.on)
        if source is not None and source != reaction.service:
            edges[(source, reaction.service)].append(reaction)
    for (a, b), forward in sorted(edges.items()):
        backward = edges.get((b, a))
        if a >= b or not backward:
            continue
        if all(r.declared for r in forward + backward):
            continue
        on_b = sorted({r.on for r in forward})
        on_a = sorted({r.on for r in backward})
        if any(set(on_a + on_b) <= names for names in sagas_messages):
            continue
        first = model.events.get(on_b[0])
        yield finding(
            "TOP008",
            f"services '{a}' and '{b}' consume each other's events and may ping-pong",
            model.locate(first.pointer if first is not None else ""),
            hint="declare the reactions in a choreographed saga so loops can be checked exactly",
            element=f"services {a} and {b}",
            trace=(
                f"{b} consumes {', '.join(on_b)} from {a}",
                f"{a} consumes {', '.join(on_a)} from {b}",
            ),
        )


# Transports that one broker serves together: a RabbitMQ broker has classic queues and streams;
# an AWS account and region, modelled as one broker, has SQS queues and the SNS topics that
# fan out to them, standard and FIFO.
SAME_BROKER = (
    frozenset(("rabbitmq", "rabbitmq-stream")),
    frozenset(("sqs", "sqs-fifo", "sns", "sns-fifo")),
)


def _same_broker(channel_transport: str, broker_transport: str) -> bool:
    if channel_transport == broker_transport:
        return True
    return any({channel_transport, broker_transport} <= family for family in SAME_BROKER)


@rule(
    "TOP009",
    "channel-transport-differs-from-broker",
    family=FAMILY,
    severity="error",
    summary="A channel's transport must be its broker's transport.",
    what="""
Flags a channel whose `transport` differs from its broker's. Transports one broker serves
together are accepted: RabbitMQ queues and streams (`rabbitmq`, `rabbitmq-stream`); SQS and
SNS, standard and FIFO (one AWS account and region).
""",
    why="""
A channel lives on one broker; when the channel says `transport: sqs` and its broker says
`transport: kafka`, one of them is wrong, and every transport-based check (ordering, fan-out,
dead letters, size limits) and the AsyncAPI servers follow whichever they read. Fix the
channel's transport or move it to a broker of that transport.
""",
    example="""
channels:
  lending.holds: {transport: sqs, broker: bus, dead_letter: lending.dlq}   # bus runs kafka
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.holds
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
channels:
  lending.holds:              # on its broker's transport
    transport: kafka
    broker: bus
    partitions: 6
    ordering: per-key
    dead_letter: lending.dlq
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: lending.holds
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'AsyncAPI Specification 3.0.0, "Server Object" (protocol) and "Channel Object"'
        " (servers), https://www.asyncapi.com/docs/reference/specification/v3.0.0",
    ),
)
def check_channel_broker_transport(model: DesignModel) -> Iterator[Finding]:
    for channel in model.channels.values():
        broker = model.brokers.get(channel.broker) if channel.broker else None
        if broker is None or _same_broker(channel.transport, broker.transport):
            continue
        yield finding(
            "TOP009",
            f"channel '{channel.name}' uses {channel.transport} but its broker "
            f"'{broker.name}' is {broker.transport}",
            model.locate(f"{channel.pointer}/transport"),
            hint=f"use transport {broker.transport}, or a broker running {channel.transport}",
            element=f"channel {channel.name}",
        )


@rule(
    "TOP010",
    "read-model-source-not-consumed",
    family=FAMILY,
    severity="error",
    summary="A read model's owner must consume (or produce) every event the read model projects.",
    what="""
Flags a read model source that the read model's owner neither consumes nor produces. An
owner's own events count: it can project them from its own transaction or event store.
""",
    why="""
A read model is updated by its owner from its source events. A source the owner does not
receive never reaches the projection: that part of the view stays empty or stale, silently.
Add the owner as a consumer of the event (with `read_model:` naming the projection), or drop
the source.
""",
    example="""
events:
  FineCharged:
    producer: lending
    consumers: []
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
read_models:
  MemberFines:
    owner: notices            # but notices does not consume FineCharged: the view stays empty
    sources: [FineCharged]
""",
    instead="""
events:
  FineCharged:
    producer: lending
    consumers: [{service: notices, read_model: MemberFines}]   # the owner feeds its view
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
read_models:
  MemberFines: {owner: notices, sources: [FineCharged]}
""",
    sources=(
        CQRS,
        'Greg Young, "CQRS Documents" (2010), on projections fed by events',
    ),
)
def check_read_model_feeds(model: DesignModel) -> Iterator[Finding]:
    for read_model in model.read_models.values():
        for index, source in enumerate(read_model.sources):
            event = model.events.get(source)
            if event is None or event.producer == read_model.owner:
                continue
            if any(c.service == read_model.owner for c in event.consumers):
                continue
            yield finding(
                "TOP010",
                f"read model '{read_model.name}' projects '{source}', which its owner "
                f"'{read_model.owner}' does not consume",
                model.locate(f"{read_model.pointer}/sources/{index}"),
                hint=f"add '{read_model.owner}' to the consumers of '{source}' with"
                f" read_model: {read_model.name}",
                element=f"read model {read_model.name}",
            )


@rule(
    "TOP011",
    "internal-event-published",
    family=FAMILY,
    severity="error",
    summary="An internal event must stay inside its service: no channel, no other consumer.",
    what="""
Flags an event marked `internal: true` that names a channel or has a consumer other than its
producer.
""",
    why="""
`internal: true` says the event never leaves its service or event store, so the checks that
published events need (channel, dead letter, consumers, compatibility as a contract) are
skipped for it. An internal event with a channel or another service as consumer is published
after all, and those checks are missing. Drop `internal`, or publish a separate integration
event instead of the internal one.
""",
    example="""
events:
  LoanLedgerAmended:
    producer: lending
    internal: true            # kept in lending's event store...
    channel: lending.events   # ...yet published
    consumers: [notices]
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  LoanLedgerAmended:          # stays in lending's event store
    producer: lending
    internal: true
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
  LoanRenewed:                # the integration event notices needs, a contract of its own
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'Vaughn Vernon, Implementing Domain-Driven Design (2013), ch. 8 "Domain Events" (domain'
        " events inside the model vs. published events)",
    ),
)
def check_internal_events(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if not event.internal:
            continue
        others = [c for c in event.consumers if c.service != event.producer]
        if event.channel is None and not others:
            continue
        if event.channel is not None:
            why, pointer = f"travels on channel '{event.channel}'", f"{event.pointer}/channel"
        else:
            why, pointer = f"is consumed by '{others[0].service}'", others[0].pointer
        yield finding(
            "TOP011",
            f"internal event '{event.name}' {why}",
            model.locate(pointer),
            hint="drop `internal: true`, or publish a separate integration event",
            element=f"event {event.name}",
        )


@rule(
    "TOP012",
    "synchronous-command-on-channel",
    family=FAMILY,
    severity="error",
    summary="A synchronous command is a request to its handler, not a message: it has no channel.",
    what="""
Flags a command marked `synchronous: true` that also names a `channel`.
""",
    why="""
`synchronous: true` says the command is an HTTP or gRPC request the issuer waits on; a channel
says it is a message on a broker that the handler takes when it can. Both cannot hold: the
design leaves open whether the issuer blocks, whether the command survives the handler being
down, and where timeouts and retries live. Drop the channel (a request), or drop
`synchronous` (a message with its dead letter and idempotent handler).
""",
    example="""
commands:
  RenewLoan:
    handler: lending
    issuers: [notices]
    synchronous: true         # a request notices waits on...
    channel: lending.events   # ...and a message on a broker
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
commands:
  RenewLoan:                  # a request notices waits on, with no channel
    handler: lending
    issuers: [notices]
    synchronous: true
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        COMMAND_MESSAGE,
        REQUEST_REPLY,
    ),
)
def check_synchronous_commands(model: DesignModel) -> Iterator[Finding]:
    for command in model.commands.values():
        if command.synchronous and command.channel is not None:
            yield finding(
                "TOP012",
                f"command '{command.name}' is synchronous but names channel '{command.channel}'",
                model.locate(f"{command.pointer}/channel"),
                hint="drop the channel (a request), or drop `synchronous` (a message)",
                element=f"command {command.name}",
            )
