"""Time saga verification and diagram drawing: 100 sagas of 12 steps with cancels and timers.

    python3 bench/bench_saga.py [--sagas 100] [--repeat 3] [--no-growth]

The base model (services, events, channels) comes from bench/generate_model.py; this script
adds the sagas, with their commands and events. Half are orchestrated: 8 compensatable steps
(two of them in parallel), a pivot and 3 retriable steps, every step with a failure reply, a
timeout and a compensation or retry, a cancel that may arrive at any stage (a fee after the
pivot), and a participant's hold that lapses unless a later step before the pivot replied.
Half are choreographed like a hotel booking: 3 holds, the last hold's service also takes the
pivot and owns a hold timer that races every reaction, a cancel decided by the pivot's
service, and the cascading compensations (19 reactions). Every saga is sound, so
the verifier explores every path and every interleaving the cancel and the timer allow.

Prints the best of `--repeat` runs for verifying and drawing, states explored and findings,
then how exploration grows with steps, with a cancel and with a timer, and the state bound
that keeps it finite; asserts nothing. Target: verify and draw all 100 in under 2 s.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from eventdesign.model.loader import load_model  # noqa: E402
from eventdesign.render.diagrams import build_diagrams  # noqa: E402
from eventdesign.rules.sagas import verify_with_coverage  # noqa: E402
from eventdesign.saga.model import OrchestratedSaga  # noqa: E402
from eventdesign.saga.verify import Limits, sagas_of  # noqa: E402
from generate_model import generate_model  # noqa: E402

UNLIMITED = {"max_attempts": "unlimited", "backoff": "5s", "multiplier": 2, "max_backoff": "5m"}


def _event(model: dict, name: str, producer: str, consumers: list[str]) -> str:
    model["events"][name] = {"producer": producer, "consumers": sorted(set(consumers))}
    return name


def _command(model: dict, name: str, handler: str, issuer: str) -> str:
    model["commands"][name] = {"handler": handler, "issuers": [issuer]}
    return name


def orchestrated_saga(
    model: dict,
    number: int,
    services: list[str],
    compensatable: int = 8,
    cancel: bool = True,
    timer: bool = True,
) -> dict:
    """`compensatable` steps (two of them in parallel), a pivot, 3 retriable steps; the first
    step's participant lets its hold lapse unless the last compensatable step replied."""
    orchestrator = services[0]
    prefix = f"O{number:03d}"

    def step(k: int, kind: str) -> dict:
        participant = services[1 + (number + k) % (len(services) - 1)]
        spec: dict[str, Any] = {
            "name": f"step-{k}",
            "participant": participant,
            "command": _command(model, f"{prefix}Do{k}", participant, orchestrator),
            "reply": _event(model, f"{prefix}Done{k}", participant, [orchestrator]),
            "kind": kind,
            "timeout": "30s",
        }
        if kind == "retriable":
            spec["retry"] = UNLIMITED
            return spec
        spec["failure"] = _event(model, f"{prefix}Refused{k}", participant, [orchestrator])
        if kind == "pivot":
            spec["retry"] = UNLIMITED  # a timed-out pivot is retried: its outcome is unknown
        if kind == "compensatable":
            spec["compensation"] = {
                "command": _command(model, f"{prefix}Undo{k}", participant, orchestrator),
                "reply": _event(model, f"{prefix}Undone{k}", participant, [orchestrator]),
                "retry": UNLIMITED,
            }
        return spec

    steps: list[Any] = [step(1, "compensatable"), step(2, "compensatable")]
    steps.append({"parallel": [step(3, "compensatable"), step(4, "compensatable")]})
    steps += [step(k, "compensatable") for k in range(5, compensatable + 1)]
    steps.append(step(compensatable + 1, "pivot"))
    steps += [step(k, "retriable") for k in range(compensatable + 2, compensatable + 5)]
    saga: dict[str, Any] = {
        "style": "orchestration",
        "orchestrator": orchestrator,
        "trigger": _event(model, f"{prefix}Requested", orchestrator, [orchestrator]),
        "correlation": "entityId",
        "steps": steps,
        "completed": _event(model, f"{prefix}Completed", orchestrator, []),
        "compensated": _event(model, f"{prefix}Cancelled", orchestrator, []),
    }
    if timer:
        holder = steps[0]["participant"]
        saga["timers"] = [
            {
                "event": _event(model, f"{prefix}Lapsed1", holder, [orchestrator]),
                "service": holder,
                "starts_on": steps[0]["reply"],
                "after": "15m",
                "stops_on": [f"{prefix}Done{compensatable}"],
            }
        ]
    if cancel:
        fee_service = services[1 + number % (len(services) - 1)]
        model["commands"][f"{prefix}Cancel"] = {"handler": orchestrator}
        saga["cancel"] = {
            "on": f"{prefix}Cancel",
            "after_pivot": {
                "name": "cancellation-fee",
                "participant": fee_service,
                "command": _command(model, f"{prefix}ChargeFee", fee_service, orchestrator),
                "reply": _event(model, f"{prefix}FeeCharged", fee_service, [orchestrator]),
                "kind": "retriable",
                "timeout": "30s",
                "retry": UNLIMITED,
            },
        }
    return saga


