"""Needs per channel, and advice per group of channels with the same needs (pure).

A channel's needs come from what it carries and states: its ordering (or its messages'), its
retention and replay window, its `load:` (rate, message size, latency target) and how many
services read it (fan-out). Commands on a FIFO queue and a replayable event stream in the
same system so get different answers. System-wide needs (`transport_needs:`, the incumbent)
apply underneath; flags still win.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .advisor import Advice, advise
from .capacity import duration_seconds
from .channel_load import consumer_groups, message_size, messages_by_channel, strongest_ordering
from .matrix import Matrix
from .needs import Needs, layered


class ChannelAdvice(NamedTuple):
    """Advice for channels that share the same needs."""

    channels: tuple[str, ...]
    needs: Needs
    advice: Advice


def channel_values(
    data: dict, name: str, carried: dict[str, list[tuple[str, dict]]]
) -> list[tuple[dict[str, Any], str]]:
    """The needs one channel states or implies, each group with where it came from.
    `carried` is `messages_by_channel(data)`."""
    channel = data["channels"][name]
    messages = carried.get(name, [])
    derived: list[tuple[dict[str, Any], str]] = []
    ordering = channel.get("ordering") or strongest_ordering(messages)
    if ordering != "none":
        derived.append(({"ordering": ordering}, f"channel {name} ordering"))
    groups = consumer_groups(messages)
    if len(groups) > 1:
        why = f"{len(groups)} services read channel {name}"
        derived.append(({"fan_out": True, "consumer_groups": float(len(groups))}, why))
    retention = channel.get("retention")
    load = channel.get("load") if isinstance(channel.get("load"), dict) else {}
    windows = [w for w in (retention, load.get("replay_window")) if w]
    if windows:
        seconds = max(duration_seconds(w) for w in windows)
        if seconds == float("inf"):
            derived.append(({"replay": True}, f"channel {name} keeps history forever"))
        else:
            days = seconds / 86400
            derived.append(({"retention_days": days}, f"channel {name} retention/replay window"))
    stated: dict[str, Any] = {}
    if "peak_msgs_per_s" in load:
        stated["throughput_msgs_per_s"] = float(load["peak_msgs_per_s"])
    size, _origin = message_size(load, messages)
    if size is not None:
        stated["message_bytes"] = size
    if "latency_ms" in load:
        stated["latency_ms"] = float(load["latency_ms"])
    if stated:
        derived.append((stated, f"channel {name} load"))
    return derived


def advise_channels(
    matrix: Matrix,
    data: Any,
    below: list[tuple[dict[str, Any], str]],
    above: list[tuple[dict[str, Any], str]],
) -> list[ChannelAdvice]:
    """Advice per group of channels with equal needs, in model order.

    `below` are system-wide layers applied first (the incumbent, `transport_needs:`); `above`
    are applied last (flags).
    """
    channels = data.get("channels") if isinstance(data, dict) else None
    if not isinstance(channels, dict):
        return []
    groups: dict[tuple, tuple[list[str], Needs]] = {}
    carried = messages_by_channel(data)
    for name, channel in channels.items():
        if not isinstance(channel, dict):
            continue
        needs = layered([*below, *channel_values(data, name, carried), *above])
        key = tuple(sorted(needs.stated().items()))
        groups.setdefault(key, ([], needs))[0].append(name)
    return [
        ChannelAdvice(tuple(names), needs, advise(matrix, needs))
        for names, needs in groups.values()
    ]
