"""Each channel's stated load in a design model: its `load:` section, retention and consumers.

Reads the raw model (already validated against the model's JSON Schema by the caller, or
checked here for the few things the schema cannot say). The message size is stated
(`load.message_bytes`) or derived from the largest example of the messages on the channel.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Optional

from ..pointer import escape_token
from .capacity import Load, duration_seconds
from .matrix import Matrix, Transport
from .schema_size import estimated_bytes


class ChannelLoad(NamedTuple):
    """One channel with a stated load, and what else its sizing and checks need."""

    channel: str
    pointer: str
    transport: Optional[Transport]
    model_transport: str
    load: Load
    partitions: Optional[int]
    retention: Optional[str]
    replay_window_s: Optional[float]
    latency_ms: Optional[float]
    ordering: str


def transport_for(matrix: Matrix, model_transport: str) -> Optional[Transport]:
    """The matrix entry a model transport value stands for (the first, for RabbitMQ queues)."""
    for transport in matrix.transports:
        if transport.model_transport == model_transport or transport.id == model_transport:
            return transport
    return None


def channel_loads(data: Any, matrix: Matrix) -> list[ChannelLoad]:
    """Every channel of the model that states a `load:`, in model order."""
    if not isinstance(data, dict) or not isinstance(data.get("channels"), dict):
        return []
    carried = messages_by_channel(data)
    loads = []
    for name, channel in data["channels"].items():
        if not isinstance(channel, dict) or not isinstance(channel.get("load"), dict):
            continue
        stated = channel["load"]
        messages = carried.get(name, [])
        size, origin = message_size(stated, messages)
        retention = channel.get("retention")
        window = stated.get("replay_window")
        loads.append(
            ChannelLoad(
                channel=name,
                pointer="/channels/" + escape_token(name),
                transport=transport_for(matrix, channel.get("transport", "")),
                model_transport=channel.get("transport", ""),
                load=Load(
                    msgs_per_s=float(stated["peak_msgs_per_s"]),
                    message_bytes=size,
                    message_bytes_origin=origin,
                    average_msgs_per_s=stated.get("average_msgs_per_s"),
                    consumer_groups=max(1, len(consumer_groups(messages))),
                    consumer_parallelism=stated.get("consumer_parallelism"),
                    retention_s=duration_seconds(retention) if retention else None,
                    key_cardinality=stated.get("key_cardinality"),
                    hot_key_share=stated.get("hot_key_share"),
                    replay_read_msgs_per_s=stated.get("replay_read_msgs_per_s"),
                    ordering=channel.get("ordering") or strongest_ordering(messages),
                ),
                partitions=channel.get("partitions"),
                retention=retention,
                replay_window_s=duration_seconds(window) if window else None,
                latency_ms=stated.get("latency_ms"),
                ordering=channel.get("ordering") or strongest_ordering(messages),
            )
        )
    return loads


def messages_by_channel(data: dict) -> dict[str, list[tuple[str, dict]]]:
    """Channel name -> (kind, spec) of the events and commands it carries."""
    carried: dict[str, list[tuple[str, dict]]] = {}
    for kind in ("events", "commands"):
        section = data.get(kind)
        if not isinstance(section, dict):
            continue
        for spec in section.values():
            if isinstance(spec, dict) and isinstance(spec.get("channel"), str):
                carried.setdefault(spec["channel"], []).append((kind, spec))
    return carried


def consumer_groups(messages: list[tuple[str, dict]]) -> set[str]:
    """Services reading the channel: each is one consumer group (one copy of every message)."""
    groups: set[str] = set()
    for kind, spec in messages:
        if kind == "commands" and isinstance(spec.get("handler"), str):
            groups.add(spec["handler"])
        for consumer in spec.get("consumers") or []:
            service = consumer.get("service") if isinstance(consumer, dict) else consumer
            if isinstance(service, str):
                groups.add(service)
    return groups


def message_size(stated: dict, messages: list[tuple[str, dict]]) -> tuple[Optional[float], str]:
    if stated.get("message_bytes") is not None:
        return float(stated["message_bytes"]), "stated"
    largest, source = 0, ""
    for _kind, spec in messages:
        for example in spec.get("examples") or []:
            size = len(json.dumps(example, separators=(",", ":"), ensure_ascii=False).encode())
            if size > largest:
                largest, source = size, "the largest example payload, as compact JSON"
    if largest:
        return float(largest), f"derived: {source} (add the envelope if it travels too)"
    estimates = [estimated_bytes(spec.get("schema")) for _kind, spec in messages]
    known = [size for size in estimates if size is not None]
    if known:
        return float(max(known)), (
            "estimated from the inline payload schema (every property, typical string "
            "lengths); state message_bytes or add examples"
        )
    return None, ""


def strongest_ordering(messages: list[tuple[str, dict]]) -> str:
    order = ("none", "per-key", "global")
    strongest = "none"
    for _kind, spec in messages:
        ordering = spec.get("ordering")
        if ordering in order and order.index(ordering) > order.index(strongest):
            strongest = ordering
    return strongest
