"""Sagas that model real workflows: each construct verifies clean when it is right, and each
flaw a reviewer would stop is reported with its counterexample.

Vectors (tests/data/saga, see its README): a cancellable trip booking (orchestration, a fee
after the pivot), an insurance-claim approval waiting for an adjuster with a deadline, a
ride-hailing driver re-match loop, and a choreographed hotel booking whose hold lapses.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.findings import Finding
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.rules.sagas import verify_with_coverage
from eventdesign.saga.violations import Coverage
from saga_vectors import reaction, saga, step

DATA = REPO_ROOT / "tests" / "data" / "saga"
TRIP = DATA / "trip-booking.yaml"
CLAIM = DATA / "claim-approval.yaml"
RIDE = DATA / "ride-rematch.yaml"
HOTEL = DATA / "hotel-hold.yaml"
DISPATCH = DATA / "ride-dispatch.yaml"


def verified(
    source: Path, tmp_path: Path, plant: Callable[[dict], None] | None = None
) -> tuple[list[Finding], Coverage]:
    """Findings and coverage of a vector's only saga, with `plant` applied to a copy."""
    if plant is None:
        findings, coverage = verify_with_coverage(load_model(source))
        return findings, coverage[0]
    data = copy.deepcopy(parse_yaml(source.read_text(encoding="utf-8"), str(source)).data)
    plant(data)
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    findings, coverage = verify_with_coverage(load_model(path))
    return findings, coverage[0]


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, [(f.rule, f.message) for f in findings]
    return matching[0]


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


# -- whole workflows verify clean, and say what was explored ---------------------------------
def test_cancellable_trip_booking_verifies_clean_and_explores_every_cancel_point(tmp_path):
    findings, coverage = verified(TRIP, tmp_path)
    assert findings == []
    assert coverage.complete
    # a cancel can arrive while each of the 4 steps is in flight (twice for parallel branches)
    assert coverage.cancel_points >= 4
    assert {"completed", "compensated", "cancelled"} <= set(coverage.outcomes)


def test_claim_approval_with_a_human_deadline_verifies_clean(tmp_path):
    findings, coverage = verified(CLAIM, tmp_path)
    assert findings == []  # the adjuster is no service, so no SAG004 for it
    assert "escalated" in coverage.outcomes  # two adjusters said no: the senior one decides


def test_ride_rematch_loop_verifies_clean(tmp_path):
    findings, coverage = verified(RIDE, tmp_path)
    assert findings == []
    assert coverage.complete and coverage.cancel_points > 0


def test_hotel_hold_that_lapses_verifies_clean_with_every_timer_race(tmp_path):
    findings, coverage = verified(HOTEL, tmp_path)
    assert findings == []
    assert coverage.timer_races > 0 and coverage.cancel_points > 0 and coverage.complete
    assert set(coverage.outcomes) == {"completed", "compensated"}


def test_saga_verify_reports_what_it_explored_in_text_and_json():
    text = run_grimoire("saga", "verify", str(HOTEL))
    assert text.returncode == 0, text.stdout + text.stderr
    assert "explored: saga BookStay: 15 reactions," in text.stdout
    assert "timer races" in text.stdout and "exploration complete" in text.stdout
    result = run_grimoire("saga", "verify", str(TRIP), "--format", "json")
    explored = json.loads(result.stdout)["explored"]
    assert explored[0]["saga"] == "BookTrip"
    assert explored[0]["complete"] is True
    assert explored[0]["cancel_points"] > 0 and explored[0]["paths"] > 0


# -- cancellation ----------------------------------------------------------------------------
def test_cancel_racing_the_pivot_without_a_forward_action_is_reported(tmp_path):
    findings, _ = verified(TRIP, tmp_path, lambda d: saga(d)["cancel"].pop("after_pivot"))
    finding = only(findings, "SAG028")
    assert list(finding.trace) == [
        "1. trips -> flights: HoldSeat (in parallel)",
        "2. flights: SeatHeld",
        "3. trips -> hotels: HoldRoom (in parallel)",
        "4. hotels: RoomHeld",
        "5. trips -> payments: ChargeTraveller",
        "6. outside -> trips: CancelTrip (while charge is in flight)",
        "7. payments: TravellerCharged (arrives after the cancel)",
        "8. end: CancelTrip is neither honoured nor refused after charge (pivot)",
    ]


