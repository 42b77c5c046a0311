"""Rule transports out against stated needs, with the reason, and rank the rest (pure)."""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from .capacity import Load, Sizing, size
from .matrix import Capability, Matrix, Transport
from .needs import Needs

OPS_PENALTY = {"low": 0, "medium": 1, "high": 2}
INCUMBENT_BONUS = 3


class Candidate(NamedTuple):
    """A transport that meets every need, with its score and the caveats of partial support."""

    transport: Transport
    score: int
    fits: tuple[str, ...]
    caveats: tuple[str, ...]
    burden: str = "low"
    switch_cost: str = ""


class Exclusion(NamedTuple):
    """A transport ruled out, with every reason."""

    transport: Transport
    reasons: tuple[str, ...]


class Advice(NamedTuple):
    needs: Needs
    candidates: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...]


class _Verdict:
    """One transport's checks so far; the load the needs state, sized once on demand."""

    __slots__ = ("caveats", "fits", "load", "reasons", "sizing")

    def __init__(self, load: Optional[Load]) -> None:
        self.fits: list[str] = []
        self.caveats: list[str] = []
        self.reasons: list[str] = []
        self.load = load
        self.sizing: Optional[Sizing] = None


Check = Callable[[Transport, Needs, _Verdict], None]


def advise(matrix: Matrix, needs: Needs) -> Advice:
    """Every transport either fits (ranked best first) or is excluded with its reasons."""
    candidates: list[tuple[int, int, Candidate]] = []
    excluded: list[Exclusion] = []
    load = _load(needs)
    for position, transport in enumerate(matrix.transports):
        verdict = _Verdict(load)
        for check in CHECKS:
            check(transport, needs, verdict)
        if verdict.reasons:
            excluded.append(Exclusion(transport, tuple(verdict.reasons)))
            continue
        burden = _burden(transport, needs)
        score = _score(transport, needs, len(verdict.caveats), burden)
        candidate = Candidate(
            transport,
            score,
            tuple(verdict.fits),
            tuple(verdict.caveats),
            burden,
            _switch_cost(transport, needs),
        )
        candidates.append((-score, position, candidate))
    ranked = tuple(candidate for _, _, candidate in sorted(candidates, key=lambda c: c[:2]))
    return Advice(needs, ranked, tuple(excluded))


def _feature(
    capability: Capability, wanted: bool, label: str, verdict: _Verdict, missing: str
) -> None:
    if not wanted:
        return
    if capability.support == "none":
        verdict.reasons.append(f"{missing}: {capability.detail}")
    elif capability.support == "partial":
        verdict.caveats.append(f"{label} (partial): {capability.detail}")
    else:
        verdict.fits.append(label)


