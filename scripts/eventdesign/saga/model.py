"""Sagas as typed objects, built from the design model's raw `sagas:` entries.

Orchestration (Garcia-Molina & Salem 1987; Richardson, Microservices Patterns, ch. 4): an
orchestrator sends each step's command to a participant and waits for its reply. A step is
compensatable (undone by a compensating command), the pivot (the go/no-go point, never undone)
or retriable (after the pivot, retried until it succeeds). Stages run in order; a stage holds
one step or several that run in parallel.

Choreography: services react to events and emit events; a reaction may fail with a failure
event, and a compensating reaction undoes the effect of an earlier event.

Beyond the textbook shape, a saga can say what real workflows do: a `cancel` request from
outside that may arrive at any stage (compensating before the pivot, a forward action after
it); a step that waits for an outside `actor` (a person or outside system, not a service)
with a deadline; bounded `repeat` of a refused step (another driver, another assessor) before
failing or escalating; `timers` whose expiry events race the other reactions; compensations
with a `nothing_to_undo` outcome; retry policies with capped, jittered backoff and a
`page_after` alert; and `local` steps whose outcome is known when they return.

The loader has validated the shape against the model's JSON Schema; parsing here still treats
missing keys leniently so tests can build sagas from small dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..pointer import escape_token

COMPENSATABLE = "compensatable"
PIVOT = "pivot"
RETRIABLE = "retriable"
ORCHESTRATION = "orchestration"
CHOREOGRAPHY = "choreography"
UNLIMITED = "unlimited"


@dataclass(frozen=True)
class RetryPolicy:
    """How failures are retried; `max_attempts` None means without limit.

    `backoff` is the first delay; with a `multiplier` it grows exponentially up to
    `max_backoff`, randomised by `jitter`. `page_after` alerts a person when an unlimited
    retry has not succeeded after that long: the escalation an unlimited retry can fire.
    """

    max_attempts: int | None
    backoff: str | None = None
    escalate_to: str | None = None
    multiplier: float | None = None
    max_backoff: str | None = None
    jitter: str | None = None
    page_after: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.max_attempts is None

    @property
    def escalates(self) -> bool:
        """Whether escalation can actually fire: attempts run out, or a page is due."""
        return bool(self.escalate_to) and (not self.unlimited or bool(self.page_after))

    def describe(self) -> str:
        attempts = "until it succeeds" if self.unlimited else f"up to {self.max_attempts} times"
        text = f"retry {attempts}"
        if self.backoff and self.multiplier:
            text += f" backing off from {self.backoff} x{self.multiplier:g}"
            if self.max_backoff:
                text += f" up to {self.max_backoff}"
        elif self.backoff:
            text += f" every {self.backoff}"
        if self.jitter and self.jitter != "none":
            text += f" ({self.jitter} jitter)"
        if self.page_after:
            text += f", paging {self.escalate_to or 'on-call'} after {self.page_after}"
        elif self.escalate_to:
            text += f", then escalate to {self.escalate_to}"
        return text


@dataclass(frozen=True)
class Repeat:
    """A refused (or expired) step is redone, with another participant or attempt, up to
    `max_attempts` times in all; then the saga fails, or escalates when `escalate_to` is set."""

    max_attempts: int
    escalate_to: str | None = None

    def describe(self) -> str:
        then = f"escalate to {self.escalate_to}" if self.escalate_to else "fail"
        return f"redo up to {self.max_attempts} times, then {then}"


@dataclass(frozen=True)
class Compensation:
    """The command that undoes a step, with its reply, failures, timeout and retry policy."""

    command: str
    pointer: str
    reply: str | None = None
    failures: tuple[str, ...] = ()
    timeout: str | None = None
    retry: RetryPolicy | None = None
    nothing_to_undo: str | None = None  # the reply when the step had not taken effect


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
    actor: str | None = None  # waits for a person or outside system, not a service
    repeat: Repeat | None = None
    local: bool = False  # a local transaction of the orchestrator: outcome known on return
    # The keys the model wrote: `name`, `kind` and `participant` above fall back to defaults,
    # and the catalog shows only what was written.
    written: frozenset[str] = frozenset()

    @property
    def waits(self) -> bool:
        """A step that waits for an outside actor's decision instead of sending a command."""
        return self.actor is not None

    @property
    def outcome_unknown_on_timeout(self) -> bool:
        """Whether a timeout leaves the step's outcome unknown: a remote command may have
        taken effect; a local transaction or an actor's missed deadline is known."""
        return not (self.local or self.waits)

    @property
    def action(self) -> str:
        """What the step does, for traces and diagrams: its command or what it waits for."""
        return self.command or f"{self.actor} decides"


