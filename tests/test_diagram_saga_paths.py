"""Saga diagrams draw what the verifier explores: a timed-out pivot is retried or escalated,
never compensated around; a timed-out compensatable step is undone too; a failed parallel
group undoes only the branches that replied; a path on which the saga ends is a `break`."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import yaml

from conftest import REPO_ROOT
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.model.types import DesignModel
from eventdesign.render import mermaid
from eventdesign.saga.model import OrchestratedSaga, parse_saga
from eventdesign.saga.scenarios import (
    Block,
    Branch,
    Message,
    Note,
    StateMachine,
    orchestrated_sequence,
    orchestrated_states,
)

DATA = REPO_ROOT / "tests" / "data" / "saga"
CLEARING = DATA / "clearing-pivot.yaml"


def _model(tmp_path: Path, plant: Callable[[dict], None] | None = None) -> DesignModel:
    """The transfer saga's model, with `plant` applied to a copy."""
    if plant is None:
        return load_model(CLEARING)
    data = copy.deepcopy(parse_yaml(CLEARING.read_text(encoding="utf-8"), str(CLEARING)).data)
    plant(data)
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_model(path)


def _saga(model: DesignModel) -> OrchestratedSaga:
    saga = parse_saga("SendTransfer", model.sagas["SendTransfer"])
    assert isinstance(saga, OrchestratedSaga)
    return saga


def _pivot_retry(retry: dict) -> Callable[[dict], None]:
    def plant(data: dict) -> None:
        data["sagas"]["SendTransfer"]["steps"][2]["retry"] = retry

    return plant


def _targets(machine: StateMachine, source_label: str) -> dict[str, str]:
    """{transition label: target state label} of the transitions leaving a state."""
    labels = {state.key: state.label for state in machine.states}
    source = next(state.key for state in machine.states if state.label == source_label)
    return {
        t.label: labels[t.target] if t.target is not None else "[*]"
        for t in machine.transitions
        if t.source == source
    }


def _ends_after(items: tuple, command: str) -> dict[str, Branch]:
    """The `break` blocks (paths on which the saga ends) right after the message sending
    `command`, by label."""
    index = next(
        i for i, item in enumerate(items) if isinstance(item, Message) and item.text == command
    )
    ends = {}
    for item in items[index + 1 :]:
        if not (isinstance(item, Block) and item.block == "break"):
            break
        ends[item.branches[0].label] = item.branches[0]
    assert ends, "no break block follows " + command
    return ends


def _sent(items: tuple) -> list[str]:
    """Every message text in `items`, nested blocks included, in order."""
    found: list[str] = []
    for item in items:
        if isinstance(item, Message):
            found.append(item.text)
        elif isinstance(item, Block):
            for branch in item.branches:
                found.extend(_sent(branch.items))
    return found


def _notes(items: tuple) -> list[str]:
    return [item.text for item in items if isinstance(item, Note)]


# -- a pivot that times out ------------------------------------------------------------------
def test_state_diagram_pivot_timeout_is_not_compensated(tmp_path):
    targets = _targets(orchestrated_states(_saga(_model(tmp_path))), "clear: awaiting reply")
    assert targets["no reply within 5m (outcome unknown)"] == (
        "stuck: outcome of SubmitToClearing unknown"
    )
    assert targets["PaymentRejectedByClearing"] == "undo debit: RefundAccount"


def test_state_diagram_pivot_timeout_escalates(tmp_path):
    retry = {"max_attempts": 3, "escalate_to": "payments operations"}
    model = _model(tmp_path, _pivot_retry(retry))
    targets = _targets(orchestrated_states(_saga(model)), "clear: awaiting reply")
    assert targets["no reply within 5m after 3 attempts (outcome unknown)"] == (
        "escalated to payments operations"
    )
    assert "undo debit: RefundAccount" not in {
        target for label, target in targets.items() if "no reply" in label
    }


def test_state_diagram_pivot_retried_without_limit_loops_on_timeout(tmp_path):
    model = _model(tmp_path, _pivot_retry({"max_attempts": "unlimited", "backoff": "1m"}))
    targets = _targets(orchestrated_states(_saga(model)), "clear: awaiting reply")
    assert targets == {
        "timeout: retry until it succeeds every 1m": "clear: awaiting reply",
        "PaymentRejectedByClearing": "undo debit: RefundAccount",
        "PaymentCleared": "notify: awaiting reply",
    }


