"""`import asyncapi`: AsyncAPI 2.6 and 3.0 documents to a design model that loads.

Round trips export the bundled example and tests/data/export/ models, import the result and
compare. tests/data/export/asyncapi-2.6/streetlights.yaml is a 2.6 document (see its header).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.importer import import_asyncapi
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi

DATA = REPO_ROOT / "tests" / "data" / "export"
EVERY_FEATURE = DATA / "every-feature" / "design.yaml"
HOSTILE = DATA / "hostile-names" / "design.yaml"
CUSTOM_ENVELOPE = DATA / "custom-envelope" / "design.yaml"
STREETLIGHTS = DATA / "asyncapi-2.6" / "streetlights.yaml"
ROUND_TRIP_MODELS = {
    "example": EXAMPLE_MODEL,
    "every-feature": EVERY_FEATURE,
    "hostile-names": HOSTILE,
    "custom-envelope": CUSTOM_ENVELOPE,
    "claims-intake-protobuf": REPO_ROOT / "examples" / "claims-intake" / "design.yaml",
}


def consumer_services(event: dict) -> list[str]:
    return [c if isinstance(c, str) else c["service"] for c in event["consumers"]]


def round_trip(model_path: Path, tmp_path: Path, suffix: str = "yaml", version: str = "3.0"):
    """Export with the CLI, import with the CLI, load the imported model."""
    exported = tmp_path / f"asyncapi.{suffix}"
    imported = tmp_path / "imported.yaml"
    result = run_grimoire(
        "export",
        "asyncapi",
        str(model_path),
        "-o",
        str(exported),
        "--asyncapi-version",
        version,
    )
    assert result.returncode == 0, result.stderr
    result = run_grimoire("import", "asyncapi", str(exported), "-o", str(imported))
    assert result.returncode == 0, result.stderr
    return load_model(imported)


def event_facts(model) -> dict:
    return {
        name: (
            event.producer,
            tuple(c.service for c in event.consumers),
            event.channel,
            event.kind,
            event.version,
            event.key,
            event.schema_format,
        )
        for name, event in model.events.items()
    }


def channel_facts(model) -> dict:
    return {
        name: (
            c.transport,
            c.broker,
            c.address,
            c.partitions,
            c.retention,
            c.ordering,
            c.dead_letter,
            c.cleanup,
            c.replication,
            c.topic_config,
            c.asyncapi,
        )
        for name, c in model.channels.items()
    }


@pytest.mark.parametrize("version", ["3.0", "2.6"])
@pytest.mark.parametrize("label", sorted(ROUND_TRIP_MODELS))
def test_round_trip_keeps_every_event_producer_consumer_and_channel(
    label: str, version: str, tmp_path: Path
) -> None:
    original = load_model(ROUND_TRIP_MODELS[label])
    imported = round_trip(ROUND_TRIP_MODELS[label], tmp_path, version=version)
    assert event_facts(imported) == event_facts(original)
    assert channel_facts(imported) == channel_facts(original)


def test_round_trip_through_json_keeps_the_example(tmp_path: Path) -> None:
    imported = round_trip(EXAMPLE_MODEL, tmp_path, "json")
    assert event_facts(imported) == event_facts(load_model(EXAMPLE_MODEL))


def test_round_trip_keeps_payload_schemas_consumer_details_and_pii(tmp_path: Path) -> None:
    original = load_model(EVERY_FEATURE)
    imported = round_trip(EVERY_FEATURE, tmp_path)
    for name, event in original.events.items():
        if isinstance(event.schema, dict):
            assert imported.events[name].schema == event.schema, name
        assert imported.events[name].pii == tuple(
            type(p)(p.field, imported.events[name].pii[i].pointer, p.protection)
            for i, p in enumerate(event.pii)
        )
        assert [
            (c.dead_letter, c.idempotency, c.read_model) for c in imported.events[name].consumers
        ] == [(c.dead_letter, c.idempotency, c.read_model) for c in event.consumers]
    assert imported.events["OrderSubmitted"].examples == original.events["OrderSubmitted"].examples


def test_round_trip_keeps_brokers_and_envelope(tmp_path: Path) -> None:
    original = load_model(EVERY_FEATURE)
    imported = round_trip(EVERY_FEATURE, tmp_path)
    assert {n: (b.transport, b.host) for n, b in imported.brokers.items()} == {
        n: (b.transport, b.host) for n, b in original.brokers.items()
    }
    assert imported.envelope_attributes == original.envelope_attributes
    assert imported.envelope_profile == "cloudevents-1.0"


def test_service_scoped_export_keeps_the_producers_of_what_it_receives(tmp_path: Path) -> None:
    exported = tmp_path / "orders.yaml"
    assert (
        run_grimoire(
            "export", "asyncapi", str(EXAMPLE_MODEL), "--service", "orders", "-o", str(exported)
        ).returncode
        == 0
    )
    result = import_asyncapi(yaml.safe_load(exported.read_text()), str(exported))
    assert result.model["events"]["PaymentConfirmed"]["producer"] == "payments"
    assert "orders" in result.model["events"]["PaymentConfirmed"]["consumers"]


def test_asyncapi_26_subscribe_means_the_application_sends() -> None:
    model = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS)).model
    assert model["events"]["LightMeasured"]["producer"] == "Streetlights API"


def test_asyncapi_26_publish_means_the_application_receives() -> None:
    model = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS)).model
    assert consumer_services(model["events"]["LightMeasured"]) == ["dashboard"]
    assert consumer_services(model["events"]["TurnOn"]) == ["controller"]


def test_asyncapi_26_message_without_sender_gets_the_external_producer() -> None:
    result = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS))
    assert result.model["events"]["TurnOff"]["producer"] == "external"
    assert any("TurnOff" in note and "external" in note for note in result.notes)


def test_component_schema_refs_are_copied_into_the_payload() -> None:
    model = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS)).model
    schema = model["events"]["LightMeasured"]["schema"]
    assert schema["properties"]["id"] == {"$ref": "#/$defs/lightId"}
    assert schema["$defs"]["sentAt"] == {"type": "string", "format": "date-time"}


def test_services_come_from_x_service_tags_and_info_title() -> None:
    model = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS)).model
    assert list(model["services"]) == ["Streetlights API", "dashboard", "controller", "external"]


def test_unmappable_server_protocol_is_left_out_with_a_note() -> None:
    result = import_asyncapi(yaml.safe_load(STREETLIGHTS.read_text()), str(STREETLIGHTS))
    assert set(result.model["brokers"]) == {"production"}
    assert any("mqtt" in note for note in result.notes)


def test_imported_26_model_loads(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    result = run_grimoire("import", "asyncapi", str(STREETLIGHTS), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "note:" in result.stderr
    assert set(load_model(target).events) == {"LightMeasured", "TurnOn", "TurnOff"}


def test_existing_model_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    target.write_text("mine\n")
    result = run_grimoire("import", "asyncapi", str(STREETLIGHTS), "-o", str(target))
    assert result.returncode == 2
    assert "--force" in result.stderr
    assert target.read_text() == "mine\n"


def test_force_overwrites_an_existing_model(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    target.write_text("mine\n")
    result = run_grimoire("import", "asyncapi", str(STREETLIGHTS), "-o", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert "LightMeasured" in target.read_text()


def test_document_without_asyncapi_version_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "openapi.yaml"
    source.write_text("openapi: 3.1.0\ninfo: {title: x, version: '1'}\n")
    result = run_grimoire("import", "asyncapi", str(source), "-o", str(tmp_path / "m.yaml"))
    assert result.returncode == 2
    assert "not an AsyncAPI document" in result.stderr
    assert not (tmp_path / "m.yaml").exists()


def test_external_reference_is_bad_input(tmp_path: Path) -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    document["components"]["messages"]["OrderConfirmed"]["payload"] = {"$ref": "schemas.yaml#/x"}
    source = tmp_path / "asyncapi.yaml"
    source.write_text(dump_asyncapi(document, "yaml"))
    result = run_grimoire("import", "asyncapi", str(source), "-o", str(tmp_path / "m.yaml"))
    assert result.returncode == 2
    assert "external reference" in result.stderr


ACCOUNT_SERVICE = DATA / "asyncapi-3.0" / "account-service.yaml"


def test_asyncapi_30_without_extensions_uses_info_title_and_actions(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    result = run_grimoire("import", "asyncapi", str(ACCOUNT_SERVICE), "-o", str(target))
    assert result.returncode == 0, result.stderr
    model = load_model(target)
    signed_up = model.events["UserSignedUp"]
    assert (signed_up.producer, signed_up.channel) == ("Account Service", "userSignedup")
    deleted = model.events["UserDeleted"]
    assert deleted.producer == "external"
    assert [c.service for c in deleted.consumers] == ["Account Service"]
    assert model.channels["userDeleted"].address == "user/{userId}/deleted"
    assert model.channels["userDeleted"].transport == "kafka"
    assert signed_up.schema["properties"]["email"] == {"type": "string", "format": "email"}


def check_findings(model_path: Path) -> list[tuple[str, str]]:
    """(rule, element) of every finding `check` reports on a model, sorted."""
    result = run_grimoire("check", str(model_path), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return sorted((f["rule"], f["element"]) for f in json.loads(result.stdout)["findings"])


@pytest.mark.parametrize("label", sorted(ROUND_TRIP_MODELS))
def test_round_trip_model_checks_like_the_original(label: str, tmp_path: Path) -> None:
    round_trip(ROUND_TRIP_MODELS[label], tmp_path)
    original = check_findings(ROUND_TRIP_MODELS[label])
    assert check_findings(tmp_path / "imported.yaml") == original


def test_round_trip_restores_commands(tmp_path: Path) -> None:
    original = load_model(EVERY_FEATURE)
    imported = round_trip(EVERY_FEATURE, tmp_path)

    def facts(model) -> dict:
        return {
            name: (c.handler, c.issuers, c.channel, c.schema_format, c.schema, c.description)
            for name, c in model.commands.items()
        }

    assert facts(imported) == facts(original)


def test_round_trip_does_not_declare_the_saga_orchestrator_an_issuer(tmp_path: Path) -> None:
    imported = round_trip(EVERY_FEATURE, tmp_path)
    assert imported.commands["IssueInvoice"].issuers == ()


def test_round_trip_restores_model_sections(tmp_path: Path) -> None:
    original = load_model(EVERY_FEATURE)
    imported = round_trip(EVERY_FEATURE, tmp_path)
    for section in ("contexts", "services", "envelope", "read_models", "sagas"):
        assert imported.raw[section] == original.raw[section], section
    assert imported.system.compatibility == "FULL"


def test_round_trip_keeps_the_compatibility_mode_of_every_event(tmp_path: Path) -> None:
    original = load_model(EVERY_FEATURE)
    imported = round_trip(EVERY_FEATURE, tmp_path)
    assert {n: imported.compatibility_of(e) for n, e in imported.events.items()} == {
        n: original.compatibility_of(e) for n, e in original.events.items()
    }


def test_round_trip_restores_transport_needs(tmp_path: Path) -> None:
    imported = round_trip(EXAMPLE_MODEL, tmp_path)
    assert imported.raw["transport_needs"] == load_model(EXAMPLE_MODEL).raw["transport_needs"]


def test_own_export_imports_without_notes(tmp_path: Path) -> None:
    exported = tmp_path / "asyncapi.yaml"
    assert (
        run_grimoire("export", "asyncapi", str(EVERY_FEATURE), "-o", str(exported)).returncode == 0
    )
    result = run_grimoire("import", "asyncapi", str(exported), "-o", str(tmp_path / "m.yaml"))
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stderr


def test_command_message_without_receiver_gets_the_external_handler() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE), "sales")
    result = import_asyncapi(document, "sales.yaml")
    assert result.model["commands"]["ShipOrder"]["handler"] == "shipping"
    del document["components"]["messages"]["ShipOrder"]["x-grimoire"]["handler"]
    result = import_asyncapi(document, "sales.yaml")
    assert result.model["commands"]["ShipOrder"]["handler"] == "external"
    assert any("ShipOrder" in note and "external" in note for note in result.notes)


def test_foreign_document_notes_each_service_whose_policies_are_unknown() -> None:
    result = import_asyncapi(yaml.safe_load(ACCOUNT_SERVICE.read_text()), str(ACCOUNT_SERVICE))
    for service in result.model["services"]:
        assert f"service '{service}': set state/outbox/idempotency (unknown)" in result.notes


def test_foreign_document_notes_the_default_compatibility_and_envelope() -> None:
    result = import_asyncapi(yaml.safe_load(ACCOUNT_SERVICE.read_text()), str(ACCOUNT_SERVICE))
    assert any(note.startswith("system.compatibility not given") for note in result.notes)
    assert any(note.startswith("envelope: no message headers") for note in result.notes)


def test_foreign_document_notes_each_event_kind_and_version_assumed() -> None:
    result = import_asyncapi(yaml.safe_load(ACCOUNT_SERVICE.read_text()), str(ACCOUNT_SERVICE))
    assert (
        "event 'UserSignedUp': set kind (domain or integration); version 1 assumed" in result.notes
    )


def test_foreign_document_notes_the_service_taken_from_the_title() -> None:
    result = import_asyncapi(yaml.safe_load(ACCOUNT_SERVICE.read_text()), str(ACCOUNT_SERVICE))
    assert sum("'Account Service' (the document's title)" in note for note in result.notes) == 1


def test_import_prints_notes_to_stderr(tmp_path: Path) -> None:
    target = tmp_path / "design.yaml"
    result = run_grimoire("import", "asyncapi", str(ACCOUNT_SERVICE), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "note: service 'Account Service': set state/outbox/idempotency" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("version", ["3.0", "2.6"])
def test_round_trip_keeps_channel_load_and_event_succession(
    version: str, example_copy: Path, tmp_path: Path
) -> None:
    # The project's YAML 1.2 reader: PyYAML would read the sagas' `on:` keys as true.
    source = parse_yaml(example_copy.read_text(encoding="utf-8"), str(example_copy)).data
    source["events"]["OrderConfirmed"]["supersedes"] = "OrderPlaced"
    source["events"]["OrderPlaced"]["deprecated"] = True
    example_copy.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    imported = round_trip(example_copy, tmp_path, version=version)
    assert imported.events["OrderConfirmed"].supersedes == "OrderPlaced"
    assert imported.events["OrderPlaced"].deprecated
    loads = {n: c.get("load") for n, c in source["channels"].items()}
    assert any(loads.values())
    assert {n: c.get("load") for n, c in imported.raw["channels"].items()} == loads


@pytest.mark.parametrize("version", ["3.0", "2.6"])
def test_round_trip_keeps_channel_operations_fields_and_consumer_scope(
    version: str, example_copy: Path, tmp_path: Path
) -> None:
    source = parse_yaml(example_copy.read_text(encoding="utf-8"), str(example_copy)).data
    channel = next(iter(source["channels"].values()))
    channel.update(
        cleanup="compact-delete",
        replication={"factor": 3, "min_in_sync": 2},
        topic_config={"max.message.bytes": 2097152},
        delivery="topic",
    )
    event = next(e for e in source["events"].values() if e.get("consumers"))
    first = event["consumers"][0]
    event["consumers"][0] = {
        **({"service": first} if isinstance(first, str) else first),
        "idempotency_scope": "business-key",
        "group_id": "orders-readers",
    }
    example_copy.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    imported = round_trip(example_copy, tmp_path, version=version)
    assert imported.raw["channels"] == source["channels"]
    name = next(n for n, e in source["events"].items() if e is event)
    assert imported.raw["events"][name]["consumers"][0] == event["consumers"][0]