def test_cancel_forward_action_that_can_fail_for_good_is_reported(tmp_path):
    def plant(data):
        saga(data)["cancel"]["after_pivot"]["retry"] = {"max_attempts": 3}

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG012")
    assert "cancel's action 'cancellation-fee'" in finding.message


def test_cancel_after_a_local_pivot_neither_refused_nor_forwarded_is_reported(tmp_path):
    findings, _ = verified(RIDE, tmp_path, lambda d: saga(d)["cancel"].pop("refused"))
    finding = only(findings, "SAG028")
    assert "after the pivot 'match'" in finding.message


def test_choreography_cancel_after_the_pivot_must_be_a_forward_action(tmp_path):
    def plant(data):
        reaction(data, "hotel", "CancelBookingRequested").pop("after_pivot")

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG027")
    assert "outside: CancelBookingRequested (cancel arrives)" in finding.trace[-3]
    assert finding.trace[-1].endswith("RoomHeld undone although RoomBooked (pivot) cannot be")


# -- compensations on paths where their step never ran; several outcomes ---------------------
def test_compensation_without_a_nothing_to_undo_outcome_runs_where_its_step_never_ran(tmp_path):
    def plant(data):
        reaction(data, "hotel", "CancelBookingRequested").pop("nothing_to_undo")

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG026")
    assert list(finding.trace) == [
        "1. booking: BookingRequested",
        "2. outside: CancelBookingRequested (cancel arrives)",
        "3. hotel on CancelBookingRequested: RoomReleased (RoomHeld never happened)",
        "4. end: RoomHeld was not in effect when hotel undid it",
    ]


# -- timers ----------------------------------------------------------------------------------
def test_hold_expiring_after_payment_was_captured_is_reported(tmp_path):
    """The pivot is payments capturing; the hotel only learns of it later, so the hold can
    lapse in between and release a room that was paid for."""

    def plant(data):
        reactions = saga(data)["reactions"]
        reactions[1] = {
            "service": "payments",
            "on": "RoomHeld",
            "emits": "PaymentCaptured",
            "fails_with": "PaymentDeclined",
            "kind": "pivot",
        }
        reactions[2] = {"service": "hotel", "on": "PaymentCaptured", "emits": "RoomBooked"}
        reactions[3] = {"service": "booking", "on": "RoomBooked", "emits": "StayConfirmed"}
        del reactions[4]

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG027")
    assert list(finding.trace) == [
        "1. booking: BookingRequested",
        "2. hotel on BookingRequested: RoomHeld",
        "3. payments on RoomHeld: PaymentCaptured",
        "4. hotel: HoldExpired (timer expires at expiresAt)",
        "5. hotel on HoldExpired: RoomReleased (undoes RoomHeld)",
        "6. end: RoomHeld undone although PaymentCaptured (pivot) cannot be",
    ]


def test_timer_not_stopped_by_the_pivot_fires_after_it(tmp_path):
    def plant(data):
        saga(data)["timers"][0]["stops_on"] = ["RoomReleased"]

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG027")
    assert "an expired timer" in finding.message


def test_timer_expiring_at_a_field_its_start_event_lacks_is_reported(tmp_path):
    finding = only(
        verified(HOTEL, tmp_path, lambda d: saga(d)["timers"][0].update(at="holdUntil"))[0],
        "SAG003",
    )
    assert "expires at holdUntil, which RoomHeld does not always carry" in finding.message


def test_timer_started_by_an_event_the_saga_never_emits_is_reported(tmp_path):
    def plant(data):
        data["events"]["RoomInspected"] = {"producer": "hotel", "consumers": ["hotel"]}
        saga(data)["timers"][0]["starts_on"] = "RoomInspected"

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG002")
    assert "starts on RoomInspected, which no reaction emits" in finding.message


def test_after_pivot_on_a_service_that_does_not_own_the_pivot_is_reported(tmp_path):
    def plant(data):
        reaction(data, "payments", "RoomReleased")["after_pivot"] = "CancellationFeeCharged"

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG028")
    assert "payments does not own the pivot" in finding.message


