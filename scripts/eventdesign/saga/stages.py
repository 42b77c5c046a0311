"""What a saga undoes at each stage, for the catalog: per stage, the compensations a failure
there runs and what a cancel arriving while the stage is in flight does.

Orchestration: a step failing at stage N undoes the steps of stages before N, last first; a
cancel while stage N is in flight waits for its reply and undoes stages up to N; from the
pivot on nothing is undone: a failure is retried or escalated, a cancel runs the forward
action or is refused. Choreography: each effect with the reactions that undo it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import PIVOT, RETRIABLE, ChoreographedSaga, OrchestratedSaga, Step


@dataclass(frozen=True)
class StagePlan:
    number: int  # 1-based
    steps: tuple[str, ...]
    kind: str  # compensatable, pivot, retriable (the stage's strongest)
    on_failure: str
    on_cancel: str


@dataclass(frozen=True)
class EffectPlan:
    effect: str
    undone_by: tuple[str, ...]  # "service on event" of each compensating reaction
    nothing_to_undo: tuple[str, ...]


def _undo(steps: list[Step]) -> str:
    commands = [s.compensation.command for s in reversed(steps) if s.compensation is not None]
    return "undo " + ", ".join(commands) if commands else "nothing to undo"


def stage_plans(saga: OrchestratedSaga) -> list[StagePlan]:
    plans = []
    done: list[Step] = []
    pivot_seen = False
    cancel = saga.cancel
    for index, stage in enumerate(saga.stages, start=1):
        kinds = {step.kind for step in stage}
        kind = PIVOT if PIVOT in kinds else RETRIABLE if kinds == {RETRIABLE} else "compensatable"
        late = pivot_seen or kind in (PIVOT, RETRIABLE)
        escalation = next(
            (s.retry.escalate_to for s in stage if s.retry and s.retry.escalate_to), None
        )
        if late:
            on_failure = f"escalate to {escalation}" if escalation else "retried, never undone"
        elif len(stage) > 1:
            siblings = [s.compensation.command for s in reversed(stage) if s.compensation]
            on_failure = f"undo {', '.join(siblings)} where its step replied; then {_undo(done)}"
        else:
            on_failure = _undo(done)
        if cancel is None:
            on_cancel = ""
        elif not late:
            on_cancel = f"{cancel.on}: {_undo([*done, *stage])}"
        elif cancel.after_pivot is not None:
            on_cancel = f"{cancel.on}: {cancel.after_pivot.command} (forward action)"
        elif cancel.refused:
            on_cancel = f"{cancel.on}: refused with {cancel.refused}"
        else:
            on_cancel = f"{cancel.on}: undefined after the pivot"
        names = []
        for step in stage:
            name = step.name
            if step.waits:
                name += f" (waits for {step.actor})"
            if step.repeat is not None:
                name += f" ({step.repeat.describe()})"
            names.append(name)
        plans.append(StagePlan(index, tuple(names), kind, on_failure, on_cancel))
        done.extend(stage)
        pivot_seen = pivot_seen or kind == PIVOT
    return plans


def effect_plans(saga: ChoreographedSaga) -> list[EffectPlan]:
    plans: dict[str, EffectPlan] = {}
    for reaction in saga.reactions:
        effect = reaction.compensates
        if not effect:
            continue
        known = plans.get(effect, EffectPlan(effect, (), ()))
        plans[effect] = EffectPlan(
            effect,
            (*known.undone_by, f"{reaction.service} on {reaction.on}"),
            tuple(dict.fromkeys((*known.nothing_to_undo, *reaction.nothing_to_undo))),
        )
    return list(plans.values())
