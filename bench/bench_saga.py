"""Time saga verification and diagram drawing: 100 sagas of 12 steps each.

    python3 bench/bench_saga.py [--sagas 100] [--repeat 3]

The base model (services, events, channels) comes from bench/generate_model.py; this script
adds the sagas, with their commands and events: half orchestrated (8 compensatable steps, two
of them in parallel, a pivot, 3 retriable steps; every step with a failure reply, a timeout and
a compensation or retry), half choreographed (12 reactions: a 5-step chain whose first 4 steps
can fail, and the cascading compensations). Every saga is sound, so the verifier explores
every path. Prints the best of `--repeat` runs for verifying and drawing, states explored and
findings; asserts nothing. Target: verify and draw all 100 in under 2 s.
"""

from __future__ import annotations

import argparse
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
from eventdesign.saga import choreography, orchestration  # noqa: E402
from eventdesign.saga.model import OrchestratedSaga  # noqa: E402
from eventdesign.saga.verify import sagas_of, verify_model  # noqa: E402
from generate_model import generate_model  # noqa: E402

UNLIMITED = {"max_attempts": "unlimited", "backoff": "5s"}


def _event(model: dict, name: str, producer: str, consumers: list[str]) -> str:
    model["events"][name] = {"producer": producer, "consumers": sorted(set(consumers))}
    return name


def _command(model: dict, name: str, handler: str, issuer: str) -> str:
    model["commands"][name] = {"handler": handler, "issuers": [issuer]}
    return name


def orchestrated_saga(model: dict, number: int, services: list[str]) -> dict:
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
    steps += [step(k, "compensatable") for k in range(5, 9)]
    steps.append(step(9, "pivot"))
    steps += [step(k, "retriable") for k in range(10, 13)]
    return {
        "style": "orchestration",
        "orchestrator": orchestrator,
        "trigger": _event(model, f"{prefix}Requested", orchestrator, [orchestrator]),
        "correlation": "entityId",
        "steps": steps,
        "completed": _event(model, f"{prefix}Completed", orchestrator, []),
        "compensated": _event(model, f"{prefix}Cancelled", orchestrator, []),
    }


def choreographed_saga(model: dict, number: int, services: list[str]) -> dict:
    prefix = f"C{number:03d}"
    owner = services[0]
    actor = [services[1 + (number + k) % (len(services) - 1)] for k in range(6)]
    done = {k: f"{prefix}Done{k}" for k in range(0, 6)}
    failed = {k: f"{prefix}Failed{k}" for k in range(1, 5)}
    undone = {k: f"{prefix}Undone{k}" for k in range(1, 4)}
    reactions: list[dict] = []
    consumers: dict[str, list[str]] = {}

    def react(service: str, on: str, **spec: Any) -> None:
        reactions.append({"service": service, "on": on, **spec})
        consumers.setdefault(on, []).append(service)

    for k in range(1, 5):
        react(actor[k], done[k - 1], emits=done[k], fails_with=failed[k])
    react(actor[5], done[4], emits=f"{prefix}Completed")
    for j in range(1, 4):  # step j is undone when step j+1 fails or step j+1 was undone
        react(actor[j], failed[j + 1], emits=undone[j], compensates=done[j])
        if j + 1 <= 3:
            react(actor[j], undone[j + 1], emits=undone[j], compensates=done[j])
    react(owner, failed[1], emits=f"{prefix}Cancelled")
    react(owner, undone[1], emits=f"{prefix}Cancelled")
    _event(model, done[0], owner, consumers.get(done[0], []))
    for k in range(1, 5):
        _event(model, done[k], actor[k], consumers.get(done[k], []))
        _event(model, failed[k], actor[k], consumers.get(failed[k], []))
    for j in range(1, 4):
        _event(model, undone[j], actor[j], consumers.get(undone[j], []))
    _event(model, f"{prefix}Completed", actor[5], [])
    _event(model, f"{prefix}Cancelled", owner, [])
    return {
        "style": "choreography",
        "trigger": done[0],
        "correlation": "entityId",
        "reactions": reactions,
        "completed": f"{prefix}Completed",
        "compensated": f"{prefix}Cancelled",
    }


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
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def explored_states(model: Any) -> int:
    total = 0
    for saga in sagas_of(model):
        if isinstance(saga, OrchestratedSaga):
            idempotency = {n: s.idempotency for n, s in model.services.items()}
            total += orchestration.explore(saga, idempotency).states
        else:
            levels = {(r.service, r.on): "inbox" for r in saga.reactions}
            total += choreography.explore(saga, levels, "start").states
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sagas", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.yaml"
        path.write_text(yaml.safe_dump(build_model(args.sagas), sort_keys=False), "utf-8")
        load_seconds, model = best_of(1, lambda: load_model(path))
    steps = sum(
        len(saga.steps) if isinstance(saga, OrchestratedSaga) else len(saga.reactions)
        for saga in sagas_of(model)
    )
    verify_seconds, findings = best_of(args.repeat, lambda: verify_model(model))
    draw_seconds, diagrams = best_of(args.repeat, lambda: build_diagrams(model))
    print(f"sagas: {len(model.sagas)} ({steps} steps and reactions in all)")
    print(
        f"model: {len(model.services)} services, {len(model.events)} events, "
        f"loaded in {load_seconds:.2f} s"
    )
    print(f"states explored: {explored_states(model)}")
    print(f"verify: {verify_seconds:.3f} s, {len(findings)} findings")
    print(
        f"draw:   {draw_seconds:.3f} s, {len(diagrams)} diagrams, "
        f"{sum(len(d.text) for d in diagrams):,} characters"
    )
    print(f"total:  {verify_seconds + draw_seconds:.3f} s (target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
