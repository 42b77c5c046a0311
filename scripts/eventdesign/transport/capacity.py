"""Size one channel on one transport from its stated load, with the matrix's sourced figures (pure).

Every number that decides comes from a `Figure` of the matrix (a documented limit or a vendor's
planning figure, with its source); the load comes from the model or from flags. Nothing here
knows prices: `billing_units` lists the quantities a price multiplies.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple, Optional

from .matrix import Capacity, CapacityUnit, Figure, Transport

SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)")
HOURS_PER_MONTH = 730  # 8,760 hours a year / 12, the month cloud pricing pages use
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
# Overridable names besides the planning figures of the transport's units.
COPIES = "copies"


def duration_seconds(text: str) -> float:
    """'30d' -> 2592000.0; 'infinite' -> inf. Raises ValueError on anything else."""
    if text == "infinite":
        return math.inf
    match = DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a duration such as 500ms, 30s, 5m, 2h, 7d or 2w")
    return float(match.group(1)) * SECONDS[match.group(2)]


class Load(NamedTuple):
    """What one channel carries. `msgs_per_s` is the peak the channel must take."""

    msgs_per_s: float
    message_bytes: Optional[float] = None
    message_bytes_origin: str = ""
    average_msgs_per_s: Optional[float] = None
    consumer_groups: int = 1
    consumer_parallelism: Optional[int] = None
    retention_s: Optional[float] = None
    key_cardinality: Optional[int] = None
    hot_key_share: Optional[float] = None
    replay_read_msgs_per_s: Optional[float] = None
    ordering: str = "per-key"

    @property
    def steady_msgs_per_s(self) -> float:
        """The rate storage fills at: the average when stated, else the peak."""
        return self.average_msgs_per_s or self.msgs_per_s


class Demand(NamedTuple):
    """What the load asks of one figure, and how many units that takes."""

    figure: Figure
    demand: float
    units: int


class UnitSizing(NamedTuple):
    unit: CapacityUnit
    demands: tuple[Demand, ...]
    # The demand needing the most units (the first such, limits before planning).
    deciding: Optional[Demand]

    @property
    def units_needed(self) -> Optional[int]:
        deciding = self.deciding
        return deciding.units if deciding else None

    @property
    def over_max(self) -> bool:
        needed, ceiling = self.units_needed, self.unit.max_units
        return needed is not None and ceiling is not None and needed > ceiling.value


class Ceiling(NamedTuple):
    """A load compared with one ceiling (for the whole channel, or for one key)."""

    figure: Figure
    demand: float

    @property
    def exceeded(self) -> bool:
        return self.demand > self.figure.value


class Sizing(NamedTuple):
    """One channel on one transport: bytes, units, ceilings, storage, replay, hot keys."""

    transport: Transport
    load: Load
    ingress_bytes_per_s: Optional[float]
    egress_bytes_per_s: Optional[float]
    units: tuple[UnitSizing, ...]
    channel_ceilings: tuple[Ceiling, ...]
    key_msgs_per_s: Optional[float]
    key_ceilings: tuple[Ceiling, ...]
    storage_copies: Optional[Figure]
    storage_bytes: Optional[float]
    replay_seconds: Optional[float]
    replay_rate_origin: str
    notes: tuple[str, ...] = ()

    @property
    def primary(self) -> Optional[UnitSizing]:
        return self.units[0] if self.units else None

    @property
    def deciding(self) -> Optional[Figure]:
        """The figure that decides: an exceeded channel ceiling, else the first unit's."""
        exceeded = [c for c in self.channel_ceilings if c.exceeded]
        if exceeded:
            return max(exceeded, key=lambda c: c.demand / c.figure.value).figure
        if self.primary and self.primary.deciding:
            return self.primary.deciding.figure
        return None

    @property
    def fits(self) -> bool:
        """No documented limit is exceeded (channel, per key, or the unit maximum)."""
        limits = [c for c in (*self.channel_ceilings, *self.key_ceilings) if c.exceeded]
        if any(c.figure.kind == "limit" for c in limits):
            return False
        return not any(u.over_max for u in self.units)

    def billing_units(self) -> dict[str, float]:
        """The quantities a price multiplies, per 730-hour month, without the prices."""
        steady = self.load.steady_msgs_per_s
        billed: dict[str, float] = {"messages_per_month": steady * SECONDS_PER_MONTH}
        if self.ingress_bytes_per_s is not None:
            ratio = steady / self.load.msgs_per_s
            billed["ingress_gb_per_month"] = (
                self.ingress_bytes_per_s * ratio * SECONDS_PER_MONTH / 1e9
            )
            assert self.egress_bytes_per_s is not None
            billed["egress_gb_per_month"] = (
                self.egress_bytes_per_s * ratio * SECONDS_PER_MONTH / 1e9
            )
        for sizing in self.units:
            if sizing.unit.billed_hourly and sizing.units_needed is not None:
                name = sizing.unit.unit.replace(" ", "_")
                billed[f"{name}_hours_per_month"] = sizing.units_needed * HOURS_PER_MONTH
        if self.storage_bytes is not None and math.isfinite(self.storage_bytes):
            billed["storage_gb_months"] = self.storage_bytes / 1e9
        return billed


