"""Capacity rules (CAP): each channel's stated `load:` against its transport's sourced figures.

Only channels that state a load are checked; the sizing is the `capacity` command's
(eventdesign.transport.capacity), with the bundled matrix's limits and planning figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import DesignModel
    from ..transport.capacity import Sizing
    from ..transport.channel_load import ChannelLoad
    from ..transport.matrix import Figure, Matrix

FAMILY = "capacity"
SOURCE_NOTE = "Figures and sources: `grimoire capacity MODEL` and `transport --show ID`."


def _sized(model: DesignModel, matrix: Matrix) -> list[tuple[ChannelLoad, Sizing]]:
    """Every channel with a stated load and a matrix entry, sized (once per model and matrix)."""
    cached = getattr(model, "_capacity_sizings", None)
    if cached is not None and cached[0] is matrix:
        return cached[1]
    channels = model.raw.get("channels") if isinstance(model.raw, dict) else None
    sized: list[tuple[ChannelLoad, Sizing]] = []
    if isinstance(channels, dict) and any(
        isinstance(c, dict) and "load" in c for c in channels.values()
    ):
        from ..transport.capacity import size
        from ..transport.channel_load import channel_loads

        for stated in channel_loads(model.raw, matrix):
            if stated.transport is not None:
                sized.append((stated, size(stated.transport, stated.load)))
    model._capacity_sizings = (matrix, sized)  # type: ignore[attr-defined]
    return sized


def _figure(figure: Figure) -> str:
    return f"{figure.kind} {_n(figure.value)}: {figure.note}; {figure.source.url}"


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@rule(
    "CAP001",
    "partitions-below-need",
    family=FAMILY,
    needs=("matrix",),
    severity="error",
    summary="A channel declares fewer partitions (or shards) than its stated load needs.",
    what=f"""
Flags a channel with a stated `load:` that declares fewer `partitions` (Kinesis shards, Event
Hubs partitions) than the load needs: the most any one figure asks for, among the peak rate
and message size against a partition's write figures, and `load.consumer_parallelism`
against the consumers one partition serves in a group. The sizing is the `capacity`
command's.
{SOURCE_NOTE}
""",
    why="""
A partition takes a bounded write rate and is read by one consumer of a group at a time. With
too few, producers are throttled or consumers idle, and adding partitions later moves keys to
other partitions, breaking per-key order for data in flight.
""",
    example="""
channels:
  lending.events:
    partitions: 6            # 12 consumers in a group: 6 of them idle
    load: {peak_msgs_per_s: 800, message_bytes: 600, consumer_parallelism: 12}
""",
    instead="""
channels:
  lending.events:
    partitions: 12           # as `grimoire capacity` reports; or lower the stated load
    load: {peak_msgs_per_s: 800, message_bytes: 600, consumer_parallelism: 12}
""",
    sources=(
        'Jun Rao, "How to choose the number of topics/partitions in a Kafka cluster?"'
        " (Confluent, 2015),"
        " https://www.confluent.io/blog/how-choose-number-topics-partitions-kafka-cluster/",
        "Amazon Kinesis Data Streams quotas and limits,"
        " https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
    ),
)
def check_partitions(model: DesignModel, matrix: Matrix) -> Iterator[Finding]:
    for stated, sizing in _sized(model, matrix):
        if stated.partitions is None:
            continue
        for unit in sizing.units:
            needed, deciding = unit.units_needed, unit.deciding
            if not unit.unit.counted_by_partitions or needed is None or deciding is None:
                continue
            if stated.partitions < needed:
                figure = deciding.figure
                yield finding(
                    "CAP001",
                    f"channel '{stated.channel}' declares {stated.partitions} partitions; its "
                    f"load needs {needed:,} {unit.unit.plural}: {figure.name} "
                    f"{_n(deciding.demand)} / {_n(figure.value)} per {unit.unit.unit} "
                    f"({_figure(figure)})",
                    model.locate(f"{stated.pointer}/partitions"),
                    hint=f"set `partitions: {needed}` or lower the stated load",
                    element=f"channel {stated.channel}",
                )


@rule(
    "CAP002",
    "retention-below-replay-window",
    family=FAMILY,
    needs=("matrix",),
    severity="error",
    summary="A channel keeps history for less time than its stated replay window needs.",
    what=f"""
