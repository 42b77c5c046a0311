"""Advice and matrix entries as compact text or JSON (strings only; the command prints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..render.json_text import json_text
from .advisor import Advice, Candidate
from .matrix import MATRIX_PATH, Matrix, Transport
from .per_channel import ChannelAdvice

NEED_LABELS = {
    "ordering": "ordering",
    "replay": "replay",
    "retention_days": "retention days",
    "throughput_msgs_per_s": "throughput msgs/s",
    "max_message_kb": "max message KiB",
    "message_bytes": "message bytes",
    "latency_ms": "latency target ms",
    "consumer_groups": "consumer groups",
    "incumbent": "incumbent",
    "fan_out": "fan-out",
    "dead_letter": "dead-lettering",
    "transactions": "transactions",
    "broker_dedup": "publish deduplication",
    "durable": "durable",
    "hosting": "hosting",
    "cloud": "cloud",
    "single_process": "single process",
}


def advice_text(
    advice: Advice, matrix: Matrix, detailed: int = 5, every_reason: bool = True
) -> str:
    """The needs, the ranked fits (the first `detailed` in full), and every exclusion (with
    every reason, or the first of each)."""
    lines = [_needs_line(advice)]
    if advice.candidates:
        lines.append(f"Fits ({len(advice.candidates)}), best first:")
        for rank, candidate in enumerate(advice.candidates, 1):
            if rank <= detailed:
                lines.extend(_candidate_lines(rank, candidate))
            else:
                caveats = len(candidate.caveats)
                lines.append(
                    f"  {rank}. {candidate.transport.name} [{candidate.transport.id}] "
                    f"score {candidate.score}, {caveats} caveat{'' if caveats == 1 else 's'}"
                )
    else:
        lines.append("No transport meets every need; relax one of the needs named below.")
    if advice.excluded:
        lines.append(f"Ruled out ({len(advice.excluded)}):")
        for exclusion in advice.excluded:
            name = f"  - {exclusion.transport.name} [{exclusion.transport.id}]:"
            if every_reason:
                lines.append(name)
                lines.extend(f"      {reason}" for reason in exclusion.reasons)
            else:
                more = len(exclusion.reasons) - 1
                extra = f" (+{more} more)" if more else ""
                lines.append(f"{name} {exclusion.reasons[0]}{extra}")
    # The bundled matrix is named, not located: its path differs between installs.
    data = "the bundled matrix" if Path(matrix.path) == MATRIX_PATH else str(matrix.path)
    lines.append(
        f"Data: {data} (sources accessed {matrix.accessed}); "
        "`transport --show ID` explains an entry and lists its sources; "
        "`--top N` details more fits."
    )
    return "\n".join(lines) + "\n"


def groups_text(groups: list[ChannelAdvice], matrix: Matrix, detailed: int = 3) -> str:
    """Advice per group of channels with the same needs."""
    parts = []
    for group in groups:
        names = ", ".join(group.channels)
        plural = "s" if len(group.channels) > 1 else ""
        text = advice_text(group.advice, matrix, detailed, every_reason=False)
        parts.append(f"== Channel{plural} {names}\n{text}")
    return "\n".join(parts)


def _needs_line(advice: Advice) -> str:
    stated = advice.needs.stated()
    if not stated:
        return "Needs: none stated (every durable cross-process transport fits)."
    parts = []
    for name, value in stated.items():
        label = NEED_LABELS[name]
        if isinstance(value, tuple):
            value = ", ".join(value)
        shown = label if value is True else f"{label} {_plain(value)}"
        origin = advice.needs.origins.get(name)
        parts.append(f"{shown} ({origin})" if origin else shown)
    return "Needs: " + "; ".join(parts)


def _candidate_lines(rank: int, candidate: Candidate) -> list[str]:
    transport = candidate.transport
    lines = [f"  {rank}. {transport.name} [{transport.id}] score {candidate.score}"]
    if candidate.fits:
        lines.append(f"     meets: {', '.join(candidate.fits)}")
    lines.extend(f"     caveat: {caveat}" for caveat in candidate.caveats)
    lines.append(
        f"     hosting: {_hosting(transport)}; operating burden {candidate.burden} here "
        f"({burden_text(transport)})"
    )
    if candidate.switch_cost:
        lines.append(f"     switch: {candidate.switch_cost}")
    lines.append(f"     + {' '.join(transport.strengths)}")
    lines.append(f"     - {' '.join(transport.weaknesses)}")
    return lines


def _hosting(transport: Transport) -> str:
    parts = [
        f"{m.offering} ({m.cloud}{'' if m.first_party else ', third party'})"
        for m in transport.managed
    ]
    if transport.self_run:
        parts.insert(0, "self-run")
    return ", ".join(parts)


def burden_text(transport: Transport) -> str:
    """'high self-run, low managed': the burden for each way of hosting it."""
    words = {"self_run": "self-run", "managed": "managed"}
    return ", ".join(f"{level} {words[how]}" for how, level in transport.ops_burden.items())


def capacity_lines(transport: Transport) -> list[str]:
    """Every sizing figure of an entry, with its kind and source."""
    capacity = transport.capacity
    if capacity is None:
        return ["capacity: no sourced sizing figures"]
    lines = []
    for unit in capacity.units:
        for figure in (*unit.figures.values(), unit.max_units):
            if figure is not None:
                lines.append(_figure_line(f"per {unit.unit}", figure))
    for scope, figures in (("per key", capacity.key), ("per channel", capacity.channel)):
        lines.extend(_figure_line(scope, figure) for figure in figures.values())
    for scope, figure in (("storage", capacity.storage_copies), ("latency", capacity.latency_ms)):
        if figure is not None:
            lines.append(_figure_line(scope, figure))
    lines.append(f"storage accounting: {capacity.storage_accounting}")
    return lines


def _figure_line(scope: str, figure) -> str:
    return (
        f"{scope} {figure.name} = {_plain(float(figure.value))} ({figure.kind}; {figure.note}; "
        f"{figure.source.url}, accessed {figure.source.accessed})"
    )


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def advice_json(advice: Advice, matrix: Matrix, groups: list[ChannelAdvice] = ()) -> str:
    document = advice_record(advice)
    if groups:
        document["channel_groups"] = [
            {"channels": list(group.channels), **advice_record(group.advice, profile=False)}
            for group in groups
        ]
    document["matrix"] = {"path": matrix.path, "accessed": matrix.accessed}
    return json_text(document, ensure_ascii=True) + "\n"


def advice_record(advice: Advice, profile: bool = True) -> dict[str, Any]:
    """One advice as JSON data: needs with their origins, ranked fits, exclusions. Without
    `profile`, fits leave out what is the same for every channel (strengths, weaknesses,
    hosting: `transport --show ID` has them)."""
    return {
        "needs": advice.needs.stated(),
        "need_origins": dict(advice.needs.origins),
        "fits": [_fit_record(rank, c, profile) for rank, c in enumerate(advice.candidates, 1)],
        "excluded": [
            {"id": e.transport.id, "name": e.transport.name, "reasons": list(e.reasons)}
            for e in advice.excluded
        ],
    }


def _fit_record(rank: int, candidate: Candidate, profile: bool) -> dict[str, Any]:
    """One fit; the transport's profile only with `profile` (keys in their usual order)."""
    transport = candidate.transport
    record: dict[str, Any] = {
        "rank": rank,
        "id": transport.id,
        "name": transport.name,
        "model_transport": transport.model_transport,
        "score": candidate.score,
        "meets": list(candidate.fits),
        "caveats": list(candidate.caveats),
    }
    if profile:
        record["strengths"] = list(transport.strengths)
        record["weaknesses"] = list(transport.weaknesses)
        record["ops_burden"] = dict(transport.ops_burden)
    record["burden"] = candidate.burden
    record["switch_cost"] = candidate.switch_cost
    if profile:
        record["hosting"] = _hosting(transport)
    return record