def override_figures(transport: Transport, overrides: dict[str, float]) -> Transport:
    """The transport with planning figures replaced by the user's (limits stay as documented).

    Raises KeyError naming the overridable figures when a name is not one of them.
    """
    capacity = transport.capacity
    if not overrides or capacity is None:
        if overrides:
            raise KeyError(f"{transport.id} has no capacity figures to override")
        return transport
    known = overridable(transport)
    for name in overrides:
        if name not in known:
            raise KeyError(
                f"'{name}' is not a planning figure of {transport.id}; "
                f"overridable: {', '.join(known) or 'none'}"
            )

    def changed(figure: Figure) -> Figure:
        value = overrides.get(figure.name)
        if value is None or figure.kind != "planning":
            return figure
        note = f"overridden by you (the matrix plans with {_plain(figure.value)}: {figure.note})"
        return figure._replace(value=value, note=note)

    units = tuple(
        u._replace(figures={n: changed(f) for n, f in u.figures.items()}) for u in capacity.units
    )
    copies = capacity.storage_copies
    if COPIES in overrides:
        value = overrides[COPIES]
        if copies is None:
            raise KeyError(f"{transport.id} stores one copy as far as its quotas go")
        copies = copies._replace(value=value, note=f"overridden by you ({copies.note})")
    return transport._replace(capacity=capacity._replace(units=units, storage_copies=copies))


def overridable(transport: Transport) -> list[str]:
    """Names of the planning figures a user may override for this transport."""
    capacity = transport.capacity
    if capacity is None:
        return []
    names = [
        name
        for unit in capacity.units
        for name, figure in unit.figures.items()
        if figure.kind == "planning"
    ]
    if capacity.storage_copies is not None:
        names.append(COPIES)
    return list(dict.fromkeys(names))


def size(transport: Transport, load: Load) -> Sizing:
    """Size one channel carrying `load` on `transport`."""
    capacity = transport.capacity or Capacity((), {}, {}, "No sizing figures in the matrix.")
    ingress = load.msgs_per_s * load.message_bytes if load.message_bytes is not None else None
    egress = ingress * load.consumer_groups if ingress is not None else None
    notes: list[str] = []
    copies = capacity.storage_copies
    # Queues delete what consumers acknowledge: nothing is retained to size or replay.
    storage = _storage(load, copies) if transport.replay.support != "none" else None
    units = tuple(
        _size_unit(unit, load, ingress, egress, storage, capacity.in_memory)
        for unit in capacity.units
        if load.ordering != "none" or not unit.only_when_ordered
    )
    channel = _ceilings(capacity.channel, load.msgs_per_s, load.consumer_groups, ingress)
    key_rate = _key_rate(load)
    key_ceilings: list[Ceiling] = []
    if key_rate is not None:
        key_ingress = key_rate * load.message_bytes if load.message_bytes is not None else None
        key_ceilings.extend(_ceilings(capacity.key, key_rate, 1, key_ingress))
        for unit in capacity.units:
            if unit.key_on_one_unit:
                per_unit = {n: f for n, f in unit.figures.items() if n.startswith("write_")}
                key_ceilings.extend(_ceilings(per_unit, key_rate, 1, key_ingress))
    for sizing in units:
        cardinality = load.key_cardinality
        needed = sizing.units_needed
        if sizing.unit.key_on_one_unit and cardinality and needed and cardinality < needed:
            notes.append(
                f"only {cardinality:,} distinct keys: at most {cardinality:,} of the "
                f"{needed:,} {sizing.unit.plural} carry traffic"
            )
    if load.ordering == "global":
        notes.append("global order: every message goes to one key, so one unit carries it all")
    replay_seconds, origin = _replay(load, units, storage is not None)
    if capacity.in_memory and storage is not None:
        notes.append("retention is held in memory: storage is RAM, not disk")
    return Sizing(
        transport=transport,
        load=load,
        ingress_bytes_per_s=ingress,
        egress_bytes_per_s=egress,
        units=units,
        channel_ceilings=tuple(channel),
        key_msgs_per_s=key_rate,
        key_ceilings=tuple(key_ceilings),
        storage_copies=copies,
        storage_bytes=storage,
        replay_seconds=replay_seconds,
        replay_rate_origin=origin,
        notes=tuple(notes),
    )