def choreographed_saga(
    model: dict,
    number: int,
    services: list[str],
    holds: int = 3,
    cancel: bool = True,
    timer: bool = True,
) -> dict:
    """`holds` compensatable steps; the last hold's service takes the pivot and owns the hold's
    timer; a retriable capture and completion; a cancel decided by the pivot's service."""
    prefix = f"C{number:03d}"
    owner = services[0]
    actor = [services[1 + (number + k) % (len(services) - 1)] for k in range(holds + 2)]
    hold = actor[holds]
    done = {k: f"{prefix}Done{k}" for k in range(holds + 1)}
    failed = {k: f"{prefix}Failed{k}" for k in range(1, holds + 2)}  # holds + 1: the pivot
    undone = {k: f"{prefix}Undone{k}" for k in range(1, holds + 1)}
    noop = {k: f"{prefix}Nothing{k}" for k in range(1, holds + 1)}
    pivot, captured = f"{prefix}Pivot", f"{prefix}Captured"
    completed, cancelled = f"{prefix}Completed", f"{prefix}Cancelled"
    expired, late, fee = f"{prefix}Expired", f"{prefix}LateCancel", f"{prefix}Fee"
    cancel_event = f"{prefix}Cancel"
    reactions: list[dict] = []
    consumers: dict[str, list[str]] = {}
    producers: dict[str, str] = {done[0]: owner, cancel_event: owner}

    def react(service: str, on: str, **spec: Any) -> None:
        reactions.append({"service": service, "on": on, **spec})
        consumers.setdefault(on, []).append(service)
        for key in ("emits", "fails_with", "nothing_to_undo", "after_pivot"):
            for event in spec.get(key, []):
                producers.setdefault(event, service)

    for k in range(1, holds + 1):
        react(actor[k], done[k - 1], emits=[done[k]], fails_with=[failed[k]])
    react(hold, done[holds], emits=[pivot], fails_with=[failed[holds + 1]], kind="pivot")
    react(actor[holds + 1], pivot, emits=[captured], kind="retriable", retry=UNLIMITED)
    react(owner, captured, emits=[completed], kind="retriable")
    for k in range(1, holds + 1):  # hold k is undone when the next step fails or was undone
        react(actor[k], failed[k + 1], emits=[undone[k]], compensates=done[k])
        if k < holds:
            # a cancel can reach step k + 1 before it ran: it then says so with its noop event
            for cause in (undone[k + 1], noop[k + 1]) if cancel else (undone[k + 1],):
                react(
                    actor[k],
                    cause,
                    emits=[undone[k]],
                    compensates=done[k],
                    nothing_to_undo=[noop[k]],
                )
    for outcome in (failed[1], undone[1], noop[1]) if cancel else (failed[1], undone[1]):
        react(owner, outcome, emits=[cancelled])
    saga: dict[str, Any] = {"style": "choreography", "trigger": done[0], "correlation": "entityId"}
    if timer:
        react(hold, expired, emits=[undone[holds]], compensates=done[holds])
        stops = [pivot, undone[holds], *([noop[holds]] if cancel else [])]
        saga["timers"] = [
            {
                "event": expired,
                "service": hold,
                "starts_on": done[holds],
                "at": "expiresAt",
                "stops_on": stops,
            }
        ]
        producers[expired] = hold
    if cancel:
        react(
            hold,
            cancel_event,
            emits=[undone[holds]],
            compensates=done[holds],
            nothing_to_undo=[noop[holds]],
            after_pivot=[late],
        )
        react(owner, late, emits=[fee], kind="retriable", retry=UNLIMITED)
        saga["cancel"] = {"on": cancel_event}
    for event, producer in producers.items():
        _event(model, event, producer, consumers.get(event, []))
    saga.update(reactions=reactions, completed=completed, compensated=cancelled)
    return saga