Flags a channel whose `load.replay_window` (how far back a replay must read) is longer than
what it keeps: its `retention` is shorter, its transport keeps nothing for replay or keeps at
most less, or it states no retention and the transport's default is shorter.
{SOURCE_NOTE}
""",
    why="""
A replay (a new consumer, a rebuilt read model, a bug fix reprocessing) needs the history. A
channel that has already deleted it silently starts the rebuild from the middle.
""",
    example="""
channels:
  lending.events:
    retention: 7d            # a read-model rebuild needs 30 days
    load: {peak_msgs_per_s: 50, message_bytes: 600, replay_window: 30d}
""",
    instead="""
channels:
  lending.events:
    retention: 30d           # or keep history in an archive or event store, or replay less
    load: {peak_msgs_per_s: 50, message_bytes: 600, replay_window: 30d}
""",
    sources=(
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 11 "Replaying'
        ' old messages"',
        "each transport's retention limit in the matrix",
    ),
)
def check_retention(model: DesignModel, matrix: Matrix) -> Iterator[Finding]:
    from ..transport.capacity import duration_seconds

    for stated, sizing in _sized(model, matrix):
        window = stated.replay_window_s
        if window is None:
            continue
        transport = sizing.transport
        days = window / 86400
        span = (
            "keep its history forever"
            if math.isinf(window)
            else f"replay {_n(days)} days of history"
        )
        wanted = "infinite" if math.isinf(window) else f"{_n(days)}d"
        kept = duration_seconds(stated.retention) if stated.retention else None
        ceiling = transport.max_retention_days
        if transport.replay.support == "none":
            problem = f"{transport.name} keeps nothing for replay ({transport.replay.detail})"
        elif kept is not None and kept < window:
            problem = f"its retention {stated.retention} is shorter"
        elif ceiling is not None and ceiling < days:
            problem = f"{transport.name} keeps at most {_n(ceiling)} days"
        elif kept is None and (transport.default_retention_days or 0) < days:
            default = transport.default_retention_days
            problem = "it states no retention and the default is " + (
                f"{_n(default)} days" if default else "none"
            )
        else:
            continue
        yield finding(
            "CAP002",
            f"channel '{stated.channel}' must {span}, but {problem}",
            model.locate(f"{stated.pointer}/{'retention' if stated.retention else 'load'}"),
            hint=f"set `retention: {wanted}` or longer, or keep history in an archive",
            element=f"channel {stated.channel}",
        )


@rule(
    "CAP003",
    "hot-key-over-ceiling",
    family=FAMILY,
    needs=("matrix",),
    severity="error",
    summary="The busiest key's rate is over what one key can take (shard, partition, group).",
    what=f"""
Flags a channel whose busiest key carries more than one key can take: the stated skew
(`load.hot_key_share`), or an even spread over `load.key_cardinality` keys, puts more on one
key than one partition, shard, FIFO message group or ordering key takes. Over a documented
limit it is an error; over a planning figure a warning.
{SOURCE_NOTE}
""",
    why="""
Everything for one key goes to one partition, shard, message group or ordering key, so the
busiest key is capped by one of those however many there are: that key is throttled or lags
while the rest idle.
""",
    example="""
channels:
  reading.progress:
    transport: kinesis
    partitions: 10
    ordering: per-key
    dead_letter: lending.dlq
    load: {peak_msgs_per_s: 5000, message_bytes: 200, hot_key_share: 0.4}  # 2,000/s on one book
events:
  PageReached:
    producer: lending
    consumers: [notices]
    channel: reading.progress
    key: bookId
    schema: {type: object, required: [bookId], properties: {bookId: {type: string}}}
""",
    instead="""
channels:
  reading.progress:
    transport: kinesis
    partitions: 10
    ordering: per-key
    dead_letter: lending.dlq
    load: {peak_msgs_per_s: 5000, message_bytes: 200, key_cardinality: 200000}
