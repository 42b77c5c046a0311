"""`saga verify`: each planted defect is found with its counterexample trace; sound sagas pass."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from conftest import EXAMPLE_DIR, EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.findings import Finding
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.rules.sagas import verify_model
from eventdesign.saga.verify import Limits
from saga_vectors import LATE_COMPENSATABLE_STEP

DATA = REPO_ROOT / "tests" / "data" / "saga"
ORCHESTRATED = DATA / "orchestrated-ok.yaml"


def _raw(path: Path) -> dict:
    # the project's parser keeps `on:` a string key (PyYAML's safe_load would make it True)
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


def _write(data: dict, directory: Path) -> Path:
    path = directory / "design.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def orchestrated(tmp_path: Path, plant: Callable[[dict], None]) -> list[Finding]:
    """Findings for the correct orchestrated saga with one defect planted."""
    data = copy.deepcopy(_raw(ORCHESTRATED))
    plant(data)
    return verify_model(load_model(_write(data, tmp_path)))


def choreographed(tmp_path: Path, plant: Callable[[dict], None]) -> list[Finding]:
    """Findings for the bundled example's choreography with one defect planted."""
    target = tmp_path / "order-flow"
    shutil.copytree(EXAMPLE_DIR, target)
    data = copy.deepcopy(_raw(EXAMPLE_MODEL))
    plant(data)
    return verify_model(load_model(_write(data, target)))


def steps(data: dict) -> list:
    return data["sagas"]["CreateOrder"]["steps"]


def reactions(data: dict) -> list:
    return data["sagas"]["OrderFulfilment"]["reactions"]


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, [(f.rule, f.message) for f in findings]
    return matching[0]


HAPPY_PREFIX = [
    "1. orders -> inventory: ReserveStock",
    "2. inventory: StockReserved",
    "3. orders -> shipping: BookCarrier (in parallel)",
    "4. shipping: CarrierBooked",
    "5. orders -> risk: HoldForReview (in parallel)",
    "6. risk: ReviewHoldPlaced",
    "7. orders -> payments: ChargeCard",
    "8. payments: CardCharged",
]


