"""Channel sizings as compact text or JSON (strings only; the command prints)."""

from __future__ import annotations

import json
import math
from typing import Any, Optional

from .capacity import Ceiling, Demand, Sizing
from .matrix import Figure, Source

# What each figure's demand is measured in, for the arithmetic shown.
UNITS_OF = {
    "write_bytes_per_s": "B/s in",
    "write_records_per_s": "msgs/s in",
    "read_bytes_per_s": "B/s out",
    "consumers_per_group": "consumers",
    "memory_bytes": "B retained",
    "deliveries_per_s": "deliveries/s",
}


def sizings_text(named: list[tuple[str, Sizing]]) -> str:
    """One block per channel, then the numbered sources every figure points to."""
    sources: list[Source] = []
    lines: list[str] = []
    for channel, sizing in named:
        lines.extend(_channel_lines(channel, sizing, sources))
    sources = [s for s in sources if isinstance(s, Source)]
    if sources:
        lines.append("Sources:")
        lines.extend(
            f"  [{n}] {s.title}: {s.url} (accessed {s.accessed})" for n, s in enumerate(sources, 1)
        )
    sources = [s for s in sources if isinstance(s, Source)]
    lines.append(
        "Figures: limit = documented quota; planning = vendor sizing figure "
        "(override with --planning NAME=VALUE). No prices: price the billing units."
    )
    return "\n".join(lines) + "\n"


def _ref(figure: Figure, sources: list[Source]) -> str:
    numbered = [s for s in sources if isinstance(s, Source)]
    if figure.source not in numbered:
        sources.append(figure.source)
        numbered.append(figure.source)
    return f"[{numbered.index(figure.source) + 1}]"


def _said(figure: Figure, sources: list) -> str:
    """': note' the first time a figure is shown, '' after (the note is in the output once)."""
    key = ("said", figure.name, figure.source.url, figure.value)
    if key in sources:
        return ""
    sources.append(key)
    return f": {figure.note}"


def _channel_lines(channel: str, sizing: Sizing, sources: list[Source]) -> list[str]:
    load, transport = sizing.load, sizing.transport
    lines = [f"{channel}: {transport.name} [{transport.id}]"]
    size = (
        f"{_n(load.message_bytes)} B ({load.message_bytes_origin})"
        if load.message_bytes is not None
        else "size unknown (state message_bytes or add examples)"
    )
    lines.append(f"  load: {_n(load.msgs_per_s)} msgs/s peak x {size}")
    if sizing.ingress_bytes_per_s is not None:
        assert sizing.egress_bytes_per_s is not None
        lines.append(
            f"  ingress {_bytes(sizing.ingress_bytes_per_s)}/s; egress "
            f"{_bytes(sizing.egress_bytes_per_s)}/s = ingress x {load.consumer_groups} "
            f"consumer group{'' if load.consumer_groups == 1 else 's'}"
        )
    if not sizing.units:
        if transport.self_run:
            lines.append(
                "  units: no sourced per-unit figure in the matrix; measure before committing "
                f"({transport.throughput_detail})"
            )
        else:
            lines.append(f"  units: none to provision ({transport.throughput_detail})")
    for unit_sizing in sizing.units:
        unit = unit_sizing.unit
        needed = unit_sizing.units_needed
        if needed is None:
            lines.append(f"  {unit.plural}: no figure applies to the stated load")
            continue
        deciding = unit_sizing.deciding
        assert deciding is not None
        lines.append(f"  {unit.plural}: {needed:,} needed, decided by {deciding.figure.name}")
        for demand in unit_sizing.demands:
            lines.append("    " + _demand(demand, unit.unit, sources))
        if unit.max_units is not None:
            verdict = "OVER" if unit_sizing.over_max else "within"
            lines.append(
                f"    {verdict} the {unit.max_units.kind} of {_n(unit.max_units.value)} "
                f"{unit.plural} {_ref(unit.max_units, sources)} ({unit.max_units.note})"
            )
    for ceiling in sizing.channel_ceilings:
        lines.append("  channel " + _ceiling(ceiling, sources))
    if sizing.key_msgs_per_s is not None:
        if load.ordering == "global":
            share = "global order: all of it"
        elif load.hot_key_share is not None:
            share = f"{_n(load.hot_key_share * 100)}% of the traffic"
        else:
            share = f"even over {load.key_cardinality or 1:,} keys"
        lines.append(f"  hot key: {_n(sizing.key_msgs_per_s)} msgs/s on the busiest key ({share})")
        for ceiling in sizing.key_ceilings:
            lines.append("    per key " + _ceiling(ceiling, sources))
    lines.extend(_storage_lines(sizing, sources))
    if sizing.replay_seconds is not None:
        lines.append(
            f"  full replay: {_duration(sizing.replay_seconds)} at {sizing.replay_rate_origin}"
        )
    lines.extend(f"  note: {note}" for note in sizing.notes)
    billed = ", ".join(f"{k} {_n(v)}" for k, v in sizing.billing_units().items())
    lines.append(f"  billing units: {billed}")
    return lines


