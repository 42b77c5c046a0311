"""Rule transports out against stated needs, with the reason, and rank the rest (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .matrix import Capability, Matrix, Transport
from .needs import Needs

OPS_PENALTY = {"low": 0, "medium": 1, "high": 2}
# Throughput tiers only rank; a documented ceiling is what excludes.
HEAVY_LOAD_MSGS_PER_S = 50_000
LIGHT_LOAD_MSGS_PER_S = 1_000


@dataclass(frozen=True)
class Candidate:
    """A transport that meets every need, with its score and the caveats of partial support."""

    transport: Transport
    score: int
    fits: tuple[str, ...]
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    """A transport ruled out, with every reason."""

    transport: Transport
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    needs: Needs
    candidates: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...]


@dataclass
class _Verdict:
    fits: list[str]
    caveats: list[str]
    reasons: list[str]


Check = Callable[[Transport, Needs, _Verdict], None]


def advise(matrix: Matrix, needs: Needs) -> Advice:
    """Every transport either fits (ranked best first) or is excluded with its reasons."""
    candidates: list[tuple[int, int, Candidate]] = []
    excluded: list[Exclusion] = []
    for position, transport in enumerate(matrix.transports):
        verdict = _Verdict([], [], [])
        for check in CHECKS:
            check(transport, needs, verdict)
        if verdict.reasons:
            excluded.append(Exclusion(transport, tuple(verdict.reasons)))
            continue
        score = _score(transport, needs, len(verdict.caveats))
        candidate = Candidate(transport, score, tuple(verdict.fits), tuple(verdict.caveats))
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
    else:
        verdict.fits.append(f"retention of {_number(needs.retention_days)} days")


def _check_throughput(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    wanted = needs.throughput_msgs_per_s
    if wanted is None:
        return
    ceiling = transport.throughput_ceiling
    if ceiling is not None and ceiling < wanted:
        verdict.reasons.append(
            f"documented ceiling of {ceiling:,} msgs/s is under the {_number(wanted)} needed: "
            f"{transport.throughput_detail}"
        )
    elif transport.throughput_tier == "moderate" and wanted >= HEAVY_LOAD_MSGS_PER_S:
        verdict.caveats.append(
            f"{_number(wanted)} msgs/s is heavy for this transport: {transport.throughput_detail}"
        )
    else:
        verdict.fits.append(f"{_number(wanted)} msgs/s ({transport.throughput_tier} tier)")


def _check_message_size(transport: Transport, needs: Needs, verdict: _Verdict) -> None:
    if needs.max_message_kb is None:
        return
    wanted_bytes = needs.max_message_kb * 1024
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
    _check_message_size,
    _check_features,
    _check_hosting,
)


def _score(transport: Transport, needs: Needs, caveat_count: int) -> int:
    """Higher is better: fewer caveats, less to operate, headroom for the stated load."""
    score = -caveat_count
    burden = transport.ops_burden
    if burden == "high" and needs.hosting != "self-run" and transport.offerings_on(needs.cloud):
        burden = "medium"  # a managed offering takes most of the operating work away
    score -= OPS_PENALTY[burden]
    wanted = needs.throughput_msgs_per_s
    if wanted is not None and wanted >= LIGHT_LOAD_MSGS_PER_S:
        tier_points = {"moderate": 0, "high": 1, "very-high": 1}
        if wanted >= HEAVY_LOAD_MSGS_PER_S:
            tier_points = {"moderate": -1, "high": 1, "very-high": 2}
        score += tier_points[transport.throughput_tier]
    if needs.cloud != "any" and any(
        m.first_party and m.cloud == needs.cloud for m in transport.managed
    ):
        score += 1
    if needs.single_process and transport.kind == "in-process":
        score += 3
    return score


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _size(size_bytes: Optional[float]) -> str:
    if size_bytes is None:
        return "unlimited"
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):,.4g} MiB"
    return f"{size_bytes / 1024:,.4g} KiB"
