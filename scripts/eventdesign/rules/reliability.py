"""Reliability rules (REL): dual writes, idempotent consumers, dead letters, ordering, channels,
and how an event store's events leave it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import Channel, DesignModel, Event

FAMILY = "reliability"
NONE = (None, "none")
# Transports with no ordering guarantee at all (scripts/eventdesign/transport/transports.yaml:
# ordering none; the classic EventBridge bus does not order).
UNORDERED_TRANSPORTS = frozenset(("sqs", "sns", "eventbridge"))
# Transports whose global order needs a single partition, shard or session.
PARTITIONED_TRANSPORTS = frozenset(
    ("kafka", "pulsar", "kinesis", "azure-event-hubs", "rabbitmq-stream", "azure-service-bus")
)
# Transports where one FIFO queue or topic is globally ordered.
FIFO_TRANSPORTS = frozenset(("sqs-fifo", "sns-fifo", "in-process"))


@rule(
    "REL001",
    "dual-write",
    family=FAMILY,
    severity="error",
    summary="A service that writes its own database and publishes events needs an outbox.",
    what="""
Flags a service with `state: owned` (it writes its own database) that publishes events while
its `outbox` is absent or `none`. Event-sourced services (`state: event-sourced`) store the
events themselves and need no outbox (REL008 checks how their events leave the store); stream
processors (`stream_processor: kafka-streams`, `flink`, ...) checkpoint their state with their
input offsets and re-emit after a crash, so they need none either. Internal events
(`internal: true`) are never published and do not count.
""",
    why="""
Writing to the database and then publishing to the broker are two writes with no shared
transaction: a crash between them loses the event (or, publishing first, announces a change
that never committed). Consumers then disagree with the producer for good.
""",
    example="""
services:
  fines: {context: Lending, state: owned}   # writes its tables, then publishes: no outbox
events:
  FineCharged:
    producer: fines
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
services:
  # the event is written to an outbox table in the same transaction and relayed; or
  # `outbox: cdc`: change data capture reads the outbox table
  fines: {context: Lending, state: owned, outbox: transactional}
events:
  FineCharged:
    producer: fines
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'Chris Richardson, Microservices Patterns (2018), ch. 3.3.7 "Transactional outbox"',
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11 "Keeping'
        ' systems in sync"',
    ),
)
def check_dual_write(model: DesignModel) -> Iterator[Finding]:
    producing = published_by_service(model)
    for service in model.services.values():
        if service.state != "owned" or service.outbox not in NONE or service.stream_processor:
            continue
        events = producing.get(service.name)
        if not events:
            continue
        pointer = f"{service.pointer}/outbox" if service.outbox else service.pointer
        yield finding(
            "REL001",
            f"service '{service.name}' writes its own state and publishes {_few(events)}"
            " without an outbox (dual write)",
            model.locate(pointer),
            hint="set `outbox: transactional` (outbox table + relay) or `outbox: cdc`",
            element=f"service {service.name}",
        )


def _few(names: list[str]) -> str:
    return f"{', '.join(names[:3])}{' ...' if len(names) > 3 else ''}"


def published_by_service(model: DesignModel) -> dict[str, list[str]]:
    """The events each service publishes (internal events stay inside and are left out)."""
    producing: dict[str, list[str]] = {}
    for event in model.events.values():
        if not event.internal:
            producing.setdefault(event.producer, []).append(event.name)
    return producing