def _hold_lapses(data: dict, stops_on: list[str]) -> None:
    """hotels lets the room hold lapse at expiresAt on its own, unless `stops_on` came."""
    trip_id = {
        "type": "object",
        "required": ["tripId"],
        "properties": {"tripId": {"type": "string"}},
    }
    data["events"]["RoomHoldLapsed"] = {
        "producer": "hotels",
        "consumers": ["trips"],
        "channel": "trip.replies",
        "key": "tripId",
        "schema": trip_id,
    }
    timer = {"event": "RoomHoldLapsed", "service": "hotels", "starts_on": "RoomHeld"}
    saga(data)["timers"] = [
        {**timer, "at": "expiresAt", **({"stops_on": stops_on} if stops_on else {})}
    ]


def test_participant_hold_lapsing_after_the_orchestrators_pivot_is_reported(tmp_path):
    finding = only(verified(TRIP, tmp_path, lambda d: _hold_lapses(d, []))[0], "SAG027")
    assert "hotels's timer RoomHoldLapsed can expire after the pivot 'charge'" in finding.message
    assert finding.trace[-2:] == (
        "7. hotels: RoomHoldLapsed (timer expires at expiresAt)",
        "8. end: RoomHeld is gone although ChargeTraveller (pivot) cannot be undone",
    )


def test_participant_hold_stopped_before_the_pivot_only_races_compensatable_steps(tmp_path):
    def plant(data):
        _hold_lapses(data, ["SeatHeld"])
        data["sagas"]["BookTrip"]["steps"][0]["parallel"].reverse()  # room held before seat

    findings, coverage = verified(TRIP, tmp_path, plant)
    assert findings == []
    assert coverage.timer_races > 0


# -- people in a choreography ----------------------------------------------------------------
def test_choreographed_dispatch_waiting_for_a_driver_verifies_clean(tmp_path):
    findings, coverage = verified(DISPATCH, tmp_path)
    assert findings == []
    assert coverage.timer_races > 0 and "compensated" in coverage.outcomes


def test_reaction_waiting_for_a_person_without_a_deadline_is_reported(tmp_path):
    def plant(data):
        del saga(data)["timers"]
        del saga(data)["reactions"][4]  # driver-app on MatchingTimedOut

    finding = only(verified(DISPATCH, tmp_path, plant)[0], "SAG014")
    assert "'driver-app on FareHeld' waits for driver without a deadline" in finding.message


def test_choreographed_repeat_that_escalates_ends_escalated(tmp_path):
    def plant(data):
        reaction(data, "driver-app", "FareHeld")["repeat"]["escalate_to"] = "dispatch desk"

    findings, coverage = verified(DISPATCH, tmp_path, plant)
    assert findings == []
    assert "escalated" in coverage.outcomes


def test_deadline_owned_by_another_service_than_the_pivot_races_it(tmp_path):
    def plant(data):
        saga(data)["timers"][0].update(service="fares", stops_on=["DriverAccepted"])
        data["events"]["MatchingTimedOut"].update(producer="fares", consumers=["fares"])
        reactions = saga(data)["reactions"]
        reactions[4] = {
            "service": "fares",
            "on": "MatchingTimedOut",
            "emits": "FareReleased",
            "compensates": "FareHeld",
        }

    finding = only(verified(DISPATCH, tmp_path, plant)[0], "SAG027")
    assert finding.trace[-1] == (
        "6. end: FareHeld undone although DriverAccepted (pivot) cannot be"
    )


# -- correlation and keys --------------------------------------------------------------------
def test_reply_without_the_correlation_field_is_reported(tmp_path):
    def plant(data):
        data["events"]["RoomHeld"]["schema"]["required"] = ["expiresAt"]

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG023")
    assert finding.message.startswith("reply RoomHeld of saga 'BookTrip' does not always carry")
    assert "(optional in its payload schema)" in finding.message


def test_compensation_reply_without_the_correlation_field_is_reported(tmp_path):
    def plant(data):
        data["events"]["SeatReleased"]["schema"] = {
            "type": "object",
            "required": ["seat"],
            "properties": {"seat": {"type": "string"}},
        }

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG023")
    assert "compensation reply SeatReleased" in finding.message
    assert "(missing in its payload schema)" in finding.message