events:
  PageReached:
    producer: lending
    consumers: [notices]
    channel: reading.progress
    key: sessionId           # a finer key: one reader's session, not the whole book
    schema:
      type: object
      required: [sessionId, bookId]
      properties: {sessionId: {type: string}, bookId: {type: string}}
""",
    sources=(
        "Amazon Kinesis Data Streams quotas (1 MiB/s, 1,000 records/s per shard),"
        " https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html",
        "Pub/Sub quotas (1 MB/s per ordering key), https://cloud.google.com/pubsub/quotas",
        "Amazon SQS FIFO quotas (per message group partition),"
        " https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html",
    ),
)
def check_hot_key(model: DesignModel, matrix: Matrix) -> Iterator[Finding]:
    for stated, sizing in _sized(model, matrix):
        over = [c for c in sizing.key_ceilings if c.exceeded]
        if not over or sizing.key_msgs_per_s is None:
            continue
        worst = max(over, key=lambda c: c.demand / c.figure.value)
        figure = worst.figure
        yield finding(
            "CAP003",
            f"channel '{stated.channel}': the busiest key carries "
            f"{_n(sizing.key_msgs_per_s)} msgs/s, {figure.name} {_n(worst.demand)} over the "
            f"per-key {_figure(figure)}",
            model.locate(f"{stated.pointer}/load"),
            hint="choose a finer partition key, or relax ordering across sub-keys",
            element=f"channel {stated.channel}",
            severity="error" if figure.kind == "limit" else "warning",
        )


@rule(
    "CAP004",
    "channel-over-quota",
    family=FAMILY,
    needs=("matrix",),
    severity="error",
    summary="A channel's stated load is over a documented quota of its transport.",
    what=f"""
Flags a channel whose stated load is over a documented quota of its transport: one that caps
a whole topic, queue or account (EventBridge's PutEvents requests per second, an SNS FIFO
topic's messages per second, Pub/Sub's regional publish throughput), or the shards or
throughput units one account or namespace may hold.
{SOURCE_NOTE}
""",
    why="""
A load above a documented quota is throttled however the channel is partitioned: publishes
fail or queue up at exactly the peak the design was meant for.
""",
    example="""
channels:
  notices.fanout:
    transport: sns-fifo
    dead_letter: lending.dlq
    load: {peak_msgs_per_s: 5000, message_bytes: 400}   # an SNS FIFO topic takes 3,000/s
events:
  OverdueNoticeIssued:
    producer: lending
    consumers: [notices]
    channel: notices.fanout
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
channels:
  notices.fanout:            # a transport that takes the load; or a raised, adjustable quota
    transport: kafka
    broker: bus
    partitions: 6
    ordering: per-key
    dead_letter: lending.dlq
    load: {peak_msgs_per_s: 5000, message_bytes: 400}
events:
  OverdueNoticeIssued:
    producer: lending
    consumers: [notices]
    channel: notices.fanout
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=("each transport's quota page, listed with the figure (`transport --show ID`)",),
)
def check_quota(model: DesignModel, matrix: Matrix) -> Iterator[Finding]:
    for stated, sizing in _sized(model, matrix):
        for ceiling in sizing.channel_ceilings:
            if ceiling.exceeded and ceiling.figure.kind == "limit":
                yield finding(
                    "CAP004",
                    f"channel '{stated.channel}': {ceiling.figure.name} "
                    f"{_n(ceiling.demand)} is over the {_figure(ceiling.figure)}",
                    model.locate(f"{stated.pointer}/load"),
                    hint="request a quota increase if adjustable, or pick another transport "
                    "(`grimoire transport MODEL`)",
                    element=f"channel {stated.channel}",
                )
        for unit in sizing.units:
            ceiling = unit.unit.max_units
            if unit.over_max and ceiling is not None:
                yield finding(
                    "CAP004",
                    f"channel '{stated.channel}' needs {unit.units_needed:,} "
                    f"{unit.unit.plural}, over the {_figure(ceiling)}",
                    model.locate(f"{stated.pointer}/load"),
                    hint="request a quota increase if adjustable, or pick another transport",
                    element=f"channel {stated.channel}",
                )
