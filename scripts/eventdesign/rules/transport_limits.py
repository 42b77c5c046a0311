"""Schema rules that hold messages to their transport's limits (SCH010, SCH011): envelope
attributes a message may carry, and the largest payload a schema admits. The limits come from
the transport capability matrix the engine passes in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Union

from ..findings import Finding
from ..model.payload_size import max_json_bytes
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import Command, DesignModel, Event

    Message = Union[Event, Command]

FAMILY = "schemas"


def _limit(matrix: Any, transport: str, field: str) -> int | None:
    """The strictest limit the matrix states for a model transport (None: no stated limit)."""
    values = [
        getattr(entry, field)
        for entry in matrix.transports
        if entry.model_transport == transport and getattr(entry, field) is not None
    ]
    return min(values) if values else None


@rule(
    "SCH010",
    "envelope-over-attribute-limit",
    family=FAMILY,
    severity="error",
    summary="In binary mode the envelope's attributes must fit the transport's limit on message"
    " attributes (SQS: 10).",
    what="""
Flags a channel whose envelope (its own, or the system's) travels in binary mode with more
attributes than its transport allows on one message, as the transport capability matrix
states (Amazon SQS: 10 message attributes).
""",
    why="""
In CloudEvents binary mode every envelope attribute travels as a message attribute or header.
An envelope of 11 attributes (id, source, specversion, type, time, subject, datacontenttype,
dataschema, correlationid, causationid, traceparent) is rejected by SQS at publish time, or
the extra ones are dropped by hand-written mapping code.
""",
    example="""
envelope:
  attributes: [id, source, specversion, type, time, subject, datacontenttype, dataschema,
               correlationid, causationid, traceparent]
brokers:
  aws: {transport: sqs}
channels:
  overdue.queue: {transport: sqs, broker: aws, dead_letter: overdue.dlq}   # 11 attributes on SQS
  overdue.dlq: {transport: sqs, broker: aws, owner: lending-team, alert: page on first message}
events:
  LoanDueDatePassed:
    producer: lending
    consumers: [notices]
    channel: overdue.queue
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
envelope:
  # structured mode: the attributes travel in the message body, not as SQS attributes; or
  # slim this channel's own envelope (channels.X.envelope.attributes) to 10
  mode: structured
  attributes: [id, source, specversion, type, time, subject, datacontenttype, dataschema,
               correlationid, causationid, traceparent]
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
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'Amazon SQS developer guide, "Amazon SQS message quotas" (10 message attributes)',
        'CloudEvents 1.0.2, "Message" (binary and structured content modes)',
    ),
    needs=("matrix",),
)
def check_envelope_attribute_limit(model: DesignModel, matrix: Any) -> Iterator[Finding]:
    for channel in model.channels.values():
        envelope = model.envelope_of(channel)
        limit = _limit(matrix, channel.transport, "max_message_attributes")
        if envelope.mode != "binary" or limit is None or len(envelope.attributes) <= limit:
            continue
        # A channel's own envelope is located at its attributes (or the envelope itself).
        pointer = f"{channel.pointer}/envelope/attributes"
        if channel.envelope is None:
            pointer = f"{channel.pointer}/transport"
        yield finding(
            "SCH010",
            f"channel '{channel.name}' ({channel.transport}) carries {len(envelope.attributes)}"
            f" envelope attributes in binary mode; {channel.transport} allows {limit} message"
            " attributes",
            model.locate(pointer),
            hint="slim this channel's envelope (channels.X.envelope.attributes) or use"
            " envelope mode: structured",
            element=f"channel {channel.name}",
        )


def _messages(model: DesignModel) -> Iterator[tuple[str, Message]]:
    for event in model.events.values():
        if not event.internal:
            yield "event", event
    for command in model.commands.values():
        if not command.synchronous:
            yield "command", command


@rule(
    "SCH011",
    "message-over-size-limit",
    family=FAMILY,
    severity="error",
    summary="A payload schema that admits messages larger than the channel's transport allows"
    " (an error over the hard limit, a warning over the default one).",
    what="""
Flags an event or command whose JSON Schema bounds its payload (every string has maxLength,
every array maxItems, every object is closed) at a largest message over its channel's
transport limit. The bound counts compact UTF-8 JSON at 4 bytes per character and 24 per
number, so it is an upper bound; schemas that leave any part open are not checked. Over the
transport's hard limit (SQS, EventBridge: 1 MiB) it is an error; over a default limit that
configuration can raise (Kafka's message.max.bytes, SNS's 256 KiB) a warning. The limits
come from the transport capability matrix.
""",
    why="""
A legal message that is over the limit is rejected at publish time, in production, for one
member with a long list, and the producer's retries cannot help.
""",
    example="""
events:
  ReadingListShared:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: listId
    schema:
      type: object
      additionalProperties: false
      required: [listId, bookIds]
      properties:
        listId: {type: string, maxLength: 36}
        bookIds: {type: array, maxItems: 100000, items: {type: string, maxLength: 36}}  # ~15 MB
""",
    instead="""
events:
  ReadingListShared:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: listId
    schema:
      type: object
      additionalProperties: false
      required: [listId, bookIds]
      properties:
        listId: {type: string, maxLength: 36}
        # at most 500 books: about 75 KB; or split the list over several messages, or send a
        # claim check (store the list, publish a reference to it)
        bookIds: {type: array, maxItems: 500, items: {type: string, maxLength: 36}}
""",
    sources=(
        'Gregor Hohpe and Bobby Woolf, Enterprise Integration Patterns (2003), "Claim Check"',
        "the transport capability matrix (message_size per transport, with sources)",
    ),
    needs=("matrix",),
)
def check_message_size(model: DesignModel, matrix: Any) -> Iterator[Finding]:
    for kind, message in _messages(model):
        channel = model.channels.get(message.channel) if message.channel else None
        if channel is None or message.schema_format != "jsonschema" or message.schema is None:
            continue
        hard = _limit(matrix, channel.transport, "max_message_bytes")
        default = _limit(matrix, channel.transport, "default_message_bytes")
        if hard is None and default is None:
            continue
        largest = max_json_bytes(message.schema)
        if largest is None:
            continue
        over_hard = hard is not None and largest > hard
        if not over_hard and (default is None or largest <= default):
            continue
        limit = hard if over_hard else default
        which = "limit" if over_hard else "default limit"
        yield finding(
            "SCH011",
            f"{kind} '{message.name}' admits payloads up to {largest:,} bytes, over the"
            f" {limit:,}-byte {which} of {channel.transport} channel '{channel.name}'",
            model.locate_in_schema(message, ""),
            hint="tighten maxLength/maxItems, split the message, or send a claim check"
            + ("" if over_hard else " (or raise the transport's configured limit)"),
            element=f"{kind} {message.name}",
            severity=None if over_hard else "warning",
        )