@dataclass(frozen=True)
class Cancel:
    """A request from outside to cancel the saga, which may arrive at any stage.

    Before the pivot it compensates what was done; from the pivot on `after_pivot` is a
    forward action (a fee, an early end), or `refused` names the reply that turns it down.
    """

    on: str
    pointer: str
    after_pivot: Step | None = None
    refused: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Timer:
    """A choreography timer: `service` arms it when `starts_on` is emitted and emits `event`
    when it expires (after a duration, or at a payload time), unless `stops_on` came first."""

    event: str
    pointer: str
    service: str
    starts_on: str
    stops_on: tuple[str, ...] = ()
    after: str | None = None
    at: str | None = None


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
    cancel: Cancel | None = None
    timers: tuple[Timer, ...] = ()  # participants' own expiries (a hold that lapses)

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
    nothing_to_undo: tuple[str, ...] = ()  # emitted when its effect never happened
    after_pivot: tuple[str, ...] = ()  # emitted instead of `emits` once the pivot is done
    actor: str | None = None  # the person or outside system whose decision it relays
    repeat: Repeat | None = None

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
    cancel: Cancel | None = None
    timers: tuple[Timer, ...] = ()


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
    multiplier = value.get("multiplier")
    return RetryPolicy(
        max_attempts=None if attempts == UNLIMITED else int(attempts),
        backoff=value.get("backoff"),
        escalate_to=value.get("escalate_to"),
        multiplier=float(multiplier) if multiplier is not None else None,
        max_backoff=value.get("max_backoff"),
        jitter=value.get("jitter"),
        page_after=value.get("page_after"),
    )


def _repeat(value: Any) -> Repeat | None:
    if not isinstance(value, dict):
        return None
    return Repeat(int(value.get("max_attempts", 1)), value.get("escalate_to"))


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
        nothing_to_undo=value.get("nothing_to_undo"),
    )


def _step(spec: dict, pointer: str, number: int, stage: int, parallel: bool) -> Step:
    command = str(spec.get("command", ""))
    actor = spec.get("actor")
    return Step(
        name=str(spec.get("name") or command or spec.get("reply") or actor or ""),
        pointer=pointer,
        number=number,
        stage=stage,
        participant=str(spec.get("participant") or actor or ""),
        command=command,
        kind=spec.get("kind") or COMPENSATABLE,
        reply=spec.get("reply"),
        failures=_names(spec.get("failure")),
        timeout=spec.get("timeout"),
        retry=_retry(spec.get("retry")),
        compensation=_compensation(spec.get("compensation"), f"{pointer}/compensation"),
        description=spec.get("description", ""),
        parallel=parallel,
        actor=spec.get("actor"),
        repeat=_repeat(spec.get("repeat")),
        local=bool(spec.get("local", False)),
        written=frozenset(spec),
    )


def _cancel(value: Any, pointer: str) -> Cancel | None:
    if not isinstance(value, dict):
        return None
    forward = value.get("after_pivot")
    return Cancel(
        on=str(value.get("on", "")),
        pointer=f"{pointer}/cancel",
        after_pivot=(
            _step(forward, f"{pointer}/cancel/after_pivot", 0, -1, False)
            if isinstance(forward, dict)
            else None
        ),
        refused=value.get("refused"),
        outcome=value.get("outcome"),
    )


def _timers(value: Any, pointer: str) -> tuple[Timer, ...]:
    return tuple(
        Timer(
            event=str(item.get("event", "")),
            pointer=f"{pointer}/timers/{index}",
            service=str(item.get("service", "")),
            starts_on=str(item.get("starts_on", "")),
            stops_on=_names(item.get("stops_on")),
            after=item.get("after"),
            at=item.get("at"),
        )
        for index, item in enumerate(value or ())
        if isinstance(item, dict)
    )


def parse_saga(name: str, spec: dict) -> Saga:
    """The typed saga for one raw `sagas:` entry."""
    pointer = "/sagas/" + escape_token(name)
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
                nothing_to_undo=_names(item.get("nothing_to_undo")),
                after_pivot=_names(item.get("after_pivot")),
                actor=item.get("actor"),
                repeat=_repeat(item.get("repeat")),
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
            cancel=_cancel(spec.get("cancel"), pointer),
            timers=_timers(spec.get("timers"), pointer),
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
        cancel=_cancel(spec.get("cancel"), pointer),
        timers=_timers(spec.get("timers"), pointer),
    )
