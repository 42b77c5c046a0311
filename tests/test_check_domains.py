"""Designs in several domains, each sound and with planted flaws: `check --strict` passes every
sound one and catches each planted flaw at its element (rule, line, column).

The sound designs also use what used to draw false alarms (a Kafka Streams or Flink stream
processor, a snapshot on a compacted state topic, an in-process channel, internal domain
events); the tests below remove each such declaration and show the rule fires without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import run_grimoire
from eventdesign.errors import InputError
from eventdesign.model.loader import load_model
from eventdesign.rules import engine

DOMAINS = Path(__file__).parent / "data" / "check" / "domains"
NAMES = ["banking-ledger", "hotel-booking", "iot-telemetry", "insurance-claims"]

# Every finding `check` reports on each flawed design: (rule, line, column, element).
PLANTED = {
    "banking-ledger": [
        ("REL009", 22, 5, "command OpenAccount"),
        ("REL008", 27, 7, "service ledger"),
        ("DAT004", 105, 13, "command OpenAccount field holder.dateOfBirth"),
        ("TOP010", 114, 31, "read model AccountStatement"),
    ],
    "hotel-booking": [
        ("TOP009", 24, 19, "channel guests.events"),
        ("DAT005", 37, 31, "consumer notifications of event BookingConfirmed"),
        ("REL007", 38, 5, "event BookingConfirmed"),
        ("DAT004", 55, 9, "event BookingConfirmed field specialRequests"),
        ("TOP012", 84, 5, "command ConfirmBooking"),
    ],
    "iot-telemetry": [
        ("REL010", 32, 30, "channel device.state"),
        ("SCH010", 37, 5, "channel alerts"),
        ("SCH005", 46, 34, "channel alerts.dlq"),
        ("DAT004", 65, 13, "event TelemetryReported field vehicle.latitude"),
        ("DAT004", 66, 13, "event TelemetryReported field vehicle.longitude"),
        ("REL011", 86, 5, "event ThresholdExceeded"),
        ("SCH011", 99, 5, "event AlertRaised"),
    ],
    "insurance-claims": [
        ("SCH012", 39, 7, "event ClaimFiled"),
        ("DAT004", 54, 15, "event ClaimFiled field witnesses.phone"),
        ("TOP011", 61, 5, "event ClaimScored"),
        ("DAT004", 106, 13, "command FileClaim field claimant.email"),
        ("DAT002", 109, 9, "command FileClaim field claimant.emial"),
    ],
}


@pytest.mark.parametrize("name", NAMES)
def test_sound_design_passes_the_strict_check(name):
    result = run_grimoire("check", str(DOMAINS / f"{name}.yaml"), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "check: 0 errors, 0 warnings, 0 info"


@pytest.mark.parametrize("name", NAMES)
def test_each_planted_flaw_is_caught_at_its_element(name):
    result = run_grimoire(
        "check", str(DOMAINS / f"{name}.flawed.yaml"), "--strict", "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    found = [
        (f["rule"], f["line"], f["column"], f["element"])
        for f in json.loads(result.stdout)["findings"]
    ]
    assert found == PLANTED[name]


def check_changed(tmp_path: Path, name: str, change) -> list:
    """Every finding `check` makes on a domain design after one change to its data."""
    model = yaml.safe_load((DOMAINS / f"{name}.yaml").read_text(encoding="utf-8"))
    change(model)
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    loaded = load_model(path)
    return engine.run_rules(loaded, engine.selection_for(loaded))


def findings(tmp_path: Path, name: str, change) -> list[tuple[str, str]]:
    return [(f.rule, f.element) for f in check_changed(tmp_path, name, change)]


def test_stream_processor_is_no_dual_write_but_a_plain_owned_service_is(tmp_path):
    def plain(model):
        del model["services"]["fraud"]["stream_processor"]

    assert findings(tmp_path, "banking-ledger", plain) == [("REL001", "service fraud")]


def test_snapshot_on_a_compacted_state_topic_is_no_fat_event_but_elsewhere_it_is(tmp_path):
    def deleting(model):
        model["channels"]["device.state"]["cleanup"] = "delete"

    assert findings(tmp_path, "iot-telemetry", deleting) == [
        ("DAT003", "event DeviceStatusReported")
    ]


def test_in_process_channel_needs_no_dead_letter_but_a_broker_channel_does(tmp_path):
    def on_kafka(model):
        model["brokers"]["kafka"] = {"transport": "kafka"}
        model["channels"]["frontdesk.bus"] = {"transport": "kafka", "broker": "kafka"}

    assert findings(tmp_path, "hotel-booking", on_kafka) == [
        ("REL003", "consumer keycards of event GuestCheckedIn")
    ]


def test_internal_event_needs_no_channel_or_consumer_but_a_published_one_does(tmp_path):
    def published(model):
        del model["events"]["OverdraftLimitReached"]["internal"]

    assert findings(tmp_path, "banking-ledger", published) == [
        ("REL005", "event OverdraftLimitReached"),
        ("TOP005", "event OverdraftLimitReached"),
    ]


def test_event_store_relayed_by_subscription_is_sound_but_silence_is_a_warning(tmp_path):
    def unsaid(model):
        del model["services"]["ledger"]["event_store"]["publish"]

    (found,) = check_changed(tmp_path, "banking-ledger", unsaid)
    assert (found.rule, found.severity, found.element) == ("REL008", "warning", "service ledger")


def test_suppression_hides_one_rule_for_one_element_only(tmp_path):
    def unsuppressed(model):
        del model["rules"]

    assert findings(tmp_path, "insurance-claims", unsuppressed) == [
        ("TOP005", "event ClaimSettled")
    ]

    def other_element(model):
        model["rules"]["suppress"][0]["element"] = "event ClaimFiled"

    assert findings(tmp_path, "insurance-claims", other_element) == [
        ("TOP005", "event ClaimSettled")
    ]


def test_suppression_of_an_element_covers_its_parts(tmp_path):
    def undeclared_witness_phone(model):
        model["events"]["ClaimFiled"]["pii"].pop()
        model["rules"]["suppress"].append(
            {"rule": "personal-data-undeclared", "element": "event ClaimFiled", "reason": "x"}
        )

    assert findings(tmp_path, "insurance-claims", undeclared_witness_phone) == []


def test_suppression_naming_no_single_rule_is_refused_at_its_line(tmp_path):
    def prefix(model):
        model["rules"]["suppress"][0]["rule"] = "TOP"

    with pytest.raises(InputError) as caught:
        findings(tmp_path, "insurance-claims", prefix)
    assert "is not one rule" in str(caught.value)
    assert caught.value.line is not None


def test_consumer_of_tokenised_data_needs_no_erasure_event(tmp_path):
    """Tokenised or crypto-shredded data is erased at the source: no erasure event needed."""

    def tokenised_only(model):
        event = model["events"]["BookingConfirmed"]
        event["pii"] = [{"field": "guest", "protection": "tokenisation", "subject": "guest"}]
        event["pii"].append({"field": "specialRequests", "protection": "crypto-shredding"})
        model["events"]["GuestForgotten"]["consumers"] = ["booking"]

    assert findings(tmp_path, "hotel-booking", tokenised_only) == []


def test_erasure_of_another_subject_does_not_count(tmp_path):
    def other_subject(model):
        model["events"]["GuestForgotten"]["erases"] = "employee"

    found = findings(tmp_path, "hotel-booking", other_subject)
    assert found == [
        ("DAT005", "consumer housekeeping of event BookingConfirmed"),
        ("DAT005", "consumer notifications of event BookingConfirmed"),
    ]


def test_command_handler_holding_a_subjects_data_must_receive_its_erasure(tmp_path):
    def readable_command(model):
        pii = model["commands"]["ConfirmBooking"]["pii"][0]
        pii["protection"] = "encryption"
        model["events"]["GuestForgotten"]["consumers"].remove("booking")

    assert findings(tmp_path, "hotel-booking", readable_command) == [
        ("DAT005", "handler booking of command ConfirmBooking")
    ]


def test_projection_of_crypto_shredded_data_must_receive_the_erasure(tmp_path):
    """Deleting the key does not erase a read model's decrypted copy."""

    def concierge(read_model):
        def change(model):
            for pii in model["events"]["BookingConfirmed"]["pii"]:
                pii["protection"] = "crypto-shredding"
            model["services"]["concierge"] = {
                "context": "Operations",
                "state": "owned",
                "idempotency": "inbox",
            }
            consumer = {"service": "concierge", "dead_letter": "booking.dlq"}
            if read_model:
                consumer["read_model"] = "GuestRequests"
                model["read_models"] = {
                    "GuestRequests": {"owner": "concierge", "sources": ["BookingConfirmed"]}
                }
            model["events"]["BookingConfirmed"]["consumers"].append(consumer)

        return change

    assert findings(tmp_path, "hotel-booking", concierge(read_model=False)) == []
    assert findings(tmp_path, "hotel-booking", concierge(read_model=True)) == [
        ("DAT005", "consumer concierge of event BookingConfirmed")
    ]