def test_timer_event_without_the_correlation_field_is_reported(tmp_path):
    def plant(data):
        data["events"]["HoldExpired"]["schema"]["required"] = []

    finding = only(verified(HOTEL, tmp_path, plant)[0], "SAG023")
    assert finding.message.startswith("timer HoldExpired")


def test_saga_message_keyed_by_another_field_is_reported(tmp_path):
    def plant(data):
        data["events"]["SeatHeld"]["key"] = "seat"

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG024")
    assert "keyed by seat, not by the correlation field tripId" in finding.message


# -- compensations overtaking their step -----------------------------------------------------
def _release_room(data: dict) -> dict:
    compensation = step(data, "hold-room")["compensation"]
    compensation.pop("nothing_to_undo")
    return compensation


def test_compensation_on_the_steps_ordered_channel_cannot_overtake(tmp_path):
    findings, _ = verified(TRIP, tmp_path, _release_room)
    assert "SAG025" not in rules(findings)


@pytest.mark.parametrize(
    ("section", "name", "setting", "expected"),
    [
        (
            "commands",
            "ReleaseRoom",
            {"channel": "trip.flights"},
            "ReleaseRoom travels on trip.flights, HoldRoom on trip.hotels",
        ),
        (
            "channels",
            "trip.hotels",
            {"ordering": "none"},
            "channel trip.hotels does not keep per-key order",
        ),
    ],
    ids=["other-channel", "unordered-channel"],
)
def test_compensation_that_can_overtake_its_step_is_reported(
    tmp_path, section, name, setting, expected
):
    def plant(data):
        _release_room(data)
        data[section][name].update(setting)

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG025")
    assert expected in finding.message
    assert finding.trace[-1] == "4. end: HoldRoom takes effect afterwards and stays in effect"


def test_compensation_keyed_by_another_field_than_its_step_can_overtake(tmp_path):
    def plant(data):
        _release_room(data)
        data["commands"]["HoldRoom"]["key"] = "tripId"
        data["commands"]["ReleaseRoom"]["key"] = "hotel"
        data["commands"]["ReleaseRoom"]["schema"]["required"].append("hotel")
        data["commands"]["ReleaseRoom"]["schema"]["properties"]["hotel"] = {"type": "string"}

    findings, _ = verified(TRIP, tmp_path, plant)
    finding = only(findings, "SAG025")
    assert "HoldRoom is keyed by tripId, ReleaseRoom by hotel" in finding.message


def test_choreographed_compensation_trigger_on_another_channel_can_overtake(tmp_path):
    def plant(data):
        data["channels"]["stays.releases"] = {"transport": "kafka", "ordering": "per-key"}
        data["events"]["RoomReleased"]["channel"] = "stays.releases"
        reaction(data, "payments", "RoomReleased").pop("nothing_to_undo")

    findings, _ = verified(HOTEL, tmp_path, plant)
    finding = only(findings, "SAG025")
    assert "RoomReleased travels on stays.releases, RoomHeld on stays" in finding.message


# -- idempotency per message ------------------------------------------------------------------
def test_orchestrator_not_idempotent_for_one_reply_is_reported(tmp_path):
    def plant(data):
        data["events"]["SeatHeld"]["consumers"] = [{"service": "trips", "idempotency": "none"}]

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG015")
    assert "receives replies such as SeatHeld" in finding.message
    assert finding.trace[-2:] == (
        "3. flights: SeatHeld (delivered again)",
        "4. end: trips handles SeatHeld twice (idempotency: none)",
    )


def test_retried_command_to_a_handler_deduplicating_by_message_id_is_reported(tmp_path):
    def plant(data):
        data["services"]["payments"]["idempotency_scope"] = "message-id"

    finding = only(verified(TRIP, tmp_path, plant)[0], "SAG015")
    assert "re-sends ChargeTraveller after a timeout as a new message" in finding.message
    assert finding.trace[-3:] == (
        "6. payments: no reply within 30s (timeout)",
        "7. trips -> payments: ChargeTraveller (re-sent, new id)",
        "8. end: payments applies ChargeTraveller twice (it took effect; only the reply was lost)",
    )