def _demand(demand: Demand, unit: str, sources: list[Source]) -> str:
    figure = demand.figure
    return (
        f"{figure.name}: {_n(demand.demand)} {UNITS_OF[figure.name]} / {_n(figure.value)} per "
        f"{unit} = {demand.units:,} ({figure.kind} {_ref(figure, sources)}"
        f"{_said(figure, sources)})"
    )


def _ceiling(ceiling: Ceiling, sources: list[Source]) -> str:
    figure = ceiling.figure
    verdict = "OVER" if ceiling.exceeded else "within"
    return (
        f"{figure.name}: {_n(ceiling.demand)} {UNITS_OF[figure.name]}, {verdict} the "
        f"{figure.kind} of {_n(figure.value)} {_ref(figure, sources)}{_said(figure, sources)}"
    )


def _storage_lines(sizing: Sizing, sources: list[Source]) -> list[str]:
    load = sizing.load
    if sizing.transport.replay.support == "none":
        return [f"  storage: nothing kept for replay ({sizing.transport.replay.detail})"]
    if sizing.storage_bytes is None:
        why = "no retention stated" if load.retention_s is None else "message size unknown"
        return [f"  storage: not computed ({why})"]
    if math.isinf(sizing.storage_bytes):
        return ["  storage: unbounded (retention is infinite)"]
    copies = sizing.storage_copies
    factor = (
        f" x {_n(copies.value)} copies ({copies.kind} {_ref(copies, sources)}"
        f"{_said(copies, sources)})"
        if copies is not None
        else ""
    )
    lines = [
        f"  storage: {_bytes(sizing.storage_bytes)} = {_n(load.steady_msgs_per_s)} msgs/s x "
        f"{_n(load.message_bytes or 0)} B x {_duration(load.retention_s or 0)}{factor}",
    ]
    if sizing.transport.capacity:
        lines.append(f"    {sizing.transport.capacity.storage_accounting}")
    return lines


def sizings_json(named: list[tuple[str, Sizing]]) -> str:
    records = [sizing_record(c, s) for c, s in named]
    return json.dumps({"channels": records}, indent=2, allow_nan=False) + "\n"


def sizing_record(channel: str, sizing: Sizing) -> dict[str, Any]:
    """The JSON record of one channel's sizing."""
    primary = sizing.primary
    deciding = sizing.deciding
    return {
        "channel": channel,
        "transport": sizing.transport.id,
        "unit": primary.unit.unit if primary else None,
        "units_needed": primary.units_needed if primary else None,
        "deciding_limit": _figure(deciding) if deciding else None,
        "fits": sizing.fits,
        "msgs_per_s": sizing.load.msgs_per_s,
        "message_bytes": sizing.load.message_bytes,
        "message_bytes_origin": sizing.load.message_bytes_origin,
        "consumer_groups": sizing.load.consumer_groups,
        "ingress_bytes_per_s": sizing.ingress_bytes_per_s,
        "egress_bytes_per_s": sizing.egress_bytes_per_s,
        "storage_bytes": _finite(sizing.storage_bytes),
        "storage_copies": sizing.storage_copies.value if sizing.storage_copies else None,
        "replay_seconds": sizing.replay_seconds,
        "units": [
            {
                "unit": u.unit.unit,
                "units_needed": u.units_needed,
                "max_units": _figure(u.unit.max_units) if u.unit.max_units else None,
                "demands": [
                    {**_figure(d.figure), "demand": d.demand, "units": d.units} for d in u.demands
                ],
            }
            for u in sizing.units
        ],
        "channel_ceilings": [_ceiling_record(c) for c in sizing.channel_ceilings],
        "hot_key_msgs_per_s": sizing.key_msgs_per_s,
        "key_ceilings": [_ceiling_record(c) for c in sizing.key_ceilings],
        "billing_units": sizing.billing_units(),
        "notes": list(sizing.notes),
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "name": figure.name,
        "kind": figure.kind,
        "value": figure.value,
        "note": figure.note,
        "source": figure.source.url,
        "accessed": figure.source.accessed,
    }


def _ceiling_record(ceiling: Ceiling) -> dict[str, Any]:
    return {**_figure(ceiling.figure), "demand": ceiling.demand, "exceeded": ceiling.exceeded}


def _finite(value: Optional[float]) -> Optional[float]:
    return None if value is None or math.isinf(value) else value


def _n(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _bytes(value: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:,.2f} {unit}"
    return f"{value:,.0f} B"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.1f} s"