@rule(
    "REL002",
    "consumer-not-idempotent",
    family=FAMILY,
    severity="warning",
    summary="Every consumer must tolerate redelivery (inbox, dedupe key, or naturally idempotent);"
    " an error when declared `idempotency: none`, a warning when undeclared.",
    what="""
Flags each consumer of an event whose idempotency strategy, on the consumer or else on its
service, is missing or `none`. The accepted strategies are `inbox` (processed message ids
recorded in the same transaction), `dedupe-key` (a unique business key rejects the repeat)
and `natural` (the handler is idempotent by construction, e.g. an upsert). A consumer that
declares `idempotency: none` (itself, or through its service) is a known defect and is
reported as an error; one that declares nothing is a warning, as the design may simply not
say yet.
""",
    why="""
Brokers deliver at least once: a consumer that crashes after its work but before its
acknowledgement gets the message again, and producers retrying after a timeout publish it
twice. A consumer that is not idempotent charges twice or double-counts.
""",
    example="""
services:
  fines: {context: Lending, state: owned, outbox: transactional}   # silent on redelivery
events:
  OverdueBookReturned:
    producer: lending
    consumers: [fines]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
services:
  fines: {context: Lending, state: owned, outbox: transactional, idempotency: inbox}
events:
  OverdueBookReturned:
    producer: lending
    consumers: [fines]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'Chris Richardson, Microservices Patterns (2018), ch. 3.3.6 "Handling duplicate messages"',
        'Pat Helland, "Idempotence Is Not a Medical Condition" (ACM Queue, 2012)',
    ),
)
def check_idempotency(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        for consumer in event.consumers:
            service = model.services.get(consumer.service)
            if service is None:
                continue
            strategy = consumer.idempotency or service.idempotency
            if strategy not in NONE:
                continue
            declared = strategy == "none"
            yield finding(
                "REL002",
                f"consumer '{consumer.service}' of event '{event.name}' "
                + ("is declared not idempotent" if declared else "has no idempotency strategy"),
                model.locate(consumer.pointer),
                hint="set idempotency (inbox, dedupe-key or natural) on the consumer or the"
                " service",
                element=f"consumer {consumer.service} of event {event.name}",
                severity="error" if declared else None,
            )


@rule(
    "REL003",
    "consumer-without-dead-letter",
    family=FAMILY,
    severity="warning",
    summary="Every subscription needs a dead-letter destination for messages it cannot process.",
    what="""
Flags each consumer of an event that has no dead-letter destination: none on the consumer,
none on its service (the default for all it consumes), none on the event's channel (for all
its consumers). In-process channels are exempt: a failing handler fails the call that
published, in the same process. Internal events have no subscriptions.
""",
    why="""
A poison message (one the consumer can never process: bad data, a bug, a missing reference)
either blocks its partition for ever or is retried and dropped silently. A dead-letter channel
parks it with its error so the stream moves on and someone can inspect and replay it.
""",
    example="""
channels:
  holds.events: {transport: kafka, broker: bus, partitions: 6, ordering: per-key}  # no dead_letter
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: holds.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
""",
    instead="""
channels:
  holds.events: {transport: kafka, broker: bus, partitions: 6, ordering: per-key,
                 dead_letter: lending.dlq}   # poison messages parked, owned and alerted on
events:
  HoldPlaced:
    producer: lending
    consumers: [notices]
    channel: holds.events
    key: holdId
    schema: {type: object, required: [holdId], properties: {holdId: {type: string}}}
""",
    sources=(
        'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Dead Letter'
        ' Channel"',
    ),
)
def check_dead_letters(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        channel = model.channels.get(event.channel) if event.channel else None
        if event.internal or (channel is not None and channel.transport == "in-process"):
            continue
        channel_dead_letter = channel.dead_letter if channel is not None else None
        for consumer in event.consumers:
            service = model.services.get(consumer.service)
            service_dead_letter = service.dead_letter if service is not None else None
            if consumer.dead_letter or service_dead_letter or channel_dead_letter:
                continue
            yield finding(
                "REL003",
                f"consumer '{consumer.service}' of event '{event.name}' has no dead-letter "
                "destination",
                model.locate(consumer.pointer),
                hint="set dead_letter on the consumer, its service, or the event's channel",
                element=f"consumer {consumer.service} of event {event.name}",
            )


def ordering_gap(event: Event, channel: Channel) -> str | None:
    """Why the channel cannot give the event the ordering it needs, or None when it can."""
    need = event.ordering
    if need in (None, "none"):
        return None
    transport = channel.transport
    if transport in UNORDERED_TRANSPORTS:
        return f"{transport} does not guarantee any order"
    if channel.ordering == "none":
        return f"channel '{channel.name}' is declared with `ordering: none`"
    if need == "global":
        if channel.ordering == "per-key":
            return f"channel '{channel.name}' orders per key only"
        if transport in FIFO_TRANSPORTS:
            return None
        if transport in PARTITIONED_TRANSPORTS:
            if channel.partitions is not None and channel.partitions > 1:
                return (
                    f"channel '{channel.name}' has {channel.partitions} partitions; global "
                    "order needs one"
                )
            return None
        if transport == "pubsub":
            return "pubsub orders per ordering key only"
    return None


@rule(
    "REL004",
    "ordering-not-guaranteed",
    family=FAMILY,
    severity="error",
    summary="An event needing per-key or global order must travel on a channel that keeps it.",
    what="""