def test_retried_command_to_a_handler_deduplicating_by_command_id_is_clean(tmp_path):
    def plant(data):
        data["services"]["payments"]["idempotency_scope"] = "command-id"

    assert verified(TRIP, tmp_path, plant)[0] == []


# -- actors, deadlines, repeats, local pivots, retries ---------------------------------------
def test_waiting_for_an_actor_without_a_deadline_is_reported(tmp_path):
    finding = only(
        verified(CLAIM, tmp_path, lambda d: step(d, "adjuster-decision").pop("timeout"))[0],
        "SAG014",
    )
    assert "waits for claims adjuster without a deadline" in finding.message
    assert finding.trace[-3:] == (
        "3. claims waits for claims adjuster",
        "4. claims adjuster: no decision",
        "5. end: claims waits for ClaimApproved forever (no timeout)",
    )


def test_repeat_without_escalation_fails_after_its_bound(tmp_path):
    findings, coverage = verified(
        CLAIM, tmp_path, lambda d: step(d, "adjuster-decision")["repeat"].pop("escalate_to")
    )
    assert findings == []
    assert "escalated" not in coverage.outcomes


def test_remote_pivot_that_can_time_out_is_reported_but_a_local_one_is_not(tmp_path):
    def plant(data):
        settle = step(data, "settle")
        settle["local"] = False
        settle["timeout"] = "30s"

    finding = only(verified(CLAIM, tmp_path, plant)[0], "SAG017")
    assert "pivot 'settle' can time out" in finding.message


def test_unlimited_retry_that_escalates_without_paging_is_reported(tmp_path):
    findings, _ = verified(CLAIM, tmp_path, lambda d: step(d, "pay-out")["retry"].pop("page_after"))
    finding = only(findings, "SAG029")
    assert finding.severity == "warning"
    assert "escalate_to: payments on-call" in finding.message


# -- the bundled example ---------------------------------------------------------------------
def test_bundled_example_shows_a_cancel_and_a_hold_expiry_and_verifies_clean(tmp_path):
    findings, coverage = verified(EXAMPLE_MODEL, tmp_path)
    assert findings == []
    assert coverage.cancel_points > 0 and coverage.timer_races > 0 and coverage.complete


def test_example_hold_expiring_at_inventory_would_release_paid_stock(tmp_path):
    """The race the example avoids: inventory owns the hold's timer, so the hold can lapse
    after payments charged and before inventory heard of it."""

    def plant(data):
        fulfilment = saga(data)
        fulfilment["timers"][0]["service"] = "inventory"
        fulfilment["timers"][0]["stops_on"] = ["PaymentConfirmed"]
        expiry = reaction(data, "payments", "ReservationExpired")
        expiry.update(service="inventory", emits="StockReleased", compensates="StockReserved")
        data["events"]["ReservationExpired"]["producer"] = "inventory"
        data["events"]["ReservationExpired"]["consumers"] = ["inventory"]

    shutil.copytree(EXAMPLE_MODEL.parent, tmp_path / "order-flow")
    finding = only(verified(EXAMPLE_MODEL, tmp_path / "order-flow", plant)[0], "SAG027")
    assert finding.trace[-3:] == (
        "4. inventory: ReservationExpired (timer expires at expiresAt)",
        "5. inventory on ReservationExpired: StockReleased (undoes StockReserved)",
        "6. end: StockReserved undone although PaymentConfirmed (pivot) cannot be",
    )


def test_choreographed_compensation_trigger_keyed_by_another_field_can_overtake(tmp_path):
    def plant(data):
        data["events"]["RoomReleased"]["key"] = "roomId"
        data["events"]["RoomReleased"]["schema"]["properties"]["roomId"] = {"type": "string"}
        reaction(data, "payments", "RoomReleased").pop("nothing_to_undo")

    findings, _ = verified(HOTEL, tmp_path, plant)
    overtakes = only(findings, "SAG025")
    assert "RoomHeld is keyed by stayId, RoomReleased by roomId" in overtakes.message
    assert "SAG024" in rules(findings)  # and the saga message is keyed by another field
