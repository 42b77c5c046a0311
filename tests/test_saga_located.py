"""Every saga rule's finding, pinned: the rule, the element, the line, the column, the message.

Each case plants one defect into a copy of a sound saga vector (tests/data/saga, the bundled
example) and runs `check`'s saga rules on it: the copy must yield exactly one saga finding,
at exactly the place and with exactly the words a user reads.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from conftest import EXAMPLE_MODEL, REPO_ROOT
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.rules import engine
from eventdesign.rules.registry import all_rules
from eventdesign.rules.sagas import verify_model
from eventdesign.saga.verify import Limits
from saga_vectors import LATE_COMPENSATABLE_STEP, reaction, saga, step

DATA = REPO_ROOT / "tests" / "data" / "saga"
ORCHESTRATED = DATA / "orchestrated-ok.yaml"
CLEARING = DATA / "clearing-pivot.yaml"
TRIP = DATA / "trip-booking.yaml"
HOTEL = DATA / "hotel-hold.yaml"

Plant = Callable[[dict], None]


def without_reaction(service: str, on: str) -> Plant:
    return lambda data: saga(data)["reactions"].remove(reaction(data, service, on))


def setting(path: tuple, value: object) -> Plant:
    """Sets the value at `path` (keys and indexes into the model)."""

    def plant(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return plant


def unsetting(path: tuple) -> Plant:
    def plant(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return plant


def both(*plants: Plant) -> Plant:
    def plant(data: dict) -> None:
        for each in plants:
            each(data)

    return plant


def pivot_retried(data: dict) -> None:
    """clearing-pivot.yaml's pivot retried until it answers: the vector then verifies clean."""
    step(data, "clear")["retry"] = {"max_attempts": "unlimited"}


def late_compensatable_step(data: dict) -> None:
    saga(data)["steps"].insert(3, copy.deepcopy(LATE_COMPENSATABLE_STEP))


def cycle(data: dict) -> None:
    """The guest's confirmation asks to book again."""
    data["events"]["StayConfirmed"]["consumers"] = ["booking"]
    saga(data)["reactions"].append(
        {
            "service": "booking",
            "on": "StayConfirmed",
            "emits": "StayConfirmed",
            "kind": "retriable",
            "retry": {"max_attempts": "unlimited"},
        }
    )


def stale_reaction(data: dict) -> None:
    """A void that can find nothing to undo, and a reaction to that, although a lapsed hold
    always follows the authorisation it voids."""
    data["events"]["VoidSkipped"] = copy.deepcopy(data["events"]["NothingToVoid"])
    data["events"]["VoidSkipped"]["consumers"] = ["booking"]
    reaction(data, "payments", "HoldLapsed")["nothing_to_undo"] = "VoidSkipped"
    saga(data)["reactions"].append(
        {"service": "booking", "on": "VoidSkipped", "emits": "StayNotBooked"}
    )


def as_it_is(data: dict) -> None:
    """The vector as it is (it has the defect already, or the case bounds exploration)."""


