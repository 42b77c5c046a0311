"""Sagas as typed objects, built from the design model's raw `sagas:` entries.

Orchestration (Garcia-Molina & Salem 1987; Richardson, Microservices Patterns, ch. 4): an
orchestrator sends each step's command to a participant and waits for its reply. A step is
compensatable (undone by a compensating command), the pivot (the go/no-go point, never undone)
or retriable (after the pivot, retried until it succeeds). Stages run in order; a stage holds
one step or several that run in parallel.

Choreography: services react to events and emit events; a reaction may fail with a failure
event, and a compensating reaction undoes the effect of an earlier event.

The loader has validated the shape against the model's JSON Schema; parsing here still treats
missing keys leniently so tests can build sagas from small dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..model.source import escape_pointer_token

COMPENSATABLE = "compensatable"
PIVOT = "pivot"
RETRIABLE = "retriable"
ORCHESTRATION = "orchestration"
CHOREOGRAPHY = "choreography"
UNLIMITED = "unlimited"


@dataclass(frozen=True)
class RetryPolicy:
    """How failures are retried; `max_attempts` None means without limit."""

    max_attempts: int | None
    backoff: str | None = None
    escalate_to: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.max_attempts is None

    def describe(self) -> str:
        attempts = "until it succeeds" if self.unlimited else f"up to {self.max_attempts} times"
        text = f"retry {attempts}"
        if self.backoff:
            text += f" every {self.backoff}"
        if self.escalate_to:
            text += f", then escalate to {self.escalate_to}"
        return text


@dataclass(frozen=True)
class Compensation:
    """The command that undoes a step, with its reply, failures, timeout and retry policy."""

    command: str
    pointer: str
    reply: str | None = None
    failures: tuple[str, ...] = ()
    timeout: str | None = None
    retry: RetryPolicy | None = None


@dataclass(frozen=True)
class Step:
    """One orchestrated step: the command sent to a participant and what can come back."""

    name: str
    pointer: str
    number: int  # 1-based position among all steps
    stage: int  # 0-based stage; parallel steps share one
    participant: str
    command: str
    kind: str = COMPENSATABLE
    reply: str | None = None
    failures: tuple[str, ...] = ()
    timeout: str | None = None
    retry: RetryPolicy | None = None
    compensation: Compensation | None = None
    description: str = ""
    parallel: bool = False


@dataclass(frozen=True)
class OrchestratedSaga:
    name: str
    pointer: str
    orchestrator: str
    stages: tuple[tuple[Step, ...], ...]
    trigger: str | None = None
    correlation: str | None = None
    completed: tuple[str, ...] = ()
    compensated: tuple[str, ...] = ()
    description: str = ""
    style: str = ORCHESTRATION

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for stage in self.stages for step in stage)


@dataclass(frozen=True)
class Reaction:
    """One choreographed reaction: `service` handles `on` and emits events."""

    number: int  # 1-based position in the saga's reactions
    pointer: str
    service: str
    on: str
    emits: tuple[str, ...] = ()
    fails_with: tuple[str, ...] = ()
    compensates: str | None = None
    kind: str | None = None
    retry: RetryPolicy | None = None
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.service} on {self.on}"


@dataclass(frozen=True)
class ChoreographedSaga:
    name: str
    pointer: str
    trigger: str
    reactions: tuple[Reaction, ...]
    correlation: str | None = None
    completed: tuple[str, ...] = ()
    compensated: tuple[str, ...] = ()
    description: str = ""
    style: str = CHOREOGRAPHY


Saga = Union[OrchestratedSaga, ChoreographedSaga]


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def _retry(value: Any) -> RetryPolicy | None:
    if not isinstance(value, dict):
        return None
    attempts = value.get("max_attempts", UNLIMITED)
    return RetryPolicy(
        max_attempts=None if attempts == UNLIMITED else int(attempts),
        backoff=value.get("backoff"),
        escalate_to=value.get("escalate_to"),
    )


def _compensation(value: Any, pointer: str) -> Compensation | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Compensation(command=value, pointer=pointer)
    return Compensation(
        command=str(value.get("command", "")),
        pointer=pointer,
        reply=value.get("reply"),
        failures=_names(value.get("failure")),
        timeout=value.get("timeout"),
        retry=_retry(value.get("retry")),
    )


def _step(spec: dict, pointer: str, number: int, stage: int, parallel: bool) -> Step:
    command = str(spec.get("command", ""))
    return Step(
        name=str(spec.get("name") or command),
        pointer=pointer,
        number=number,
        stage=stage,
        participant=str(spec.get("participant", "")),
        command=command,
        kind=spec.get("kind") or COMPENSATABLE,
        reply=spec.get("reply"),
        failures=_names(spec.get("failure")),
        timeout=spec.get("timeout"),
        retry=_retry(spec.get("retry")),
        compensation=_compensation(spec.get("compensation"), f"{pointer}/compensation"),
        description=spec.get("description", ""),
        parallel=parallel,
    )


def parse_saga(name: str, spec: dict) -> Saga:
    """The typed saga for one raw `sagas:` entry."""
    pointer = "/sagas/" + escape_pointer_token(name)
    completed = _names(spec.get("completed"))
    compensated = _names(spec.get("compensated"))
    if spec.get("style") == CHOREOGRAPHY:
        reactions = tuple(
            Reaction(
                number=index + 1,
                pointer=f"{pointer}/reactions/{index}",
                service=str(item.get("service", "")),
                on=str(item.get("on", "")),
                emits=_names(item.get("emits")),
                fails_with=_names(item.get("fails_with")),
                compensates=item.get("compensates"),
                kind=item.get("kind"),
                retry=_retry(item.get("retry")),
                description=item.get("description", ""),
            )
            for index, item in enumerate(spec.get("reactions") or ())
        )
        return ChoreographedSaga(
            name=name,
            pointer=pointer,
            trigger=str(spec.get("trigger", "")),
            reactions=reactions,
            correlation=spec.get("correlation"),
            completed=completed,
            compensated=compensated,
            description=spec.get("description", ""),
        )
    stages = []
    number = 0
    for index, item in enumerate(spec.get("steps") or ()):
        item_pointer = f"{pointer}/steps/{index}"
        if isinstance(item, dict) and "parallel" in item:
            branch = []
            for position, sub in enumerate(item["parallel"]):
                number += 1
                branch.append(
                    _step(sub, f"{item_pointer}/parallel/{position}", number, len(stages), True)
                )
            stages.append(tuple(branch))
        else:
            number += 1
            stages.append((_step(item, item_pointer, number, len(stages), False),))
    return OrchestratedSaga(
        name=name,
        pointer=pointer,
        orchestrator=str(spec.get("orchestrator", "")),
        stages=tuple(stages),
        trigger=spec.get("trigger"),
        correlation=spec.get("correlation"),
        completed=completed,
        compensated=compensated,
        description=spec.get("description", ""),
    )


def parse_sagas(raw: dict[str, dict]) -> list[Saga]:
    """Every saga of a model, in the model's order."""
    return [parse_saga(name, spec or {}) for name, spec in raw.items()]