# -- sound sagas -----------------------------------------------------------------------------
def test_bundled_example_verifies_clean():
    result = run_grimoire("saga", "verify", str(EXAMPLE_MODEL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("saga: 0 errors, 0 warnings, 0 info")


def test_correct_orchestrated_saga_verifies_clean():
    assert verify_model(load_model(ORCHESTRATED)) == []


# -- orchestration defects -------------------------------------------------------------------
def test_compensatable_step_without_compensation_leaves_its_effect(tmp_path):
    findings = orchestrated(tmp_path, lambda d: steps(d)[0].pop("compensation"))
    finding = only(findings, "SAG010")
    assert finding.severity == "error"
    assert "reserve-stock" in finding.message
    assert finding.trace[-2:] == (
        "7. orders: compensating; nothing undoes ReserveStock",
        "8. end: ReserveStock by inventory stays in effect (no compensation)",
    )
    assert finding.trace[0] == "1. orders -> inventory: ReserveStock"


def test_step_without_timeout_waits_forever(tmp_path):
    findings = orchestrated(tmp_path, lambda d: steps(d)[2].pop("timeout"))
    finding = only(findings, "SAG014")
    assert list(finding.trace) == [
        *HAPPY_PREFIX[:6],
        "7. orders -> payments: ChargeCard",
        "8. payments: no reply (message lost or participant down)",
        "9. end: orders waits for CardCharged forever (no timeout)",
    ]


def test_retriable_step_declaring_a_failure_can_fail_for_good(tmp_path):
    def plant(data):
        data["events"]["ShipmentRefused"] = {"producer": "shipping", "consumers": ["orders"]}
        steps(data)[3]["failure"] = "ShipmentRefused"

    finding = only(orchestrated(tmp_path, plant), "SAG012")
    assert list(finding.trace) == [
        *HAPPY_PREFIX,
        "9. orders -> shipping: ScheduleShipment",
        "10. shipping: ShipmentRefused",
        "11. end: ScheduleShipment failed for good after the pivot charge-card; the saga can "
        "neither complete nor compensate",
    ]


def test_retriable_step_with_bounded_retries_and_no_escalation_can_fail(tmp_path):
    finding = only(
        orchestrated(tmp_path, lambda d: steps(d)[3].__setitem__("retry", {"max_attempts": 3})),
        "SAG012",
    )
    assert finding.trace[-3:] == (
        "10. shipping: no reply within 30s (timeout)",
        "11. orders: retried 3 times, no reply",
        "12. end: ScheduleShipment failed for good after the pivot charge-card; the saga can "
        "neither complete nor compensate",
    )


def test_retriable_step_that_escalates_is_a_defined_end(tmp_path):
    retry = {"max_attempts": 3, "escalate_to": "shipping desk"}
    findings = orchestrated(tmp_path, lambda d: steps(d)[3].__setitem__("retry", retry))
    assert findings == []


def test_compensation_without_retry_can_fail(tmp_path):
    findings = orchestrated(tmp_path, lambda d: steps(d)[0]["compensation"].pop("retry"))
    finding = only(findings, "SAG013")
    assert finding.location.pointer == "/sagas/CreateOrder/steps/0/compensation"
    # shortest path: ReserveStock times out, so its outcome is unknown and it is compensated
    assert list(finding.trace) == [
        "1. orders -> inventory: ReserveStock",
        "2. inventory: no reply within 30s (timeout)",
        "3. orders -> inventory: ReleaseStock (compensates reserve-stock; its outcome is unknown)",
        "4. inventory: no reply (message lost or participant down)",
        "5. end: ReserveStock stays in effect: ReleaseStock failed (it is not retried)",
    ]


def test_compensation_that_can_be_refused_needs_escalation(tmp_path):
    def plant(data):
        data["events"]["ReleaseRefused"] = {"producer": "inventory", "consumers": ["orders"]}
        steps(data)[0]["compensation"]["failure"] = "ReleaseRefused"

    finding = only(orchestrated(tmp_path, plant), "SAG013")
    assert finding.trace[-2:] == (
        "4. inventory: ReleaseRefused",
        "5. end: ReserveStock stays in effect: ReleaseStock failed (a retry does not change a "
        "refusal and nothing escalates it)",
    )


def test_compensatable_step_after_the_pivot_is_reported(tmp_path):
    late = copy.deepcopy(LATE_COMPENSATABLE_STEP)
    finding = only(orchestrated(tmp_path, lambda d: steps(d).insert(3, late)), "SAG011")
    assert "print-label" in finding.message
    assert list(finding.trace) == [
        *HAPPY_PREFIX,
        "9. orders -> shipping: BookCarrier",
        "10. shipping: no reply within 5s (timeout)",
        "11. end: ChargeCard (pivot) cannot be undone, so the saga can neither complete nor "
        "compensate",
    ]


def test_second_pivot_is_reported(tmp_path):
    second = {
        "name": "charge-again",
        "participant": "payments",
        "command": "ChargeCard",
        "reply": "CardCharged",
        "failure": "CardDeclined",
        "kind": "pivot",
        "timeout": "1m",
    }
    finding = only(orchestrated(tmp_path, lambda d: steps(d).insert(3, second)), "SAG011")
    assert "charge-again" in finding.message
    assert finding.trace[-1].endswith(
        "end: ChargeCard (pivot) cannot be undone, so the saga can neither complete nor compensate"
    )


@pytest.mark.parametrize("level", ["none", None])
def test_participant_without_idempotency_fails_under_duplicate_delivery(tmp_path, level):
    def plant(data):
        if level is None:
            data["services"]["inventory"].pop("idempotency")
        else:
            data["services"]["inventory"]["idempotency"] = level

    findings = [f for f in orchestrated(tmp_path, plant) if f.rule == "SAG015"]
    shown = level or "not declared"
    first = next(f for f in findings if "ReserveStock" in f.element)
    assert list(first.trace) == [
        "1. orders -> inventory: ReserveStock",
        "2. orders -> inventory: ReserveStock (delivered again)",
        f"3. end: inventory handles ReserveStock twice (idempotency: {shown})",
    ]


def test_undeclared_command_is_reported(tmp_path):
    finding = only(
        orchestrated(tmp_path, lambda d: steps(d)[0].__setitem__("command", "GrabStock")),
        "SAG001",
    )
    assert "GrabStock" in finding.message
    assert finding.location.pointer == "/sagas/CreateOrder/steps/0/command"


def test_event_whose_producer_is_not_a_service_is_reported(tmp_path):
    def plant(data):
        data["events"]["StockReserved"]["producer"] = "warehouse-robot"

    finding = only(orchestrated(tmp_path, plant), "SAG002")
    assert "StockReserved" in finding.message


def test_unknown_participant_is_reported(tmp_path):
    finding = only(
        orchestrated(tmp_path, lambda d: steps(d)[2].__setitem__("participant", "bank")),
        "SAG004",
    )
    assert "bank" in finding.message


# -- choreography defects --------------------------------------------------------------------
def test_failure_event_nobody_reacts_to_is_a_non_terminal_path(tmp_path):
    def plant(data):
        del reactions(data)[5]  # orders on StockReservationFailed

    finding = only(choreographed(tmp_path, plant), "SAG016")
    assert list(finding.trace) == [
        "1. orders: OrderPlaced",
        "2. inventory on OrderPlaced: StockReservationFailed (fails)",
        "3. end: nobody reacts to StockReservationFailed; the saga is neither completed nor "
        "compensated",
    ]


def test_choreography_compensation_missing_leaves_stock_reserved(tmp_path):
    def plant(data):
        del reactions(data)[3]  # inventory releases stock on PaymentFailed

    finding = only(choreographed(tmp_path, plant), "SAG010")
    assert list(finding.trace) == [
        "1. orders: OrderPlaced",
        "2. inventory on OrderPlaced: StockReserved",
        "3. payments on StockReserved: PaymentFailed (fails)",
        "4. orders on PaymentFailed: OrderCancelled",
        "5. end: StockReserved stays in effect (no compensation)",
    ]


def test_choreography_compensation_that_can_fail_is_reported(tmp_path):
    def plant(data):
        data["events"]["StockReleaseFailed"] = {"producer": "inventory", "consumers": ["orders"]}
        reactions(data)[3]["fails_with"] = "StockReleaseFailed"

    finding = only(choreographed(tmp_path, plant), "SAG013")
    assert finding.trace[-2:] == (
        "4. inventory on PaymentFailed: StockReleaseFailed (fails)",
        "5. end: StockReserved stays in effect: its compensation failed (nothing escalates it)",
    )


def test_choreography_participant_without_idempotency_is_reported(tmp_path):
    def plant(data):
        data["services"]["payments"]["idempotency"] = "none"

    findings = choreographed(tmp_path, plant)
    # one finding per event payments reacts to: StockReserved, the expiry, the cancel
    assert len([f for f in findings if f.rule == "SAG015"]) == 3
    finding = next(f for f in findings if f.element.endswith("payments handles StockReserved"))
    assert list(finding.trace) == [
        "1. orders: OrderPlaced",
        "2. inventory on OrderPlaced: StockReserved",
        "3. payments on StockReserved: PaymentConfirmed",
        "4. StockReserved delivered again to payments",
        "5. end: payments handles StockReserved twice and emits PaymentConfirmed twice",
    ]


def test_reaction_waiting_for_an_event_nobody_emits_and_its_followers(tmp_path):
    def plant(data):
        data["events"]["LabelPrinted"] = {"producer": "orders", "consumers": ["orders"]}
        data["events"]["ParcelShipped"] = {"producer": "orders", "consumers": ["orders"]}
        reactions(data).append(
            {"service": "orders", "on": "LabelPrinted", "emits": "ParcelShipped"}
        )
        reactions(data).append(
            {"service": "orders", "on": "ParcelShipped", "emits": "OrderConfirmed"}
        )

    findings = choreographed(tmp_path, plant)
    assert "LabelPrinted" in only(findings, "SAG002").message
    unreachable = only(findings, "SAG020")
    assert unreachable.severity == "warning"
    assert list(unreachable.trace) == [
        "1. ParcelShipped is emitted only by: orders on LabelPrinted",
        "2. end: none of them runs on any path from OrderPlaced",
    ]


def test_reactions_forming_a_loop_are_reported(tmp_path):
    def plant(data):
        data["events"]["OrderCancelled"]["consumers"].append("inventory")
        reactions(data).append(
            {"service": "inventory", "on": "OrderCancelled", "emits": "StockReserved"}
        )

    finding = only(choreographed(tmp_path, plant), "SAG021")
    assert list(finding.trace) == [
        "1. payments on StockReserved: PaymentConfirmed, PaymentFailed",
        "2. orders on PaymentFailed: OrderCancelled",
        "3. inventory on OrderCancelled: StockReserved",
        "4. end: StockReserved triggers payments on StockReserved again (loop)",
    ]


def test_exploration_is_bounded_and_says_so():
    findings = verify_model(load_model(ORCHESTRATED), limits=Limits(max_states=3))
    assert only(findings, "SAG022").severity == "info"


# -- command line ----------------------------------------------------------------------------
def test_verify_exits_1_and_prints_the_trace_for_a_defect(tmp_path):
    data = copy.deepcopy(_raw(ORCHESTRATED))
    steps(data)[2].pop("timeout")
    model = _write(data, tmp_path)
    result = run_grimoire("saga", "verify", str(model))
    assert result.returncode == 1
    assert "error SAG014" in result.stdout
    assert "  trace: 9. end: orders waits for CardCharged forever (no timeout)" in result.stdout


def test_verify_json_output_carries_the_trace(tmp_path):
    data = copy.deepcopy(_raw(ORCHESTRATED))
    steps(data)[2].pop("timeout")
    result = run_grimoire("saga", "verify", str(_write(data, tmp_path)), "--format", "json")
    document = json.loads(result.stdout)
    assert "SAG014" in result.stdout
    assert "waits for CardCharged forever" in json.dumps(document)


def test_verify_strict_fails_on_warnings(tmp_path):
    data = copy.deepcopy(_raw(ORCHESTRATED))
    data["commands"]["ReserveStock"]["handler"] = "shipping"  # SAG003 warning only
    model = _write(data, tmp_path)
    assert run_grimoire("saga", "verify", str(model)).returncode == 0
    assert run_grimoire("saga", "verify", str(model), "--strict").returncode == 1


def test_verify_unknown_saga_is_unusable_input():
    result = run_grimoire("saga", "verify", str(EXAMPLE_MODEL), "--saga", "Nope")
    assert result.returncode == 2
    assert "no saga named 'Nope'" in result.stderr


def test_verify_unreadable_model_is_unusable_input(tmp_path):
    broken = tmp_path / "design.yaml"
    broken.write_text("format: grimoire/1\nsagas: {S: {style: orchestration}}\n")
    result = run_grimoire("saga", "verify", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_check_runs_saga_verification(tmp_path):
    data = copy.deepcopy(_raw(ORCHESTRATED))
    steps(data)[0].pop("compensation")
    result = run_grimoire("check", str(_write(data, tmp_path)), "--select", "SAG")
    assert result.returncode == 1
    assert "SAG010" in result.stdout


def test_choreography_with_declared_pivot_and_retriable_step_verifies_clean(tmp_path):
    def plant(data):
        reactions(data)[1]["kind"] = "pivot"  # payments charges
        reactions(data)[2]["kind"] = "retriable"  # orders confirms

    assert choreographed(tmp_path, plant) == []


def test_choreography_step_that_can_fail_after_the_pivot_is_reported(tmp_path):
    def plant(data):
        reactions(data)[0]["kind"] = "pivot"  # inventory's reservation becomes the pivot
        reactions(data)[1].pop("kind", None)  # payments, after it, can still fail

    finding = only(choreographed(tmp_path, plant), "SAG011")
    assert list(finding.trace) == [
        "1. inventory on OrderPlaced: StockReserved",
        "2. payments on StockReserved: PaymentFailed",
        "3. end: StockReserved (pivot) cannot be undone",
    ]


def test_hostile_names_verify_without_crashing():
    findings = verify_model(load_model(DATA / "hostile-names.yaml"))
    assert all(f.rule.startswith("SAG") for f in findings)


# -- timeouts leave the outcome unknown ------------------------------------------------------
CLEARING = DATA / "clearing-pivot.yaml"


def transfer(tmp_path: Path, plant: Callable[[dict], None]) -> list[Finding]:
    """Findings for the transfer saga whose pivot times out, with `plant` applied."""
    data = copy.deepcopy(_raw(CLEARING))
    plant(data)
    return verify_model(load_model(_write(data, tmp_path)))


def transfer_steps(data: dict) -> list:
    return data["sagas"]["SendTransfer"]["steps"]


def test_pivot_that_can_time_out_is_not_compensated_around():
    finding = only(verify_model(load_model(CLEARING)), "SAG017")
    assert finding.severity == "error"
    assert finding.location.pointer == "/sagas/SendTransfer/steps/2"
    assert "outcome unknown" in finding.message
    assert list(finding.trace) == [
        "1. transfers -> limits: ReserveLimit (in parallel)",
        "2. limits: LimitReserved",
        "3. transfers -> screening: ScreenTransfer (in parallel)",
        "4. screening: TransferScreened",
        "5. transfers -> ledger: DebitAccount",
        "6. ledger: AccountDebited",
        "7. transfers -> clearing: SubmitToClearing",
        "8. clearing: no reply within 5m (timeout)",
        "9. transfers: outcome of SubmitToClearing unknown",
        "10. end: transfers compensates debit (RefundAccount), screen (ClearScreening), "
        "reserve-limit (ReleaseLimit) although SubmitToClearing (pivot) may have committed",
    ]


def test_pivot_with_bounded_retries_and_no_escalation_is_compensated_around(tmp_path):
    retry = {"max_attempts": 3, "backoff": "1m"}
    findings = transfer(tmp_path, lambda d: transfer_steps(d)[2].__setitem__("retry", retry))
    assert only(findings, "SAG017").trace[-3:] == (
        "9. transfers: retried 3 times, no reply",
        "10. transfers: outcome of SubmitToClearing unknown",
        "11. end: transfers compensates debit (RefundAccount), screen (ClearScreening), "
        "reserve-limit (ReleaseLimit) although SubmitToClearing (pivot) may have committed",
    )


def test_pivot_retried_until_it_answers_verifies_clean(tmp_path):
    retry = {"max_attempts": "unlimited", "backoff": "1m"}
    assert transfer(tmp_path, lambda d: transfer_steps(d)[2].__setitem__("retry", retry)) == []


def test_pivot_that_escalates_when_retries_run_out_verifies_clean(tmp_path):
    retry = {"max_attempts": 3, "backoff": "1m", "escalate_to": "payments operations"}
    assert transfer(tmp_path, lambda d: transfer_steps(d)[2].__setitem__("retry", retry)) == []


def test_compensatable_step_that_times_out_is_compensated_too(tmp_path):
    def plant(data):
        transfer_steps(data)[2]["retry"] = {"max_attempts": "unlimited"}
        transfer_steps(data)[1]["compensation"].pop("retry")  # RefundAccount not retried

    finding = only(transfer(tmp_path, plant), "SAG013")
    assert list(finding.trace[4:]) == [
        "5. transfers -> ledger: DebitAccount",
        "6. ledger: no reply within 30s (timeout)",
        "7. transfers -> ledger: RefundAccount (compensates debit; its outcome is unknown)",
        "8. ledger: no reply (message lost or participant down)",
        "9. end: DebitAccount stays in effect: RefundAccount failed (it is not retried)",
    ]


def test_compensation_that_repeats_the_step_is_a_warning(tmp_path):
    def plant(data):
        transfer_steps(data)[2]["retry"] = {"max_attempts": "unlimited"}
        transfer_steps(data)[0]["parallel"][1]["compensation"]["command"] = "ScreenTransfer"

    finding = only(transfer(tmp_path, plant), "SAG018")
    assert finding.severity == "warning"
    assert finding.location.pointer == "/sagas/SendTransfer/steps/0/parallel/1/compensation"
    assert "ScreenTransfer" in finding.message
    assert finding.trace[-1] == "5. end: ScreenTransfer is applied again, not undone"


def test_timeout_rules_explain_the_unknown_outcome():
    from eventdesign.rules.registry import find_rule

    pivot = find_rule("SAG017")
    assert pivot is not None and pivot.severity == "error"
    assert "outcome is unknown" in pivot.explanation
    assert "Garcia-Molina & Salem 1987" in pivot.explanation
    assert "Richardson, Microservices Patterns" in pivot.explanation
    compensation = find_rule("SAG013")
    assert compensation is not None and "nothing to undo" in " ".join(
        compensation.explanation.split()
    )
    repeat = find_rule("SAG018")
    assert repeat is not None and repeat.severity == "warning"