# (rule, vector, the defect planted into a copy of it, the element of its one finding)
TRIGGERS: list[tuple[str, Path, Plant, str]] = [
    (
        "SAG001",
        ORCHESTRATED,
        setting(("sagas", "CreateOrder", "steps", 0, "command"), "GrabStock"),
        "saga CreateOrder: command GrabStock",
    ),
    (
        "SAG002",
        ORCHESTRATED,
        setting(("events", "StockReserved", "producer"), "warehouse-robot"),
        "saga CreateOrder: event StockReserved",
    ),
    (
        "SAG003",
        ORCHESTRATED,
        setting(("commands", "ReserveStock", "handler"), "shipping"),
        "saga CreateOrder: ReserveStock handler",
    ),
    (
        "SAG004",
        ORCHESTRATED,
        setting(("sagas", "CreateOrder", "orchestrator"), "order-saga"),
        "saga CreateOrder: service order-saga",
    ),
    (
        "SAG010",
        ORCHESTRATED,
        unsetting(("sagas", "CreateOrder", "steps", 0, "compensation")),
        "saga CreateOrder: reserve-stock",
    ),
    ("SAG011", ORCHESTRATED, late_compensatable_step, "saga CreateOrder: print-label"),
    (
        "SAG012",
        ORCHESTRATED,
        setting(("sagas", "CreateOrder", "steps", 3, "retry"), {"max_attempts": 3}),
        "saga CreateOrder: schedule-shipment",
    ),
    (
        "SAG013",
        ORCHESTRATED,
        unsetting(("sagas", "CreateOrder", "steps", 0, "compensation", "retry")),
        "saga CreateOrder: reserve-stock",
    ),
    (
        "SAG014",
        ORCHESTRATED,
        unsetting(("sagas", "CreateOrder", "steps", 2, "timeout")),
        "saga CreateOrder: charge-card",
    ),
    (
        "SAG015",
        ORCHESTRATED,
        setting(("services", "payments", "idempotency"), "none"),
        "saga CreateOrder: payments handles ChargeCard",
    ),
    (
        "SAG016",
        EXAMPLE_MODEL,
        without_reaction("orders", "StockReservationFailed"),
        "saga OrderFulfilment: non-terminal: StockReservationFailed",
    ),
    ("SAG017", CLEARING, as_it_is, "saga SendTransfer: clear"),
    (
        "SAG018",
        CLEARING,
        both(
            pivot_retried,
            setting(
                ("sagas", "SendTransfer", "steps", 0, "parallel", 1, "compensation", "command"),
                "ScreenTransfer",
            ),
        ),
        "saga SendTransfer: screen compensation",
    ),
    ("SAG020", HOTEL, stale_reaction, "saga BookStay: booking on VoidSkipped"),
    ("SAG021", HOTEL, cycle, "saga BookStay: booking on StayConfirmed"),
    ("SAG022", ORCHESTRATED, as_it_is, "saga CreateOrder: exploration bound"),
    (
        "SAG023",
        TRIP,
        setting(("events", "RoomHeld", "schema", "required"), ["expiresAt"]),
        "saga BookTrip: RoomHeld correlation",
    ),
    ("SAG024", TRIP, setting(("events", "SeatHeld", "key"), "seat"), "saga BookTrip: SeatHeld key"),
    (
        "SAG025",
        TRIP,
        both(
            unsetting(
                ("sagas", "BookTrip", "steps", 0, "parallel", 1, "compensation", "nothing_to_undo")
            ),
            setting(("commands", "ReleaseRoom", "channel"), "trip.flights"),
        ),
        "saga BookTrip: hold-room compensation",
    ),
    (
        "SAG026",
        HOTEL,
        lambda d: reaction(d, "payments", "RoomReleased").pop("nothing_to_undo"),
        "saga BookStay: payments on RoomReleased",
    ),
    (
        "SAG027",
        HOTEL,
        setting(("sagas", "BookStay", "timers", 0, "stops_on"), ["RoomReleased", "NoRoomHeld"]),
        "saga BookStay: hotel on HoldExpired",
    ),
    (
        "SAG028",
        TRIP,
        unsetting(("sagas", "BookTrip", "cancel", "after_pivot")),
        "saga BookTrip: cancel after charge",
    ),
    (
        "SAG029",
        TRIP,
        setting(
            ("sagas", "BookTrip", "cancel", "after_pivot", "retry", "escalate_to"),
            "payments on-call",
        ),
        "saga BookTrip: step 'cancellation-fee' escalation",
    ),
]
# Where each trigger's finding is, and what it says: (line, column, message).
LOCATED = {
    "SAG001": (
        124,
        7,
        (
            "saga 'CreateOrder' names command 'GrabStock', which the model does not declare under "
            "`commands:`"
        ),
    ),
    "SAG002": (
        125,
        7,
        (
            "no service produces event 'StockReserved' used by saga 'CreateOrder' (its producer "
            "'warehouse-robot' is not a declared service)"
        ),
    ),
    "SAG003": (
        124,
        7,
        (
            "saga 'CreateOrder' sends 'ReserveStock' to inventory, but the model's handler of "
            "'ReserveStock' is shipping"
        ),
    ),
    "SAG004": (
        118,
        5,
        "saga 'CreateOrder' names service 'order-saga', which the model does not declare",
    ),
    "SAG010": (
        122,
        7,
        (
            "compensatable step 'reserve-stock' has no compensation: when a later step fails, "
            "ReserveStock stays in effect"
        ),
    ),
    "SAG011": (
        171,
        7,
        "step 'print-label' can fail after the pivot 'charge-card', which cannot be undone",
    ),
    "SAG012": (
        171,
        7,
        (
            "retriable step 'schedule-shipment' can fail for good (retry up to 3 times, with no "
            "escalation)"
        ),
    ),
    "SAG013": (
        129,
        7,
        "compensation ReleaseStock of step 'reserve-stock' can fail and it is not retried",
    ),
    "SAG014": (
        161,
        7,
        "step 'charge-card' has no timeout: if payments never replies, the saga waits forever",
    ),
    "SAG015": (
        161,
        7,
        (
            "payments is not idempotent (idempotency: none) but receives ChargeCard in saga "
            "'CreateOrder', and brokers redeliver"
        ),
    ),
    "SAG016": (
        438,
        3,
        (
            "a path of saga 'OrderFulfilment' stops after StockReservationFailed: no reaction "
            "follows, and it is neither completed (OrderConfirmed) nor compensated "
            "(OrderCancelled)"
        ),
    ),
    "SAG017": (
        146,
        7,
        (
            "pivot 'clear' can time out, and the saga then compensates although SubmitToClearing "
            "may have committed (a timeout leaves the outcome unknown)"
        ),
    ),
    "SAG018": (
        128,
        9,
        (
            "the compensation of step 'screen' is ScreenTransfer, the step's own command: sending "
            "it again repeats the step instead of undoing it"
        ),
    ),
    "SAG020": (
        349,
        7,
        (
            "reaction 'booking on VoidSkipped' never runs: no explored path of saga 'BookStay' "
            "emits VoidSkipped"
        ),
    ),
    "SAG021": (337, 7, "reactions of saga 'BookStay' form a loop: booking on StayConfirmed"),
    "SAG022": (
        114,
        3,
        "exploration of saga 'CreateOrder' stopped at 6 states; paths beyond were not checked",
    ),
    "SAG023": (
        389,
        9,
        (
            "reply RoomHeld of saga 'BookTrip' does not always carry the correlation field tripId "
            "(optional in its payload schema): its receiver cannot tell which saga instance it "
            "belongs to"
        ),
    ),
    "SAG024": (
        374,
        9,
        (
            "reply SeatHeld of saga 'BookTrip' is keyed by seat, not by the correlation field "
            "tripId: messages of one saga instance land on different partitions and lose their "
            "order"
        ),
    ),
    "SAG025": (
        393,
        9,
        (
            "in saga 'BookTrip', ReleaseRoom can overtake HoldRoom (ReleaseRoom travels on "
            "trip.flights, HoldRoom on trip.hotels); it can be sent while the step is in flight "
            "(hold-room timed out)"
        ),
    ),
    "SAG026": (
        311,
        7,
        (
            "compensating reaction 'payments on RoomReleased' can run on a path where "
            "PaymentAuthorized never happened: it undoes an effect that is not there, and "
            "PaymentAuthorized may still come afterwards and stay in effect"
        ),
    ),
    "SAG027": (
        292,
        7,
        (
            "an expired timer makes 'hotel on HoldExpired' undo RoomHeld after the pivot 'hotel "
            "on PaymentAuthorized' (RoomBooked) committed: the saga ends half done"
        ),
    ),
    "SAG028": (
        353,
        5,
        (
            "a cancel (CancelTrip) can arrive after the pivot 'charge' of saga 'BookTrip', and "
            "nothing says what happens: compensating would undo a step that cannot be undone"
        ),
    ),
    "SAG029": (
        362,
        9,
        (
            "step 'cancellation-fee' of saga 'BookTrip' names `escalate_to: payments on-call` but "
            "retries without limit and has no `page_after`: the escalation never fires, and a "
            "stuck saga retries silently forever"
        ),
    ),
}
# A service the model does not declare has no declared idempotency either: naming one in a
# saga also reports that it may apply a redelivered message twice.
ALSO = {
    "SAG004": [
        (
            "SAG015",
            "saga CreateOrder: order-saga handles replies",
            114,
            3,
            (
                "orchestrator order-saga is not idempotent (idempotency: not declared) but "
                "receives replies such as StockReserved, and brokers redeliver"
            ),
        )
    ]
}
# The exploration bound of a case; the default (`check`'s) everywhere else.
BOUNDS = {"SAG022": Limits(max_states=3)}


