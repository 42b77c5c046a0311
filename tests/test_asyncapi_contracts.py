"""Existing AsyncAPI contracts come in whole and go out whole.

Contracts (tests/data/export/, written for these tests in the style of vendors' examples):
- asyncapi-2.6/trip-service.yaml: ride hailing on Kafka, 2.6, traits, SASL/SCRAM, a schema
  registry, topic configuration, a partition key, a consumer group, the team's own headers.
- asyncapi-3.0/claims-service.yaml: insurance claims on Kafka, 3.0, the same kinds of facts
  with `const` group ids and operation security.
- asyncapi-2.6/booking-service-inverted.yaml: hotel bookings written with `publish` for what
  the service publishes (the common opposite reading of 2.x).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from asyncapi_fidelity import EXAMPLES
from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.importer import import_asyncapi
from eventdesign.model.loader import load_model
from eventdesign.render.asyncapi import build_asyncapi

DATA = REPO_ROOT / "tests" / "data" / "export"
TRIPS = DATA / "asyncapi-2.6" / "trip-service.yaml"
CLAIMS = DATA / "asyncapi-3.0" / "claims-service.yaml"
INVERTED = DATA / "asyncapi-2.6" / "booking-service-inverted.yaml"
CONTRACTS = sorted(DATA.glob("asyncapi-*/*.yaml"))


def imported(path: Path, invert: bool = False):
    return import_asyncapi(yaml.safe_load(path.read_text(encoding="utf-8")), str(path), invert)


def exported(model: dict, tmp_path: Path, version: str) -> dict:
    """The model dict written, loaded and exported (JSON-plain, as a reader would see it)."""
    path = tmp_path / f"design-{version}.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return json.loads(json.dumps(build_asyncapi(load_model(path), version=version)))


def consumer(event: dict, service: str) -> dict:
    return next(c for c in event["consumers"] if isinstance(c, dict) and c["service"] == service)


# import ----------------------------------------------------------------------------------------
def test_message_traits_give_each_message_its_headers_and_correlation_id() -> None:
    message = imported(TRIPS).model["events"]["TripCompleted"]["asyncapi"]["message"]
    assert list(message["headers"]["properties"]) == [
        "eventId",
        "eventType",
        "correlationId",
        "occurredAt",
    ]
    assert message["correlationId"]["location"] == "$message.header#/correlationId"


def test_the_teams_own_header_names_make_the_envelope_without_a_switch_to_cloudevents() -> None:
    envelope = imported(TRIPS).model["envelope"]
    assert envelope == {
        "profile": "custom",
        "attributes": ["id", "type", "correlationid", "time"],
        "headers": {
            "id": "eventId",
            "type": "eventType",
            "correlationid": "correlationId",
            "time": "occurredAt",
        },
    }


def test_notes_do_not_say_there_are_no_headers_when_traits_carry_them() -> None:
    notes = imported(TRIPS).notes
    assert not any("no message headers" in note for note in notes)
    assert any("time (header occurredAt)" in note for note in notes)


def test_the_kafka_key_binding_becomes_the_events_key() -> None:
    assert imported(TRIPS).model["events"]["TripRequested"]["key"] == "tripId"
    assert imported(CLAIMS).model["events"]["ClaimFiled"]["key"] == "claimId"


def test_kafka_topic_configuration_maps_to_the_channel() -> None:
    channel = imported(TRIPS).model["channels"]["rides.trip-requested.v1"]
    assert (channel["partitions"], channel["retention"], channel["cleanup"]) == (12, "1w", "delete")
    assert channel["replication"] == {"factor": 3, "min_in_sync": 2}
    assert channel["topic_config"] == {"max.message.bytes": 1048576}
    compacted = imported(TRIPS).model["channels"]["rides.trip-completed.v1"]
    assert compacted["cleanup"] == "compact-delete"


def test_consumer_group_and_client_ids_are_kept_per_consumer() -> None:
    trips = imported(TRIPS).model["events"]["DriverAssigned"]
    assert consumer(trips, "Trip Service")["group_id"] == "trip-service.driver-assignments"
    assert consumer(trips, "Trip Service")["client_id"] == "trip-service"
    claims = imported(CLAIMS).model["events"]
    assert consumer(claims["ClaimFiled"], "fraud-screening")["group_id"] == (
        "fraud-screening.claims"
    )
    assert consumer(claims["ClaimSettled"], "payments")["group_id"] == (
        "payments.claim-settlements"
    )


def test_server_protocol_version_security_and_schema_registry_are_kept() -> None:
    model = imported(TRIPS).model
    broker = model["brokers"]["production"]
    assert broker["asyncapi"]["protocolVersion"] == "3.6"
    assert broker["asyncapi"]["security"] == ["saslScram"]
    assert broker["asyncapi"]["bindings"]["kafka"]["schemaRegistryUrl"] == (
        "https://registry.rides.example"
    )
    assert set(model["asyncapi"]["securitySchemes"]) == {"saslScram"}


def test_operation_ids_tags_info_and_named_examples_are_kept() -> None:
    model = imported(TRIPS).model
    event = model["events"]["TripRequested"]
    assert event["asyncapi"]["send"]["operationId"] == "sendTripRequested"
    assert event["asyncapi"]["send"]["tags"] == [{"name": "booking"}]
    assert event["asyncapi"]["message"]["examples"][0]["name"] == "airport-run"
    assert model["asyncapi"]["info"]["contact"]["email"] == "trips@rides.example"
    assert model["asyncapi"]["info"]["termsOfService"] == "https://rides.example/terms"
    assert model["asyncapi"]["id"] == "urn:example:rides:trip-service"


# 2.x direction -------------------------------------------------------------------------------
def test_a_2x_contract_whose_words_say_the_opposite_gets_one_note_naming_them() -> None:
    notes = [note for note in imported(INVERTED).notes if note.startswith("2.x direction")]
    assert len(notes) == 1
    assert "publishBookingConfirmed (publish)" in notes[0]
    assert "--invert-2x-operations" in notes[0]


def test_a_2x_contract_read_per_the_specification_gets_no_direction_note() -> None:
    assert not any(note.startswith("2.x direction") for note in imported(TRIPS).notes)


def test_invert_2x_operations_reads_publish_as_the_service_sending(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    result = run_grimoire(
        "import", "asyncapi", str(INVERTED), "-o", str(target), "--invert-2x-operations"
    )
    assert result.returncode == 0, result.stderr
    assert "2.x direction" not in result.stderr
    events = load_model(target).events
    assert events["BookingConfirmed"].producer == "Booking Service"
    assert [c.group_id for c in events["RoomReleased"].consumers] == ["booking-service"]


# export --------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["3.0", "2.6"])
def test_kept_contract_details_come_back_out(version: str, tmp_path: Path) -> None:
    document = exported(imported(TRIPS).model, tmp_path, version)
    assert document["info"]["contact"]["name"] == "Trips team"
    assert document["info"]["license"]["name"] == "Apache 2.0"
    tags = document["tags"] if version == "2.6" else document["info"]["tags"]
    assert tags == [{"name": "mobility", "description": "Everything that moves riders."}]
    assert document["components"]["securitySchemes"]["saslScram"]["type"] == "scramSha256"
    server = document["servers"]["production"]
    assert (server["protocol"], server["protocolVersion"]) == ("kafka-secure", "3.6")
    assert server["bindings"]["kafka"]["schemaRegistryVendor"] == "confluent"
    message = document["components"]["messages"]["TripRequested"]
    assert message["title"] == "Trip requested"
    assert message["examples"][0]["headers"]["eventType"] == "TripRequested"


def test_export_writes_topic_configuration_from_the_channel(tmp_path: Path) -> None:
    document = exported(imported(TRIPS).model, tmp_path, "3.0")
    kafka = document["channels"]["rides.trip-requested.v1"]["bindings"]["kafka"]
    assert (kafka["partitions"], kafka["replicas"]) == (12, 3)
    assert kafka["topicConfiguration"] == {
        "retention.ms": 604800000,
        "cleanup.policy": ["delete"],
        "max.message.bytes": 1048576,
        "min.insync.replicas": 2,
    }


@pytest.mark.parametrize("version", ["3.0", "2.6"])
def test_export_states_the_contracts_group_ids(version: str, tmp_path: Path) -> None:
    document = exported(imported(CLAIMS).model, tmp_path, version)
    if version == "3.0":
        bindings = document["operations"]["consumeClaimFiled"]["bindings"]
    else:
        bindings = document["channels"]["insurance.claims.filed.v1"]["publish"]["bindings"]
    assert bindings["kafka"]["groupId"] == {"type": "string", "enum": ["fraud-screening.claims"]}


def test_export_only_suggests_a_group_id_when_the_model_states_none() -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    group = document["operations"]["inventory.receive.OrderPlaced"]["bindings"]["kafka"]["groupId"]
    assert "enum" not in group and "const" not in group
    assert group["examples"] == ["inventory"]
    assert group["description"].startswith("Suggested")


def test_export_uses_the_envelopes_own_header_names_for_new_events(tmp_path: Path) -> None:
    model = imported(TRIPS).model
    model["events"]["TripCancelled"] = {
        "producer": "Trip Service",
        "channel": "rides.trip-completed.v1",
        "schema": {"type": "object", "properties": {"tripId": {"type": "string"}}},
    }
    message = exported(model, tmp_path, "3.0")["components"]["messages"]["TripCancelled"]
    assert message["headers"] == {"$ref": "#/components/schemas/envelopeHeaders"}
    document = exported(model, tmp_path, "3.0")
    headers = document["components"]["schemas"]["envelopeHeaders"]["properties"]
    assert list(headers) == ["eventId", "eventType", "correlationId", "occurredAt"]


def test_cli_writes_asyncapi_26_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "asyncapi.yaml"
    result = run_grimoire(
        "export", "asyncapi", str(EXAMPLE_MODEL), "-o", str(target), "--asyncapi-version", "2.6"
    )
    assert result.returncode == 0, result.stderr
    assert "AsyncAPI 2.6.0" in result.stderr
    document = yaml.safe_load(target.read_text())
    assert document["asyncapi"] == "2.6.0"
    assert "subscribe" in document["channels"]["shop.orders.v1"]


# lossless ------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["3.0", "2.6"])
@pytest.mark.parametrize("path", CONTRACTS, ids=lambda path: path.name)
def test_an_imported_contract_exports_and_imports_to_the_same_model(
    path: Path, version: str, tmp_path: Path
) -> None:
    first = imported(path).model
    second = import_asyncapi(exported(first, tmp_path, version), "exported").model
    assert second == first


def test_a_schema_several_events_share_is_written_once_in_the_model(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    result = run_grimoire("import", "asyncapi", str(TRIPS), "-o", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.count("Money: &Money") == 1 and text.count("Money: *Money") == 1
    events = load_model(target).events
    money = events["TripRequested"].schema["$defs"]["Money"]
    assert events["TripCompleted"].schema["$defs"]["Money"] == money


def test_a_3x_reply_is_sent_by_the_service_that_receives_the_request(tmp_path: Path) -> None:
    adeo = EXAMPLES / "2.17.0" / "adeo-kafka-request-reply-asyncapi.yml"
    result = imported(adeo)
    assert result.model["events"]["CostingResponse"]["producer"] == "Adeo AsyncAPI Case Study"
    assert not any("'CostingResponse': no operation sends it" in n for n in result.notes)
    # The reply topic is named at run time (a header): its address stays null.
    document = exported(result.model, tmp_path, "3.0")
    assert document["channels"]["costingResponseChannel"]["address"] is None