Flags an event that declares `ordering: per-key` or `global` on a channel that cannot keep
it: SQS standard queues, SNS standard topics and the classic EventBridge bus order nothing; a
channel declared `ordering: none` orders nothing; global order needs a single partition,
shard or FIFO queue (a 12-partition Kafka topic orders per key only, a channel declared
`ordering: per-key` likewise, and Pub/Sub orders per ordering key only).
""",
    why="""
Consumers that need events in order (per entity, or globally) silently get them out of order
on such a channel: an overdue notice processed before the renewal that cancelled it, a
balance applied out of sequence. Nothing fails; the data is just wrong.
""",
    example="""
brokers:
  aws: {transport: sqs}
channels:
  overdue.queue: {transport: sqs, broker: aws, dead_letter: overdue.dlq}
  overdue.dlq: {transport: sqs, broker: aws, owner: lending-team, alert: page on first message}
events:
  LoanDueDatePassed:
    producer: lending
    consumers: [notices]
    channel: overdue.queue
    key: loanId
    ordering: per-key      # an SQS standard queue orders nothing
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
# an ordered channel: SQS/SNS FIFO (order per message group: the key), or Kafka/Kinesis keyed
# by the entity id; or make consumers order-tolerant (versions, last writer wins) and drop
# `ordering:`
brokers:
  aws: {transport: sqs-fifo}
channels:
  overdue.queue: {transport: sqs-fifo, broker: aws, dead_letter: overdue.dlq}
  overdue.dlq: {transport: sqs-fifo, broker: aws, owner: lending-team, alert: page on first message}