def _check_process(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    if transport.kind == "in-process" and not needs.single_process:
        verdict.reasons.append(
            "works only inside one process; pass --single-process (or single_process: true) "
            "if every producer and consumer runs in the same process"
        )


def _check_ordering(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    if needs.ordering == "none":
        return
    support = (
        transport.per_key_ordering if needs.ordering == "per-key" else transport.global_ordering
    )
    label = f"{needs.ordering} ordering"
    if support == "none":
        verdict.reasons.append(f"no {label}: {transport.ordering_detail}")
    elif support == "partial":
        verdict.caveats.append(f"{label} (partial): {transport.ordering_detail}")
    else:
        verdict.fits.append(label)


def _check_replay(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    wanted = needs.replay or needs.retention_days is not None
    _feature(transport.replay, wanted, "replay", verdict, "no replay")
    if needs.retention_days is None or transport.replay.support == "none":
        return
    ceiling = transport.max_retention_days
    if ceiling is not None and ceiling < needs.retention_days:
        verdict.reasons.append(
            f"keeps history at most {_number(ceiling)} days, under the "
            f"{_number(needs.retention_days)} needed: {transport.replay.detail}"
        )
    elif transport.capacity is not None and transport.capacity.in_memory:
        _check_memory_retention(transport, needs, verdict)
    else:
        verdict.fits.append(f"retention of {_number(needs.retention_days)} days")


def _check_memory_retention(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    """Retention held in RAM: the retained bytes against one unit's memory."""
    days = needs.retention_days
    assert days is not None
    if needs.throughput_msgs_per_s is None or needs.message_bytes is None:
        verdict.caveats.append(
            f"retention of {_number(days)} days is held in memory; state throughput and "
            "message size to check it fits"
        )
        return
    sizing = _sizing(transport, verdict)
    for unit in sizing.units:
        for demand in unit.demands:
            if demand.figure.name == "memory_bytes" and demand.units > 1:
                verdict.reasons.append(
                    f"retention is held in memory: {_number(needs.throughput_msgs_per_s)} "
                    f"msgs/s x {_number(needs.message_bytes)} B x {_number(days)} days = "
                    f"{_gb(demand.demand)} of RAM, {demand.units:,} times the "
                    f"{_gb(demand.figure.value)} one {unit.unit.unit} can hold "
                    f"({demand.figure.kind}: {demand.figure.note})"
                )
                return
    verdict.fits.append(f"retention of {_number(days)} days in memory")


def _load(needs: Needs) -> Optional[Load]:
    """The load the needs state, for sizing each transport; None without a rate."""
    if needs.throughput_msgs_per_s is None:
        return None
    retention = needs.retention_days * 86400 if needs.retention_days is not None else None
    return Load(
        msgs_per_s=needs.throughput_msgs_per_s,
        message_bytes=needs.message_bytes,
        retention_s=retention,
        consumer_groups=int(needs.consumer_groups or 1),
        ordering=needs.ordering,
    )


def _sizing(transport: Transport, verdict: _Verdict) -> Sizing:
    if verdict.sizing is None:
        assert verdict.load is not None
        verdict.sizing = size(transport, verdict.load)
    return verdict.sizing


def _check_throughput(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    """The stated rate (and bytes, when the message size is known) against sourced figures."""
    wanted = needs.throughput_msgs_per_s
    if wanted is None or transport.kind == "in-process":
        return
    if transport.capacity is None or not (transport.capacity.units or transport.capacity.channel):
        verdict.caveats.append(
            f"no sourced throughput figure to check {_number(wanted)} msgs/s against; measure "
            f"before committing: {transport.throughput_detail}"
        )
        return
    sizing = _sizing(transport, verdict)
    found = len(verdict.reasons)
    for ceiling in sizing.channel_ceilings:
        figure = ceiling.figure
        words = f"needs {_number(ceiling.demand)} {_MEASURE[figure.name]}"
        if ceiling.exceeded and figure.kind == "limit":
            verdict.reasons.append(
                f"{words}, over the documented {_number(figure.value)} per channel: {figure.note}"
            )
        elif ceiling.exceeded:
            verdict.caveats.append(f"{words}, over the planning {_number(figure.value)}")
    if needs.ordering == "global":
        for ceiling in sizing.key_ceilings:
            figure = ceiling.figure
            if not ceiling.exceeded:
                continue
            words = (
                f"global order puts all {_number(ceiling.demand)} {_MEASURE[figure.name]} on "
                f"one key, over the {figure.kind} of {_number(figure.value)}: {figure.note}"
            )
            (verdict.reasons if figure.kind == "limit" else verdict.caveats).append(words)
    for unit in sizing.units:
        deciding = unit.deciding
        if deciding is None:
            continue
        figure = deciding.figure
        arithmetic = (
            f"{_number(deciding.demand)} {_MEASURE[figure.name]} / {_number(figure.value)} per "
            f"{unit.unit.unit} ({figure.kind}) = {deciding.units:,} "
            f"{unit.unit.unit if deciding.units == 1 else unit.unit.plural}"
        )
        ceiling = unit.unit.max_units
        if unit.over_max and ceiling is not None:
            verdict.reasons.append(
                f"{arithmetic}, over the limit of {_number(ceiling.value)}: {ceiling.note}"
            )
        elif len(verdict.reasons) == found:
            verdict.fits.append(f"{_number(wanted)} msgs/s: {arithmetic}")
    if len(verdict.reasons) == found and not sizing.units:
        verdict.fits.append(f"{_number(wanted)} msgs/s within the per-channel quotas")
    if needs.message_bytes is None and len(verdict.reasons) == found:
        verdict.caveats.append("message size not stated: byte-rate limits were not checked")


_MEASURE = {
    "write_bytes_per_s": "B/s in",
    "write_records_per_s": "msgs/s in",
    "read_bytes_per_s": "B/s out",
    "consumers_per_group": "consumers",
    "memory_bytes": "B in memory",
    "deliveries_per_s": "deliveries/s",
}


def _check_latency(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    target = needs.latency_ms
    if target is None:
        return
    figure = transport.capacity.latency_ms if transport.capacity else None
    if figure is None:
        verdict.caveats.append(
            f"no latency figure in the matrix; measure end-to-end against the "
            f"{_number(target)} ms target"
        )
    elif figure.value > target:
        verdict.reasons.append(
            f"typical latency {_number(figure.value)} ms ({figure.kind}: {figure.note}) is over "
            f"the {_number(target)} ms target"
        )
    else:
        verdict.fits.append(
            f"latency target {_number(target)} ms (typical {_number(figure.value)})"
        )


def _check_message_size(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    if needs.max_message_kb is not None:
        wanted_bytes = needs.max_message_kb * 1024
    elif needs.message_bytes is not None:
        wanted_bytes = needs.message_bytes  # no largest stated: the typical size must fit
    else:
        return
    largest = transport.max_message_bytes
    default = transport.default_message_bytes
    if largest is not None and largest < wanted_bytes:
        verdict.reasons.append(
            f"messages are limited to {_size(largest)}, under the {_size(wanted_bytes)} needed: "
            f"{transport.message_size_detail}"
        )
    elif default is not None and default < wanted_bytes:
        verdict.caveats.append(
            f"messages of {_size(wanted_bytes)} exceed the default {_size(default)}; "
            f"raise the limit: {transport.message_size_detail}"
        )
    else:
        verdict.fits.append(f"messages of {_size(wanted_bytes)}")


def _check_features(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    _feature(transport.fan_out, needs.fan_out, "fan-out", verdict, "no fan-out")
    _feature(
        transport.dead_letter, needs.dead_letter, "dead-lettering", verdict, "no dead-lettering"
    )
    _feature(transport.transactions, needs.transactions, "transactions", verdict, "no transactions")
    _feature(
        transport.broker_dedup,
        needs.broker_dedup,
        "publish deduplication",
        verdict,
        "no publish deduplication",
    )
    _feature(transport.durability, needs.durable, "durability", verdict, "not durable")


def _check_hosting(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    offerings = transport.offerings_on(needs.cloud)
    where = "" if needs.cloud == "any" else f" on {needs.cloud}"
    if needs.hosting == "self-run" and not transport.self_run:
        clouds = sorted({m.cloud for m in transport.managed})
        verdict.reasons.append(f"only available as a managed service ({', '.join(clouds)})")
        return
    if needs.hosting == "managed":
        if not offerings:
            verdict.reasons.append(f"no managed offering{where}")
            return
        if not any(m.first_party for m in offerings):
            names = ", ".join(m.offering for m in offerings)
            verdict.caveats.append(f"managed only by a third party{where}: {names}")
        else:
            verdict.fits.append(f"managed{where}")
        return
    if needs.cloud != "any" and not transport.self_run and not offerings:
        clouds = sorted({m.cloud for m in transport.managed})
        verdict.reasons.append(f"a {', '.join(clouds)} service, not available on {needs.cloud}")


CHECKS: tuple[Check, ...] = (
    _check_process,
    _check_ordering,
    _check_replay,
    _check_throughput,
    _check_latency,
    _check_message_size,
    _check_features,
    _check_hosting,
)


def _burden(transport: Transport, needs: Needs) -> str:
    """The operating burden for the hosting the needs allow: managed Kafka is not self-run."""
    if needs.hosting == "self-run":
        return transport.burden("self_run")
    if needs.hosting == "managed" or (transport.offerings_on(needs.cloud) and transport.managed):
        return transport.burden("managed")
    return transport.burden("self_run")


def is_incumbent(transport: Transport, needs: Needs) -> bool:
    return transport.id in needs.incumbent or transport.model_transport in needs.incumbent


def _switch_cost(transport: Transport, needs: Needs) -> str:
    if not needs.incumbent or is_incumbent(transport, needs):
        return ""
    running = ", ".join(needs.incumbent)
    return (
        f"switching from {running}: a second transport to run, monitor and secure, new client "
        "code and delivery semantics in every producer and consumer, and a migration (dual "
        "publishing until consumers move)"
    )


def _score(transport: Transport, needs: Needs, caveat_count: int, burden: str) -> int:
    """Higher is better: fewer caveats, less to operate, what the team already runs."""
    score = -caveat_count - OPS_PENALTY[burden]
    if is_incumbent(transport, needs):
        score += INCUMBENT_BONUS
    if needs.cloud != "any" and any(
        m.first_party and m.cloud == needs.cloud for m in transport.managed
    ):
        score += 1
    if needs.single_process and transport.kind == "in-process":
        score += 3
    return score


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _gb(size_bytes: float) -> str:
    if size_bytes >= 1e12:
        return f"{size_bytes / 1e12:,.1f} TB"
    return f"{size_bytes / 1e9:,.1f} GB"


def _size(size_bytes: Optional[float]) -> str:
    if size_bytes is None:
        return "unlimited"
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):,.4g} MiB"
    return f"{size_bytes / 1024:,.4g} KiB"