def _storage(load: Load, copies: Optional[Figure]) -> Optional[float]:
    if load.retention_s is None or load.message_bytes is None:
        return None
    if math.isinf(load.retention_s):
        return math.inf
    factor = copies.value if copies is not None else 1
    return load.steady_msgs_per_s * load.message_bytes * load.retention_s * factor


def _size_unit(
    unit: CapacityUnit,
    load: Load,
    ingress: Optional[float],
    egress: Optional[float],
    storage: Optional[float],
    in_memory: bool,
) -> UnitSizing:
    wanted: dict[str, Optional[float]] = {
        "write_bytes_per_s": ingress,
        "write_records_per_s": load.msgs_per_s,
        "read_bytes_per_s": egress,
        "consumers_per_group": load.consumer_parallelism,
        "memory_bytes": storage if in_memory else None,
    }
    demands = []
    for name, figure in unit.figures.items():
        demand = wanted.get(name)
        if demand is None or math.isinf(demand):
            continue
        demands.append(Demand(figure, demand, max(1, math.ceil(demand / figure.value))))
    deciding = max(demands, key=lambda d: (d.units, d.figure.kind == "limit"), default=None)
    return UnitSizing(unit, tuple(demands), deciding)


def _ceilings(
    figures: dict[str, Figure], msgs_per_s: float, consumer_groups: int, ingress: Optional[float]
) -> list[Ceiling]:
    if not figures:
        return []
    wanted: dict[str, Optional[float]] = {
        "write_bytes_per_s": ingress,
        "write_records_per_s": msgs_per_s,
        "deliveries_per_s": msgs_per_s * consumer_groups,
    }
    return [
        Ceiling(figure, demand)
        for name, figure in figures.items()
        if (demand := wanted.get(name)) is not None
    ]


def _key_rate(load: Load) -> Optional[float]:
    """The busiest key's rate: everything under global order, else the stated hot-key share,
    else an even spread over the keys."""
    if load.ordering == "global":
        return load.msgs_per_s
    if load.hot_key_share is not None:
        return load.msgs_per_s * load.hot_key_share
    if load.key_cardinality:
        return load.msgs_per_s / load.key_cardinality
    return None


def _replay(
    load: Load, units: tuple[UnitSizing, ...], has_storage: bool
) -> tuple[Optional[float], str]:
    """Seconds to re-read everything retained, and where the read rate came from."""
    if not has_storage or load.retention_s is None or math.isinf(load.retention_s):
        return None, ""
    retained = load.steady_msgs_per_s * load.retention_s
    if load.replay_read_msgs_per_s:
        return retained / load.replay_read_msgs_per_s, (
            f"stated read rate {_plain(load.replay_read_msgs_per_s)} msgs/s"
        )
    for sizing in units:
        read = sizing.unit.figures.get("read_bytes_per_s")
        if read is not None and sizing.units_needed and load.message_bytes:
            rate = sizing.units_needed * read.value / load.message_bytes
            return retained / rate, (
                f"{sizing.units_needed:,} {sizing.unit.plural} x {_plain(read.value)} B/s "
                f"{read.kind} read, shared by every consumer"
            )
    return None, ""


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"