events:
  LoanDueDatePassed:
    producer: lending
    consumers: [notices]
    channel: overdue.queue
    key: loanId
    ordering: per-key
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        "the transport capability matrix (scripts/eventdesign/transport/transports.yaml,"
        " ordering per transport, with sources)",
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 9 "Ordering'
        ' guarantees"',
    ),
)
def check_ordering(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        channel = model.channels.get(event.channel) if event.channel else None
        if channel is None:
            continue
        gap = ordering_gap(event, channel)
        if gap is None:
            continue
        yield finding(
            "REL004",
            f"event '{event.name}' needs {event.ordering} ordering but {gap}",
            model.locate(f"{event.pointer}/ordering"),
            hint="use an ordered channel (keyed partitions or FIFO), or drop the requirement",
            element=f"event {event.name}",
        )


@rule(
    "REL005",
    "event-without-channel",
    family=FAMILY,
    severity="warning",
    summary="Every event should name the channel (topic, queue, stream) it travels on.",
    what="""
Flags an event that names no `channel:` and is not marked `internal: true` (a domain event
that never leaves its service or event store needs no channel).
""",
    why="""
Without a channel the design does not say how the event reaches its consumers, so ordering,
retention, dead-lettering and the transport cannot be checked, and the AsyncAPI export has
nothing to publish it on.
""",
    example="""
events:
  ReservationCancelled:
    producer: lending
    consumers: [notices]      # but on which topic or queue?
    key: reservationId
    schema: {type: object, required: [reservationId], properties: {reservationId: {type: string}}}
""",
    instead="""
events:
  ReservationCancelled:
    producer: lending
    consumers: [notices]
    channel: lending.events   # a channel declared under `channels:`
    key: reservationId
    schema: {type: object, required: [reservationId], properties: {reservationId: {type: string}}}
""",
    sources=(
        'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Message Channel"',
        'AsyncAPI Specification 3.0.0, "Channel Object"',
    ),
)
def check_channel_present(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if event.channel is None and not event.internal:
            yield finding(
                "REL005",
                f"event '{event.name}' names no channel",
                model.locate(event.pointer),
                hint="add `channel:` naming a channel under channels",
                element=f"event {event.name}",
            )


@rule(
    "REL006",
    "ordering-without-key",
    family=FAMILY,
    severity="warning",
    summary="An event needing per-key order must name its key.",
    what="""
Flags an event that declares `ordering: per-key` but names no `key:`.
""",
    why="""
Per-key ordering holds only for messages that carry the same key; without `key:` the design
does not say what must stay in order (the loan, the member, the account), and producers will
each pick something, or nothing, so related messages land on different partitions.
""",
    example="""
events:
  FinePaid:
    producer: lending
    consumers: [notices]
    channel: lending.events
    ordering: per-key         # in order per what?
    schema: {type: object, required: [fineId], properties: {fineId: {type: string}}}
""",
    instead="""
events:
  FinePaid:
    producer: lending
    consumers: [notices]
    channel: lending.events
    ordering: per-key
    key: fineId               # the payload field that identifies the entity
    schema: {type: object, required: [fineId], properties: {fineId: {type: string}}}
""",
    sources=(
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11 "Partitioned logs"',
    ),
)
def check_ordering_key(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if event.ordering == "per-key" and not event.key:
            yield finding(
                "REL006",
                f"event '{event.name}' needs per-key ordering but names no key",
                model.locate(f"{event.pointer}/ordering"),
                hint="add `key:` with the payload field that identifies the entity",
                element=f"event {event.name}",
            )


def point_to_point_transports(matrix: Any) -> frozenset[str]:
    """Model transports on which every matrix entry has no fan-out: each message reaches one
    consumer (SQS standard and FIFO queues)."""
    fan_out: dict[str, set[str]] = {}
    for transport in matrix.transports:
        fan_out.setdefault(transport.model_transport, set()).add(transport.fan_out.support)
    return frozenset(name for name, levels in fan_out.items() if levels == {"none"})


@rule(
    "REL007",
    "competing-consumers-on-queue",
    family=FAMILY,
    severity="error",
    summary="Several consumer services of one event on a point-to-point queue each get only"
    " some of its messages.",
    what="""
Flags an event with consumers in two or more services on a point-to-point channel: one whose
transport cannot fan out in the transport capability matrix (`fan_out: none`: SQS standard
and FIFO queues), or one declared `delivery: queue`. RabbitMQ (exchanges copy to every bound
queue) and Azure Service Bus (topics and subscriptions) can fan out, so they are flagged only
for a channel declared `delivery: queue` (a Service Bus queue, a RabbitMQ queue read
directly).
""",
    why="""
A point-to-point queue hands each message to one receiver: when several services read the
same queue they compete, and each sees only a share of the events, so every one of them
silently misses most of what it needs.
""",
    example="""
brokers:
  aws: {transport: sqs}
services:
  fines: {context: Lending, state: owned, outbox: transactional, idempotency: inbox}
channels:
  returns.queue: {transport: sqs, broker: aws, dead_letter: returns.dlq}
  returns.dlq: {transport: sqs, broker: aws, owner: lending-team, alert: page on first message}
events:
  BookReturned:
    producer: lending
    consumers: [notices, fines]   # both read one queue: each gets only some returns
    channel: returns.queue
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
services:
  fines: {context: Lending, state: owned, outbox: transactional, idempotency: inbox}
events:
  BookReturned:
    producer: lending
    consumers: [notices, fines]
    # a topic: each service reads every message in its own consumer group; or fan out
    # through SNS or EventBridge to one queue per consumer service
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        "the transport capability matrix (scripts/eventdesign/transport/transports.yaml,"
        " fan_out per transport, with sources)",
        "Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003),"
        ' "Point-to-Point Channel" and "Competing Consumers"',
        'AWS, "Fanout to Amazon SQS queues" (Amazon SNS developer guide)',
    ),
    needs=("matrix",),
)
def check_competing_consumers(model: DesignModel, matrix: Any) -> Iterator[Finding]:
    point_to_point = point_to_point_transports(matrix)
    for event in model.events.values():
        channel = model.channels.get(event.channel) if event.channel else None
        if channel is None:
            continue
        services = sorted({c.service for c in event.consumers})
        queue = channel.delivery == "queue" or channel.transport in point_to_point
        if len(services) < 2 or not queue:
            continue
        yield finding(
            "REL007",
            f"event '{event.name}' has {len(services)} consumers ({', '.join(services)}) on "
            f"point-to-point {channel.transport} channel '{channel.name}': each message reaches "
            "only one of them",
            model.locate(f"{event.pointer}/channel"),
            hint="fan out through a topic (SNS, EventBridge, `delivery: topic`) with one queue"
            " or subscription per consumer, or give each consumer its own channel",
            element=f"event {event.name}",
        )


# How an event-sourced service's events may leave its store without a dual write.
SAFE_PUBLICATION = frozenset(("subscription", "cdc", "outbox"))


@rule(
    "REL008",
    "event-store-without-publication",
    family=FAMILY,
    severity="error",
    summary="An event-sourced service that publishes events must relay them from its store"
    " (subscription, CDC or outbox); an error when it publishes directly, a warning when the"
    " model does not say.",
    what="""
Flags an event-sourced service (`state: event-sourced`) that publishes events but does not
relay them from its store: `event_store.publish` is not `subscription`, `cdc` or `outbox`,
and the service's `outbox` is not `transactional` or `cdc`. `publish: direct` (or
`outbox: none`) declares the dual write and is an error; a service that says nothing is a
warning. Internal events (`internal: true`) stay in the store and are not counted.
""",
    why="""
An event-sourced service appends its events to its event store; that append is its only
transaction. If it then publishes the same events to the broker itself, that is two writes
with nothing shared: a crash between them loses the event for every consumer, while the store
keeps it, and a retry after a publish timeout duplicates it.
""",
    example="""
services:
  accounts:
    context: Lending
    state: event-sourced
    idempotency: inbox
    event_store: {store: EventStoreDB, publish: direct}   # appends, then publishes itself
events:
  MemberFined:
    producer: accounts
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    instead="""
services:
  accounts:
    context: Lending
    state: event-sourced
    idempotency: inbox
    # a catch-up subscription relays the store's events and checkpoints its position; or
    # `publish: cdc` (change data capture on the store's table, or `outbox: cdc`), or
    # `publish: outbox` (an outbox row in the append's transaction, or `outbox: transactional`)
    event_store: {store: EventStoreDB, publish: subscription}
events:
  MemberFined:
    producer: accounts
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    sources=(
        'Chris Richardson, Microservices Patterns (2018), ch. 6 "Event sourcing" (publishing'
        " events from the event store)",
        'EventStoreDB documentation, "Persistent subscriptions" and "Catch-up subscriptions"',
        "Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11",
    ),
)
def check_event_store_publication(model: DesignModel) -> Iterator[Finding]:
    producing = published_by_service(model)
    for service in model.services.values():
        events = producing.get(service.name)
        if not service.event_sourced or not events or service.outbox in ("transactional", "cdc"):
            continue
        store = service.event_store
        publish = store.publish if store is not None else None
        if publish in SAFE_PUBLICATION:
            continue
        declared = publish == "direct" or service.outbox == "none"
        if publish == "direct":
            pointer = f"{service.pointer}/event_store/publish"
        elif service.outbox == "none":
            pointer = f"{service.pointer}/outbox"
        else:
            pointer = f"{service.pointer}/state" if service.state else service.pointer
        yield finding(
            "REL008",
            f"event-sourced service '{service.name}' publishes {_few(events)} "
            + (
                "straight after appending to its store (dual write)"
                if declared
                else "but does not say how its events leave the event store"
            ),
            model.locate(pointer),
            hint="relay from the store: event_store.publish subscription, cdc or outbox",
            element=f"service {service.name}",
            severity=None if declared else "warning",
        )


@rule(
    "REL009",
    "command-deduplicated-by-message-id",
    family=FAMILY,
    severity="warning",
    summary="A command handler that recognises repeats by message id applies a re-sent command"
    " twice; use a command id kept across retries or a business key.",
    what="""
Flags each command whose handler service recognises repeats by message id
(`idempotency_scope: message-id`). Message-id deduplication is right for events, which the
producer's outbox re-sends with the same id, so events are not flagged.
""",
    why="""
A message id identifies one send, not one intent. A sender that times out, or gets a rejection
it retries after a fix, sends the command again as a new message with a new id: a handler that
deduplicates by message id applies it a second time (two charges, two bookings).
""",
    example="""
services:
  fines:
    context: Lending
    state: owned
    outbox: transactional
    idempotency: inbox
    idempotency_scope: message-id   # a re-sent command has a new message id
commands:
  WaiveFine:
    handler: fines
    issuers: [lending]
    synchronous: true
    schema: {type: object, required: [fineId], properties: {fineId: {type: string}}}
""",
    instead="""
services:
  fines:
    context: Lending
    state: owned
    outbox: transactional
    idempotency: inbox
    # an id the issuer generates once and keeps across retries (an Idempotency-Key); or
    # `business-key`: the key the effect is unique on (one waiver per fine)
    idempotency_scope: command-id
commands:
  WaiveFine:
    handler: fines
    issuers: [lending]
    synchronous: true
    schema: {type: object, required: [fineId], properties: {fineId: {type: string}}}
""",
    sources=(
        'Pat Helland, "Idempotence Is Not a Medical Condition" (ACM Queue, 2012)',
        'Stripe API reference, "Idempotent requests"',
        "Chris Richardson, Microservices Patterns (2018), ch. 3.3.6",
    ),
)
def check_command_dedupe_scope(model: DesignModel) -> Iterator[Finding]:
    for command in model.commands.values():
        service = model.services.get(command.handler)
        if service is None or service.idempotency_scope != "message-id":
            continue
        yield finding(
            "REL009",
            f"command '{command.name}' is handled by '{service.name}', which recognises repeats"
            " by message id: a command re-sent after a timeout or rejection is applied twice",
            model.locate(f"{service.pointer}/idempotency_scope"),
            hint="deduplicate by a command id the sender keeps across retries, or a business key",
            element=f"command {command.name}",
        )


@rule(
    "REL010",
    "replication-unsafe",
    family=FAMILY,
    severity="warning",
    summary="A channel's replication must survive a broker loss: more than one copy, and fewer"
    " required acknowledgements than copies (an error when no write can succeed).",
    what="""
Flags a channel whose `replication` keeps one copy (`factor: 1`), or needs as many in-sync
copies as it has (`min_in_sync` equal to `factor`); and, as an error, one that needs more
in-sync copies than it has (`min_in_sync` above `factor`).
""",
    why="""
With one copy, losing that broker loses its messages. With `min_in_sync` equal to `factor`,
one broker down makes every write with acks=all fail, so a routine restart stops the
producers. With `min_in_sync` above `factor` no acknowledged write can ever succeed. The usual
setting is three copies and two in sync (Kafka replication.factor=3, min.insync.replicas=2,
producers acks=all).
""",
    example="""
channels:
  lending.events:
    replication: {factor: 3, min_in_sync: 3}   # one broker restart stops every write
""",
    instead="""
channels:
  lending.events:
    replication: {factor: 3, min_in_sync: 2}   # survives one broker down, loses nothing
""",
    sources=(
        "Apache Kafka documentation, Topic Configs (min.insync.replicas) and Design"
        ' ("Replication")',
        'Confluent, "Kafka replication" (production recommendations)',
    ),
)
def check_replication(model: DesignModel) -> Iterator[Finding]:
    for channel in model.channels.values():
        replication = channel.replication
        if replication is None or replication.factor is None:
            continue
        factor, in_sync = replication.factor, replication.min_in_sync
        severity = None
        if in_sync is not None and in_sync > factor:
            problem = f"needs {in_sync} in-sync copies of {factor}: no write can succeed"
            severity, where = "error", "min_in_sync"
        elif factor == 1:
            problem, where = "keeps one copy: losing its broker loses its messages", "factor"
        elif in_sync == factor:
            problem = f"needs all {factor} copies in sync: one broker down stops every write"
            where = "min_in_sync"
        else:
            continue
        yield finding(
            "REL010",
            f"channel '{channel.name}' {problem}",
            model.locate(f"{channel.pointer}/replication/{where}"),
            hint="keep three copies with two in sync (factor 3, min_in_sync 2)",
            element=f"channel {channel.name}",
            severity=severity,
        )


@rule(
    "REL011",
    "compacted-channel-misuse",
    family=FAMILY,
    severity="error",
    summary="Every event on a compacted channel needs a key (an error without one) and must"
    " carry the whole state (a warning for a change event).",
    what="""
Flags each event on a compacted channel (`cleanup: compact` or `compact-delete`) that has no
`key:` (an error) or is a change rather than a whole state, i.e. not `snapshot: true` (a
warning).
""",
    why="""
Compaction keeps only the latest message per key. A message without a key cannot be compacted
and Kafka rejects it on a compacted topic. A change event (a delta such as FineAdded) on a
compacted channel loses every earlier change of its key once the cleaner runs, so a consumer
that replays sees only the last delta and builds a wrong state.
""",
    example="""
channels:
  members.state: {transport: kafka, broker: bus, partitions: 6, ordering: per-key,
                  cleanup: compact, dead_letter: lending.dlq}
events:
  FineAdded:                  # a delta: compaction keeps only a member's last one
    producer: lending
    consumers: [notices]
    channel: members.state
    key: memberId
    schema:
      type: object
      required: [memberId, amount]
      properties: {memberId: {type: string}, amount: {type: integer}}
""",
    instead="""
channels:
  members.state: {transport: kafka, broker: bus, partitions: 6, ordering: per-key,
                  cleanup: compact, dead_letter: lending.dlq}
events:
  MemberStandingRecorded:     # the member's whole standing; deltas go on lending.events
    producer: lending
    consumers: [notices]
    channel: members.state
    key: memberId
    snapshot: true
    schema:
      type: object
      required: [memberId, finesOwed]
      properties: {memberId: {type: string}, finesOwed: {type: integer}}
""",
    sources=(
        'Apache Kafka documentation, Design ("Log Compaction")',
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11 "Log compaction"',
    ),
)
def check_compacted_channels(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        channel = model.channels.get(event.channel) if event.channel else None
        if channel is None or not channel.compacted:
            continue
        if event.key is None:
            yield finding(
                "REL011",
                f"event '{event.name}' has no key but travels on compacted channel "
                f"'{channel.name}'",
                model.locate(f"{event.pointer}/channel"),
                hint="add `key:` with the entity id the channel keeps the latest state of",
                element=f"event {event.name}",
            )
        elif not event.snapshot:
            yield finding(
                "REL011",
                f"event '{event.name}' is a change, not a whole state, on compacted channel "
                f"'{channel.name}': compaction drops its earlier changes",
                model.locate(f"{event.pointer}/channel"),
                hint="put change events on a delete-policy channel; keep snapshots here",
                element=f"event {event.name}",
                severity="warning",
            )


def dead_letter_channels(model: DesignModel) -> set[str]:
    """Channels named as a dead-letter destination by a channel, a service or a consumer."""
    named = {c.dead_letter for c in model.channels.values()}
    named |= {s.dead_letter for s in model.services.values()}
    named |= {c.dead_letter for e in model.events.values() for c in e.consumers}
    return {name for name in named if name in model.channels}


@rule(
    "REL012",
    "dead-letter-unattended",
    family=FAMILY,
    severity="warning",
    summary="A dead-letter channel must name its owner and the alert that tells them it fills.",
    what="""
Flags a channel named as a dead-letter destination (by a channel, a service or a consumer)
that has no `owner` or no `alert`.
""",
    why="""
A dead letter is a message the system gave up on: a loan never recorded, a fine never
waived. Parked where nobody looks, it is lost as surely as a dropped message, only later. The
owner is the team that fixes what lands there; the alert should fire on the age of the oldest
message (counts alone miss one message parked for a week); and `redrive` (manual or
automatic, tested) says how parked messages go back after a fix.
""",
    example="""
channels:
  holds.events: {transport: kafka, broker: bus, partitions: 6, ordering: per-key,
                 dead_letter: holds.dlq}
  holds.dlq: {transport: kafka, broker: bus}   # nobody owns it, nothing alerts
""",
    instead="""
channels:
  holds.events: {transport: kafka, broker: bus, partitions: 6, ordering: per-key,
                 dead_letter: holds.dlq}
  holds.dlq: {transport: kafka, broker: bus, owner: lending-team, redrive: manual,
              alert: page on-call when the oldest message is older than 15 minutes}
""",
    sources=(
        'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Dead Letter'
        ' Channel"',
        'AWS SQS Developer Guide, "Using dead-letter queues" (alarm on'
        " ApproximateAgeOfOldestMessage; redrive)",
    ),
)
def check_dead_letter_attended(model: DesignModel) -> Iterator[Finding]:
    for name in sorted(dead_letter_channels(model)):
        channel = model.channels[name]
        missing = [field for field in ("owner", "alert") if not getattr(channel, field)]
        if not missing:
            continue
        yield finding(
            "REL012",
            f"dead-letter channel '{name}' has no {' and no '.join(missing)}: what lands "
            "there waits unseen",
            model.locate(channel.pointer),
            hint="add `owner:` (the team that handles it), `alert:` on the oldest message's "
            "age, and `redrive:`",
            element=f"channel {name}",
        )