def build_model(sagas: int) -> dict:
    model = generate_model(services=40, events=200)
    model["commands"] = {}
    services = list(model["services"])
    model["sagas"] = {}
    for number in range(sagas):
        if number % 2 == 0:
            model["sagas"][f"Orchestrated{number:03d}"] = orchestrated_saga(model, number, services)
        else:
            model["sagas"][f"Choreographed{number:03d}"] = choreographed_saga(
                model, number, services
            )
    return model


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    # Each run from a collected heap with the collector paused, as in a command's process.
    timings, result = [], None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = work()
            timings.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(timings), result


def _one_saga_model(folder: Path, build: Callable[[dict, list[str]], dict]) -> Any:
    model = generate_model(services=12, events=0)
    model["commands"] = {}
    model["sagas"] = {"Measured": build(model, list(model["services"]))}
    path = folder / "one.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), "utf-8")
    return load_model(path)


def growth(folder: Path) -> list[str]:
    """One saga at a time: how states, path ends and time grow with steps, cancel and timer."""
    lines = [
        f"{'saga':<46} {'steps':>5} {'states':>7} {'paths':>6} {'cancel':>6} {'timer':>6} "
        f"{'ms':>7} findings"
    ]
    configs: list[tuple[str, Callable[[dict, list[str]], dict]]] = []
    for count in (4, 8, 16, 32):
        for cancel, timer in ((False, False), (True, False), (False, True), (True, True)):
            label = f"orchestrated, {count} compensatable" + (", cancel" if cancel else "")
            label += ", timer" if timer else ""
            configs.append(
                (
                    label,
                    lambda m, s, c=count, x=cancel, t=timer: orchestrated_saga(m, 0, s, c, x, t),
                )
            )
    for holds in (1, 2, 3, 5):
        for cancel, timer in ((False, False), (True, False), (False, True), (True, True)):
            label = f"choreographed, {holds} holds" + (", cancel" if cancel else "")
            label += ", timer" if timer else ""
            configs.append(
                (
                    label,
                    lambda m, s, h=holds, c=cancel, t=timer: choreographed_saga(m, 1, s, h, c, t),
                )
            )
    for label, build in configs:
        model = _one_saga_model(folder, build)
        seconds, (findings, coverage) = best_of(3, lambda m=model: verify_with_coverage(m))
        covered = coverage[0]
        lines.append(
            f"{label:<46} {covered.stages:>5} {covered.states:>7} {covered.paths:>6} "
            f"{covered.cancel_points:>6} {covered.timer_races:>6} {seconds * 1000:>7.1f} "
            f"{len(findings)}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sagas", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-growth", action="store_true", help="skip the growth table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.yaml"
        path.write_text(yaml.safe_dump(build_model(args.sagas), sort_keys=False), "utf-8")
        load_seconds, model = best_of(1, lambda: load_model(path))
        table = [] if args.no_growth else growth(Path(folder))
    steps = sum(
        len(saga.steps) if isinstance(saga, OrchestratedSaga) else len(saga.reactions)
        for saga in sagas_of(model)
    )
    verify_seconds, (findings, coverage) = best_of(args.repeat, lambda: verify_with_coverage(model))
    draw_seconds, diagrams = best_of(args.repeat, lambda: build_diagrams(model))
    print(f"sagas: {len(model.sagas)} ({steps} steps and reactions in all)")
    print(
        f"model: {len(model.services)} services, {len(model.events)} events, "
        f"loaded in {load_seconds:.2f} s"
    )
    print(
        f"explored: {sum(c.states for c in coverage)} states, "
        f"{sum(c.paths for c in coverage)} path ends, "
        f"{sum(c.cancel_points for c in coverage)} cancel points, "
        f"{sum(c.timer_races for c in coverage)} timer races, "
        f"{sum(not c.complete for c in coverage)} sagas stopped at the bound"
    )
    print(f"verify: {verify_seconds:.3f} s, {len(findings)} findings")
    for finding in findings[:5]:
        print(f"  {finding.rule} {finding.element}: {finding.message}")
    print(
        f"draw:   {draw_seconds:.3f} s, {len(diagrams)} diagrams, "
        f"{sum(len(d.text) for d in diagrams):,} characters"
    )
    print(f"total:  {verify_seconds + draw_seconds:.3f} s (target < 2 s)")
    if table:
        limits = Limits()
        print()
        print("growth, one saga at a time (best of 3):")
        print("\n".join(table))
        print(
            f"state bound: at most {limits.max_faults} faults per path and "
            f"{limits.max_states:,} states per saga (SAG022 says when it is reached). "
            "Orchestration states are (stage, branch, steps done, faults, cancelled, timers "
            "fired): for a fixed fault budget they grow about with the square of the steps "
            "(where a failure falls x how far compensation got); choreography states are the "
            "sets of events emitted and reactions run, so a cancel or timer that interleaves "
            "with k independent reactions multiplies them by up to 2^k."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