def planted(tmp_path: Path, source: Path, plant: Plant) -> Path:
    """A copy of the vector with `plant` applied, written as `check` would read it."""
    data = copy.deepcopy(parse_yaml(source.read_text(encoding="utf-8"), str(source)).data)
    plant(data)
    directory = tmp_path / "model"
    shutil.copytree(source.parent, directory)  # schemas a vector names live beside it
    path = directory / "design.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def located(findings: list) -> list[tuple[str, str, int, int, str]]:
    return [(f.rule, f.element, f.location.line, f.location.column, f.message) for f in findings]


def test_every_saga_rule_has_a_located_trigger():
    saga_rules = {r.id for r in all_rules() if r.family == "sagas"}
    assert saga_rules == {rule_id for rule_id, *_ in TRIGGERS} == set(LOCATED)


@pytest.mark.parametrize(
    ("rule_id", "source", "plant", "element"), TRIGGERS, ids=[t[0] for t in TRIGGERS]
)
def test_the_planted_defect_is_the_one_saga_finding(tmp_path, rule_id, source, plant, element):
    path = planted(tmp_path, source, plant)
    model = load_model(path)
    if rule_id in BOUNDS:
        found = verify_model(model, limits=BOUNDS[rule_id])
    else:
        found = engine.run_rules(model, engine.select_rules(all_rules(), cli_select=["SAG"]))
    expected = [(rule_id, element, *LOCATED[rule_id]), *ALSO.get(rule_id, [])]
    assert sorted(located(found)) == sorted(expected)
    assert {f.location.file for f in found} == {str(path)}


@pytest.mark.parametrize(
    ("rule_id", "source", "plant", "element"),
    [t for t in TRIGGERS if t[0] not in BOUNDS],
    ids=[t[0] for t in TRIGGERS if t[0] not in BOUNDS],
)
def test_selecting_the_rule_alone_runs_the_saga_analysis(tmp_path, rule_id, source, plant, element):
    model = load_model(planted(tmp_path, source, plant))
    found = engine.run_rules(model, engine.select_rules(all_rules(), cli_select=[rule_id]))
    assert located(found) == [(rule_id, element, *LOCATED[rule_id])]
