"""Diagrams of real workflows draw what the verifier explores: a path that ends the saga is a
`break`, a bounded repeat is a `loop`, people are actors (never services sending themselves
commands), and cancel and timer paths appear in the sequence and the state diagrams."""

from __future__ import annotations

import yaml

from conftest import REPO_ROOT
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.render import mermaid, plantuml

DATA = REPO_ROOT / "tests" / "data" / "saga"


def _sequence(name: str, saga: str) -> str:
    return mermaid.saga_sequence(load_model(DATA / name), saga)


def _states(name: str, saga: str) -> str:
    return mermaid.saga_states(load_model(DATA / name), saga)


def test_a_person_the_saga_waits_for_is_an_actor_that_sends_no_command():
    text = _sequence("claim-approval.yaml", "ApproveClaim")
    assert "    actor p3 as claims adjuster\n" in text
    assert "->>p3" not in text  # nobody sends the adjuster a command
    assert "p3-->>p1: ClaimApproved\n" in text
    assert "Note over p1,p3: waits for claims adjuster (deadline 48h)\n" in text


def test_bounded_repeat_is_a_loop_then_a_break_when_attempts_run_out():
    text = _sequence("ride-rematch.yaml", "MatchRide")
    assert "    loop refused: redo, up to 5 attempts in all\n" in text
    assert "    break all 5 attempts refused\n" in text
    after = text.split("    break all 5 attempts refused\n", 1)[1].split("    end\n", 1)[0]
    assert "p1->>p2: VoidFare" in after


def test_step_that_ends_the_saga_is_a_break_not_an_alt():
    text = _sequence("trip-booking.yaml", "BookTrip")
    assert "alt " not in text and "else " not in text
    assert "    break ChargeDeclined\n" in text


def test_cancel_before_and_after_the_pivot_are_drawn():
    text = _sequence("trip-booking.yaml", "BookTrip")
    before = text.split("    break CancelTrip before charge\n", 1)[1].split("\n    end\n", 1)[0]
    assert "p1->>p3: ReleaseRoom" in before and "p1->>p2: ReleaseSeat" in before
    after = text.split("    break CancelTrip after charge\n", 1)[1].split("\n    end\n", 1)[0]
    assert "p1->>p4: ChargeCancellationFee" in after
    assert "ReleaseRoom" not in after


def test_a_refused_cancel_is_optional_and_the_saga_goes_on():
    text = _sequence("ride-rematch.yaml", "MatchRide")
    assert "    opt CancelRide after match\n" in text
    assert "p1-->>p4: CancelRefused" in text


def test_a_lapsing_hold_is_a_break_where_the_timer_is_armed():
    text = _sequence("hotel-hold.yaml", "BookStay")
    armed = "Note over p2: timer armed: HoldExpired at expiresAt, stopped by RoomBooked"
    assert armed in text
    assert (
        "    break HoldExpired at expiresAt before RoomBooked, RoomReleased, NoRoomHeld\n" in text
    )
    assert "p2->>p2" not in text  # the hotel's own timer is a note, not a self-sent message


def test_state_diagrams_show_cancel_and_timer_paths():
    trip = _states("trip-booking.yaml", "BookTrip")
    assert 'state "cancelled after the pivot: ChargeCancellationFee" as' in trip
    assert ": CancelTrip (let it reply, then undo what was done)\n" in trip
    hotel = _states("hotel-hold.yaml", "BookStay")
    assert ": timer expires at expiresAt\n" in hotel
    assert "[*] --> s2 : cancel (any time)\n" in hotel
    assert ": hotel: nothing to undo\n" in hotel and ": hotel after the pivot\n" in hotel


def test_plantuml_draws_actors_and_breaks_too():
    text = plantuml.saga_sequence(load_model(DATA / "claim-approval.yaml"), "ApproveClaim")
    assert 'actor "claims adjuster" as p3\n' in text
    assert "\nbreak ReserveRefused\n" in text
    assert "\nloop refused: redo, up to 2 attempts in all\n" in text


def test_choreography_draws_the_person_a_reaction_waits_for_and_its_bounded_repeat():
    text = _sequence("ride-dispatch.yaml", "DispatchRide")
    assert "    actor p4 as driver\n" in text
    assert "Note over p3,p4: waits for driver (redo up to 5 times, then fail)\n" in text
    assert "    break NoDriverFound (after 5 attempts)\n" in text
    assert "->>p4" not in text  # nobody sends the driver a message standing in for a service


def test_a_participants_own_expiry_is_drawn_where_it_is_armed(tmp_path):
    source = DATA / "trip-booking.yaml"
    data = parse_yaml(source.read_text(encoding="utf-8"), str(source)).data
    data["events"]["RoomHoldLapsed"] = {"producer": "hotels", "consumers": ["trips"]}
    data["sagas"]["BookTrip"]["timers"] = [
        {"event": "RoomHoldLapsed", "service": "hotels", "starts_on": "RoomHeld", "after": "15m"}
    ]
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    text = mermaid.saga_sequence(load_model(path), "BookTrip")
    assert "Note over p3: timer armed: RoomHoldLapsed after 15m, never stopped\n" in text
    early = text.split("    break RoomHoldLapsed after 15m before charge\n", 1)[1]
    assert early.startswith("        p3-->>p1: RoomHoldLapsed\n        p1->>p2: ReleaseSeat\n")
    late = text.split("    break RoomHoldLapsed after 15m after charge\n", 1)[1]
    assert "no defined outcome: the pivot cannot be undone" in late.split("    end\n", 1)[0]

    states = mermaid.saga_states(load_model(path), "BookTrip")
    assert 'state "RoomHoldLapsed: undo the steps other than hold-room" as' in states
    assert 'state "stuck: RoomHeld lapsed after the pivot" as' in states