def transport_text(transport: Transport) -> str:
    """One matrix entry in full, with its sources."""
    rows = [
        f"{transport.name} [{transport.id}] ({transport.kind}; model transport "
        f"'{transport.model_transport}')",
        f"  {transport.summary}",
        f"  hosting: {_hosting(transport)}; operating burden {burden_text(transport)}",
        f"  ordering: per-key {transport.per_key_ordering}, global {transport.global_ordering}. "
        f"{transport.ordering_detail}",
        f"  delivery: {transport.delivery_guarantee}. {transport.delivery_detail}",
    ]
    for label, capability in (
        ("publish deduplication", transport.broker_dedup),
        ("replay", transport.replay),
        ("fan-out", transport.fan_out),
        ("dead-lettering", transport.dead_letter),
        ("transactions", transport.transactions),
        ("durability", transport.durability),
    ):
        rows.append(f"  {label}: {capability.support}. {capability.detail}")
    rows.append(f"  throughput: {transport.throughput_detail}")
    rows.extend(f"  {line}" for line in capacity_lines(transport))
    rows.append(f"  message size: {transport.message_size_detail}")
    rows.append("  sources:")
    rows.extend(
        f"    - {s.title}: {s.url} (accessed {s.accessed}; {', '.join(s.covers)})"
        for s in transport.sources
    )
    return "\n".join(rows) + "\n"


def transport_json(transport: Transport) -> str:
    return json.dumps(_as_data(transport), indent=2, allow_nan=False) + "\n"


def _as_data(value: Any) -> Any:
    """A matrix entry as JSON data: each record an object of its fields, in order."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: _as_data(getattr(value, name)) for name in value._fields}
    if isinstance(value, (tuple, list)):
        return [_as_data(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_data(item) for key, item in value.items()}
    return value