def test_sequence_pivot_timeout_sends_no_compensation(tmp_path):
    model = _model(tmp_path)
    ends = _ends_after(orchestrated_sequence(model, _saga(model)).items, "SubmitToClearing")
    timeout = ends["no reply within 5m"]
    assert _sent(timeout.items) == []
    assert "may have committed" in _notes(timeout.items)[0]
    assert "RefundAccount" in _sent(ends["PaymentRejectedByClearing"].items)


def test_sequence_pivot_timeout_escalates(tmp_path):
    model = _model(tmp_path, _pivot_retry({"max_attempts": 3, "escalate_to": "payments ops"}))
    ends = _ends_after(orchestrated_sequence(model, _saga(model)).items, "SubmitToClearing")
    timeout = ends["no reply within 5m after 3 attempts"]
    assert _sent(timeout.items) == []
    assert _notes(timeout.items) == [
        "outcome of SubmitToClearing unknown: escalate to payments ops"
    ]


def test_mermaid_sequence_has_no_refund_after_the_pivot_timeout(tmp_path):
    text = mermaid.saga_sequence(_model(tmp_path), "SendTransfer")
    after = text.split("    break no reply within 5m\n", 1)[1].split("    end\n", 1)[0]
    assert "RefundAccount" not in after


# -- a compensatable step that times out -----------------------------------------------------
def test_state_diagram_compensatable_timeout_undoes_the_step_itself(tmp_path):
    targets = _targets(orchestrated_states(_saga(_model(tmp_path))), "debit: awaiting reply")
    assert targets["no reply within 30s (outcome unknown)"] == "undo debit: RefundAccount"
    assert targets["InsufficientFunds"] == "undo screen: ClearScreening"


def test_sequence_compensatable_timeout_undoes_the_step_itself(tmp_path):
    model = _model(tmp_path)
    ends = _ends_after(orchestrated_sequence(model, _saga(model)).items, "DebitAccount")
    assert _sent(ends["no reply within 30s"].items) == [
        "RefundAccount",
        "AccountRefunded",
        "ClearScreening",
        "ScreeningCleared",
        "ReleaseLimit",
        "LimitReleased",
    ]
    assert "RefundAccount" not in _sent(ends["InsufficientFunds"].items)


# -- a parallel group where one branch fails -------------------------------------------------
def test_sequence_parallel_failure_undoes_a_refused_branch_only_if_it_replied(tmp_path):
    model = _model(tmp_path)
    items = orchestrated_sequence(model, _saga(model)).items
    failure = next(i for i in items if isinstance(i, Block) and i.block == "break")
    assert failure.branches[0].label == "a step fails or times out"
    body = failure.branches[0].items
    assert [m.text for m in body if isinstance(m, Message)] == [
        "ClearScreening",
        "ScreeningCleared",
    ]
    guarded = next(i for i in body if isinstance(i, Block))
    assert guarded.branches[0].label == "reserve-limit replied LimitReserved or timed out"
    assert _sent(guarded.branches[0].items) == ["ReleaseLimit", "LimitReleased"]


def test_state_diagram_parallel_failure_skips_the_undo_of_a_refused_branch(tmp_path):
    machine = orchestrated_states(_saga(_model(tmp_path)))
    labels = {state.key: state.label for state in machine.states}
    join = next(state.key for state in machine.states if state.role == "join")
    failed = next(t for t in machine.transitions if t.source == join and t.label != "all replied")
    assert failed.label == "a step fails or times out"
    assert labels[failed.target] == "undo screen: ClearScreening"
    choice = next(state.key for state in machine.states if state.role == "choice")
    chosen = {t.label: labels[t.target] for t in machine.transitions if t.source == choice}
    assert chosen == {
        "reserve-limit replied LimitReserved or timed out": "undo reserve-limit: ReleaseLimit",
        "reserve-limit: LimitExceeded": "compensated: TransferFailed",
    }


def test_mermaid_state_diagram_draws_the_choice():
    text = mermaid.saga_states(load_model(CLEARING), "SendTransfer")
    assert "<<choice>>" in text
    assert "no reply within 10s or no reply within 30s" not in text
