"""Reliability rule REL013: messages of one entity that a service receives on one channel must
share the partition key, or a later message can overtake an earlier one."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Union

from ..findings import Finding
from ..model.payload import lookup_field
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import Command, DesignModel, Event

    Message = Union[Event, Command]

FAMILY = "reliability"


def _received(model: DesignModel) -> dict[tuple[str, str], list[Message]]:
    """Keyed messages by (receiving service, channel), in declaration order."""
    received: dict[tuple[str, str], list[Message]] = defaultdict(list)
    for event in model.events.values():
        if event.channel and event.key and not event.internal:
            for service in dict.fromkeys(c.service for c in event.consumers):
                received[(service, event.channel)].append(event)
    for command in model.commands.values():
        if command.channel and command.key and not command.synchronous:
            received[(command.handler, command.channel)].append(command)
    return received


def _requires(message: Message, field: str) -> bool:
    if message.schema is None:
        return False
    found = lookup_field(message.schema, message.schema_format, field)
    return found.known and found.required


def _kind(message: Message) -> str:
    return "command" if hasattr(message, "handler") else "event"


@rule(
    "REL013",
    "entity-split-across-keys",
    family=FAMILY,
    severity="warning",
    summary="Messages about one entity that a service receives on one channel must share its"
    " partition key, or a later one can overtake an earlier one.",
    what="""
Compares the messages each service receives on each per-key channel: a message keyed by
another field than the channel's usual key for that service (the most common one; on a tie,
the key declared first), whose payload nonetheless requires that key field, is reported.
""",
    why="""
Per-key order holds only between messages with the same key. When a service receives, on one
channel, a message keyed by `loanId` and another that carries the same `loanId` but is keyed
by `memberId`, the two land on different partitions (or message groups) and are consumed in
parallel: a fine can be processed before the loan it is charged on, a release applied before
the hold.
""",
    example="""
events:
  FineCharged:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId        # notices gets BookBorrowed keyed by loanId on the same channel
    schema:
      type: object
      required: [loanId, memberId]
      properties: {loanId: {type: string}, memberId: {type: string}}
""",
    instead="""
events:
  FineCharged:
    producer: lending
    consumers: [notices]
    channel: lending.events
    # keyed like BookBorrowed, so notices handles each loan's messages in order; or make
    # notices tolerate either order (park a fine for an unknown loan until it arrives)
    key: loanId
    schema:
      type: object
      required: [loanId, memberId]
      properties: {loanId: {type: string}, memberId: {type: string}}
""",
    sources=(
        'Apache Kafka documentation, Design ("The Producer": semantic partitioning by key)',
        'AWS SQS Developer Guide, "Using the message group ID"',
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11 "Partitioned logs"',
    ),
)
def check_entity_split_across_keys(model: DesignModel) -> Iterator[Finding]:
    reported: set[str] = set()
    for (service, channel_name), messages in sorted(_received(model).items()):
        channel = model.channels.get(channel_name)
        if channel is None or channel.ordering != "per-key":
            continue
        keys = Counter(m.key for m in messages)
        usual = keys.most_common(1)[0][0]  # ties: the key declared first
        for message in messages:
            other = next((m for m in messages if m.key == usual), None)
            if message.key == usual or other is None or not _requires(message, usual):
                continue
            if message.name in reported:
                continue
            reported.add(message.name)
            yield finding(
                "REL013",
                f"{_kind(message)} '{message.name}' is keyed by {message.key}, but "
                f"{service} also receives {_kind(other)} '{other.name}' about the same "
                f"{usual} on '{channel_name}' keyed by {usual}: one can overtake the other",
                model.locate(f"{message.pointer}/key"),
                hint=f"key {message.name} by {usual}, like {other.name}",
                element=f"{_kind(message)} {message.name}",
            )
