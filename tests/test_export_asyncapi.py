"""`export asyncapi`: AsyncAPI 3.0.0 the official parser accepts, mapped from the design model.

Models: the bundled example and tests/data/export/ (see its README). Validation runs the real
@asyncapi/parser 3.6.6 (tests/tools/asyncapi_validate.mjs) once over every exported document.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.model.loader import load_model
from eventdesign.output import write_file
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi
from eventdesign.render.json_text import json_text
from eventdesign.render.yaml_text import block_yaml

DATA = REPO_ROOT / "tests" / "data" / "export"
EVERY_FEATURE = DATA / "every-feature" / "design.yaml"
HOSTILE = DATA / "hostile-names" / "design.yaml"
CUSTOM_ENVELOPE = DATA / "custom-envelope" / "design.yaml"
SAGA_DATA = REPO_ROOT / "tests" / "data" / "saga"
LEDGER = REPO_ROOT / "tests" / "data" / "check" / "domains" / "banking-ledger.yaml"
VALIDATOR = REPO_ROOT / "tests" / "tools" / "asyncapi_validate.mjs"
COMPONENT_KEY = r"^[a-zA-Z0-9\.\-_]+$"
VERSIONS = ("3.0", "2.6")

# (label, model, service or None)
EXPORTS = [
    ("example", EXAMPLE_MODEL, None),
    ("example-orders", EXAMPLE_MODEL, "orders"),
    ("example-payments", EXAMPLE_MODEL, "payments"),
    ("every-feature", EVERY_FEATURE, None),
    ("every-feature-billing", EVERY_FEATURE, "billing"),
    ("every-feature-shipping", EVERY_FEATURE, "shipping"),
    ("hostile-names", HOSTILE, None),
    ("hostile-names-service", HOSTILE, "Order Service"),
    ("custom-envelope", CUSTOM_ENVELOPE, None),
    ("saga-cancel", SAGA_DATA / "trip-booking.yaml", None),
    ("saga-timer", SAGA_DATA / "hotel-hold.yaml", None),
    ("ledger", LEDGER, None),
    ("claims-intake-protobuf", REPO_ROOT / "examples" / "claims-intake" / "design.yaml", None),
]


def validate_with_parser(node_modules: Path, files: list[Path]) -> dict[str, list[dict]]:
    """Diagnostics of the official AsyncAPI parser for each file (one node process for all)."""
    result = subprocess.run(
        ["node", str(VALIDATOR), str(node_modules), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def parser_diagnostics(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("asyncapi")
    files = {}
    for label, model_path, service in EXPORTS:
        for version in VERSIONS:
            document = build_asyncapi(load_model(model_path), service, version)
            suffix = "json" if label.endswith("service") else "yaml"
            path = folder / f"{label}-{version}.{suffix}"
            path.write_text(dump_asyncapi(document, suffix), encoding="utf-8")
            files[label, version] = path
    diagnostics = validate_with_parser(node_modules, list(files.values()))
    return {key: diagnostics[str(path)] for key, path in files.items()}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("label", [label for label, _, _ in EXPORTS])
def test_official_parser_reports_no_errors(
    parser_diagnostics: dict, label: str, version: str
) -> None:
    errors = [d for d in parser_diagnostics[label, version] if d["severity"] == 0]
    assert errors == []


def test_official_parser_accepts_the_root_extension_without_a_word(
    parser_diagnostics: dict,
) -> None:
    about_root_extension = [
        d
        for diagnostics in parser_diagnostics.values()
        for d in diagnostics
        if d["path"][:1] == ["x-grimoire"]
    ]
    assert about_root_extension == []


def test_official_parser_accepts_the_generated_file_marks(node_modules: Path, tmp_path: Path):
    files = [tmp_path / "api.yaml", tmp_path / "api.json"]
    for path in files:
        result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL), "-o", str(path))
        assert result.returncode == 0, result.stderr
    diagnostics = validate_with_parser(node_modules, files)
    for path in files:
        assert [d for d in diagnostics[str(path)] if d["severity"] == 0] == [], path


def test_validator_reports_errors_in_a_broken_document(node_modules: Path, tmp_path: Path) -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    document["operations"]["orders.send.OrderPlaced"]["channel"] = {"$ref": "#/channels/nope"}
    path = tmp_path / "broken.yaml"
    path.write_text(dump_asyncapi(document, "yaml"), encoding="utf-8")
    diagnostics = validate_with_parser(node_modules, [path])[str(path)]
    assert any(d["severity"] == 0 for d in diagnostics)


def test_same_model_gives_same_bytes() -> None:
    first = dump_asyncapi(build_asyncapi(load_model(EVERY_FEATURE)), "yaml")
    second = dump_asyncapi(build_asyncapi(load_model(EVERY_FEATURE)), "yaml")
    assert first == second


def test_cli_output_is_identical_across_runs(tmp_path: Path) -> None:
    outputs = []
    for index in range(2):
        target = tmp_path / f"run{index}.yaml"
        result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL), "-o", str(target))
        assert result.returncode == 0, result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_json_extension_writes_json(tmp_path: Path) -> None:
    target = tmp_path / "api.json"
    result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL), "-o", str(target))
    assert result.returncode == 0, result.stderr
    document = json.loads(target.read_text())
    assert list(document)[:2] == ["x-generated-by", "asyncapi"]
    assert document["x-generated-by"] == "grimoire export asyncapi; do not edit"
    assert document["asyncapi"] == "3.0.0"


def test_yaml_extension_writes_yaml(tmp_path: Path) -> None:
    target = tmp_path / "api.yml"
    result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL), "-o", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    marker, first = text.split("\n")[:2]
    assert marker == "# generated by grimoire export asyncapi; do not edit"
    assert first == 'asyncapi: "3.0.0"'
    assert yaml.safe_load(text)["info"]["title"] == "Shop"


def test_no_output_prints_yaml_to_stdout() -> None:
    result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["asyncapi"] == "3.0.0"


def test_unknown_service_is_bad_input() -> None:
    result = run_grimoire("export", "asyncapi", str(EXAMPLE_MODEL), "--service", "nobody")
    assert result.returncode == 2
    assert "no service 'nobody'" in result.stderr


def test_producers_send_and_consumers_receive() -> None:
    operations = build_asyncapi(load_model(EXAMPLE_MODEL))["operations"]
    placed = {
        (op["action"], op["x-service"])
        for op in operations.values()
        if op["messages"][0]["$ref"].endswith("/OrderPlaced")
    }
    assert placed == {("send", "orders"), ("receive", "inventory"), ("receive", "payments")}


def test_operations_reference_their_channel_and_its_message() -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    operation = document["operations"]["payments.receive.StockReserved"]
    assert operation["channel"] == {"$ref": "#/channels/shop.inventory"}
    assert operation["messages"] == [{"$ref": "#/channels/shop.inventory/messages/StockReserved"}]
    assert "StockReserved" in document["channels"]["shop.inventory"]["messages"]


def test_service_scope_keeps_only_what_the_service_touches() -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL), "payments")
    assert {op["x-service"] for op in document["operations"].values()} == {"payments"}
    assert set(document["channels"]) == {"shop.orders", "shop.inventory", "shop.payments"}
    assert "OrderConfirmed" not in document["components"]["messages"]
    assert "StockReserved" in document["components"]["messages"]


def test_brokers_become_servers_with_their_protocol() -> None:
    servers = build_asyncapi(load_model(EVERY_FEATURE))["servers"]
    protocols = {server["title"]: server["protocol"] for server in servers.values()}
    assert protocols == {
        "events-kafka": "kafka",
        "work-rabbit": "amqp",
        "aws-queues": "sqs",
        "gcp": "googlepubsub",
    }
    assert servers["work-rabbit"]["host"] == "{host}"


def test_address_parameters_are_declared() -> None:
    channel = build_asyncapi(load_model(EVERY_FEATURE))["channels"]["sales.orders"]
    assert channel["address"] == "acme.{region}.orders.v1"
    assert set(channel["parameters"]) == {"region"}


def test_kafka_channel_binding_has_topic_partitions_and_retention() -> None:
    kafka = build_asyncapi(load_model(EVERY_FEATURE))["channels"]["sales.orders"]["bindings"]
    assert kafka["kafka"]["topic"] == "acme.{region}.orders.v1"
    assert kafka["kafka"]["partitions"] == 24
    assert kafka["kafka"]["topicConfiguration"] == {"retention.ms": -1}


def test_amqp_channel_binding_names_the_queue() -> None:
    channel = build_asyncapi(load_model(EVERY_FEATURE))["channels"]["shipping.work"]
    assert channel["bindings"]["amqp"]["is"] == "queue"
    assert channel["bindings"]["amqp"]["queue"]["name"] == "shipping-work"


def test_kafka_message_key_comes_from_the_partition_key() -> None:
    messages = build_asyncapi(load_model(EXAMPLE_MODEL))["components"]["messages"]
    key = messages["OrderPlaced"]["bindings"]["kafka"]["key"]
    assert key["type"] == "string"
    assert "orderId" in key["description"]
    avro_key = messages["PaymentConfirmed"]["bindings"]["kafka"]["key"]
    assert avro_key["type"] == "string"


def resolve(document: dict, node: dict) -> dict:
    """The target of a local `{$ref: '#/...'}` in an exported document."""
    for token in node["$ref"][2:].split("/"):
        document = document[token]
    return document


def test_cloudevents_headers_and_correlation_id_for_kafka() -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    message = document["components"]["messages"]["OrderPlaced"]
    headers = resolve(document, message["headers"])
    assert set(headers["properties"]) >= {"ce_id", "ce_source", "ce_type"}
    assert headers["required"] == ["ce_id", "ce_source", "ce_specversion", "ce_type"]
    correlation = resolve(document, message["correlationId"])
    assert correlation["location"] == "$message.header#/ce_correlationid"


def test_messages_on_one_transport_share_one_header_schema() -> None:
    document = build_asyncapi(load_model(EXAMPLE_MODEL))
    refs = {m["headers"]["$ref"] for m in document["components"]["messages"].values()}
    assert refs == {"#/components/schemas/cloudEventsHeaders-kafka"}


def test_amqp_headers_use_the_amqp_cloudevents_prefix() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    message = document["components"]["messages"]["ShipmentRequested"]
    assert "cloudEvents:id" in resolve(document, message["headers"])["properties"]


def test_custom_envelope_has_plain_headers_and_no_correlation_id() -> None:
    document = build_asyncapi(load_model(CUSTOM_ENVELOPE))
    message = document["components"]["messages"]["NoticeRequested"]
    assert set(resolve(document, message["headers"])["properties"]) == {"messageid", "tenant"}
    assert "correlationId" not in message


def test_avro_payload_uses_the_avro_schema_format() -> None:
    messages = build_asyncapi(load_model(EVERY_FEATURE))["components"]["messages"]
    for name in ("InvoiceIssued", "PaymentReminderDue"):
        payload = messages[name]["payload"]
        assert payload["schemaFormat"] == "application/vnd.apache.avro;version=1.9.0"
        assert payload["schema"]["type"] == "record"


def test_newer_json_schema_is_a_multi_format_schema_with_rebased_refs() -> None:
    messages = build_asyncapi(load_model(EVERY_FEATURE))["components"]["messages"]
    payload = messages["OrderSubmitted"]["payload"]
    assert payload["schemaFormat"] == "application/schema+json;version=2020-12"
    items = payload["schema"]["properties"]["lines"]["items"]
    assert items == {"$ref": "#/components/messages/OrderSubmitted/payload/schema/$defs/line"}


def test_defs_appear_only_under_a_schema_format_whose_draft_has_them() -> None:
    for model_path in (EVERY_FEATURE, EXAMPLE_MODEL, HOSTILE, CUSTOM_ENVELOPE):
        for version in VERSIONS:
            document = build_asyncapi(load_model(model_path), None, version)
            for key, message in document["components"]["messages"].items():
                payload = message.get("payload")
                if version == "2.6":
                    schema_format, payload = message.get("schemaFormat"), payload
                elif isinstance(payload, dict) and "schemaFormat" in payload:
                    schema_format, payload = payload["schemaFormat"], payload["schema"]
                else:
                    schema_format = None
                if "$defs" in json.dumps(payload):
                    assert schema_format == "application/schema+json;version=2020-12", key


def test_a_schema_whose_only_newer_keyword_is_defs_is_written_as_draft_07() -> None:
    model = load_model(EXAMPLE_MODEL)
    event = next(e for e in model.events.values() if isinstance(e.schema, dict))
    schema = {
        "type": "object",
        "properties": {"total": {"$ref": "#/$defs/money"}},
        "$defs": {"money": {"type": "integer"}},
    }
    model.events[event.name] = replace(event, schema=schema)
    message = build_asyncapi(model)["components"]["messages"][event.name]
    assert message["payload"]["definitions"] == {"money": {"type": "integer"}}
    assert message["payload"]["properties"]["total"] == {
        "$ref": f"#/components/messages/{event.name}/payload/definitions/money"
    }
    assert message["x-grimoire"]["schema_defs"] == "definitions"


def test_draft07_schema_stays_inline_with_rebased_refs() -> None:
    messages = build_asyncapi(load_model(EVERY_FEATURE))["components"]["messages"]
    address = messages["ShipmentRequested"]["payload"]["properties"]["address"]
    assert address == {
        "$ref": "#/components/messages/ShipmentRequested/payload/definitions/address"
    }


def test_ref_text_inside_enum_data_is_not_rewritten() -> None:
    messages = build_asyncapi(load_model(EVERY_FEATURE))["components"]["messages"]
    money = messages["OrderSubmitted"]["payload"]["schema"]["$defs"]["money"]
    assert money["properties"]["currency"]["enum"] == ["$ref", "EUR"]


def test_event_without_channel_gets_an_implicit_channel_with_null_address() -> None:
    channels = build_asyncapi(load_model(EVERY_FEATURE))["channels"]
    assert channels["OrderArchived"]["address"] is None
    assert channels["OrderArchived"]["x-grimoire"] == {"implicit": True}


def test_synchronous_commands_and_internal_events_are_not_exported_as_messages() -> None:
    document = build_asyncapi(load_model(LEDGER))
    messages = document["components"]["messages"]
    assert "OpenAccount" not in messages and "OverdraftLimitReached" not in messages
    assert {"AccountDebited", "AccountCredited", "SuspiciousActivityDetected"} <= set(messages)
    assert not [c for c in document["channels"].values() if c.get("address") is None]


def test_hostile_names_get_safe_unique_keys_and_keep_their_names() -> None:
    document = build_asyncapi(load_model(HOSTILE))
    import re

    for section in ("channels", "operations", "servers"):
        for key in document[section]:
            assert re.match(COMPONENT_KEY, key), key
    messages = document["components"]["messages"]
    for key in messages:
        assert re.match(COMPONENT_KEY, key), key
    names = sorted(message["name"] for message in messages.values())
    assert names == sorted(
        [
            "Order Placed",
            "order placed",
            "Order_Placed-3a8c1f2e",
            "[x](y)",
            "Order:Placed",
            "Line\nbreak\n",
        ]
    )
    assert len(set(messages)) == 6


def test_invalid_address_parameter_names_are_renamed() -> None:
    channels = build_asyncapi(load_model(HOSTILE))["channels"]
    channel = next(c for c in channels.values() if c["title"] == "orders channel #1")
    assert channel["address"] == "orders/{tenant_id}/{tenant}/v1"
    assert set(channel["parameters"]) == {"tenant_id", "tenant"}
    assert channel["x-grimoire"]["address"] == "orders/{tenant id}/{tenant}/v1"


JSON_LIKE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(blacklist_categories=("Cs",))), children, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_LIKE)
def test_yaml_text_reads_back_as_the_same_data(data: object) -> None:
    assert yaml.safe_load(block_yaml(data)) == data


JSON_KEYS = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
JSON_TREES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(JSON_KEYS, children, max_size=4)
    ),
    max_leaves=30,
)


@pytest.mark.parametrize("ensure_ascii", [False, True])
@settings(max_examples=300, deadline=None)
@given(data=JSON_TREES)
def test_json_text_is_what_json_dumps_writes(data: object, ensure_ascii: bool) -> None:
    try:
        expected = json.dumps(data, indent=2, ensure_ascii=ensure_ascii, allow_nan=False)
    except ValueError:  # NaN or an infinity: not JSON, refused by both
        with pytest.raises(ValueError):
            json_text(data, ensure_ascii)
        return
    assert json_text(data, ensure_ascii) == expected


def test_json_text_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        json_text({"when": object()})
    with pytest.raises(TypeError):
        json_text({("a", "b"): 1})


def test_written_file_gets_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.yaml"
    write_file(path, "asyncapi: 3.0.0\n")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_rewritten_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.yaml"
    path.write_text("# generated by grimoire export asyncapi; do not edit\nold\n")
    path.chmod(0o640)
    write_file(path, "asyncapi: 3.0.0\n")
    assert path.read_text() == "asyncapi: 3.0.0\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("model_path", [EXAMPLE_MODEL, EVERY_FEATURE, HOSTILE])
def test_yaml_export_reads_back_as_the_json_export(model_path: Path) -> None:
    document = build_asyncapi(load_model(model_path))
    assert yaml.safe_load(dump_asyncapi(document, "yaml")) == json.loads(
        dump_asyncapi(document, "json")
    )


def operations_on(document: dict, message_key: str) -> list[tuple[str, str]]:
    """(action, x-service) of every operation that lists the message."""
    return [
        (operation["action"], operation["x-service"])
        for operation in document["operations"].values()
        if any(ref["$ref"].endswith(f"/messages/{message_key}") for ref in operation["messages"])
    ]


def test_every_command_is_a_message_marked_as_a_command() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    messages = document["components"]["messages"]
    for name in ("ShipOrder", "IssueInvoice", "VoidInvoice", "RecordSale"):
        assert messages[name]["x-grimoire"]["kind"] == "command", name
        assert messages[name]["summary"].startswith("Command")


def test_command_payload_is_its_schema() -> None:
    model = load_model(EVERY_FEATURE)
    messages = build_asyncapi(model)["components"]["messages"]
    assert messages["ShipOrder"]["payload"] == model.commands["ShipOrder"].schema
    assert messages["RecordSale"]["payload"]["schemaFormat"].startswith(
        "application/vnd.apache.avro"
    )
    assert "payload" not in messages["VoidInvoice"]


def test_command_handler_receives_and_each_issuer_sends() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    assert operations_on(document, "RecordSale") == [
        ("send", "sales"),
        ("send", "billing"),
        ("receive", "analytics"),
    ]


def test_command_without_issuers_is_sent_by_the_orchestrator_of_its_saga() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    assert operations_on(document, "IssueInvoice") == [("send", "sales"), ("receive", "billing")]
    sending = document["operations"]["sales.send.IssueInvoice"]
    assert sending["x-grimoire"] == {"saga": "ShippingOrchestration"}
    assert "issuers" not in document["components"]["messages"]["IssueInvoice"]["x-grimoire"]


def test_saga_compensation_command_is_sent_by_the_orchestrator() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    assert operations_on(document, "VoidInvoice") == [("send", "sales"), ("receive", "billing")]


def test_command_goes_on_its_channel() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE))
    assert "ShipOrder" in document["channels"]["shipping.work"]["messages"]
    receive = document["operations"]["shipping.receive.ShipOrder"]
    assert receive["channel"] == {"$ref": "#/channels/shipping.work"}


def test_command_without_channel_gets_an_implicit_channel() -> None:
    channels = build_asyncapi(load_model(EVERY_FEATURE))["channels"]
    assert channels["VoidInvoice"]["address"] is None
    assert channels["VoidInvoice"]["x-grimoire"] == {"implicit": True}
    assert list(channels["VoidInvoice"]["messages"]) == ["VoidInvoice"]


def test_command_named_like_an_event_gets_its_own_message_key(tmp_path: Path) -> None:
    text = EVERY_FEATURE.read_text().replace(
        "\ncommands:\n", "\ncommands:\n  OrderArchived: {handler: sales, issuers: [analytics]}\n"
    )
    path = tmp_path / "design.yaml"
    path.write_text(text)
    (tmp_path / "schemas").mkdir()
    schema = EVERY_FEATURE.parent / "schemas" / "invoice-issued.avsc"
    (tmp_path / "schemas" / schema.name).write_text(schema.read_text())
    document = build_asyncapi(load_model(path))
    messages = document["components"]["messages"]
    assert messages["OrderArchived"]["x-grimoire"]["kind"] != "command"
    assert messages["OrderArchived-2"]["x-grimoire"]["kind"] == "command"
    assert operations_on(document, "OrderArchived-2") == [
        ("send", "analytics"),
        ("receive", "sales"),
    ]


def test_service_export_has_the_commands_it_handles_or_issues() -> None:
    document = build_asyncapi(load_model(EVERY_FEATURE), "billing")
    commands = {
        key
        for key, message in document["components"]["messages"].items()
        if message["x-grimoire"].get("kind") == "command"
    }
    assert commands == {"IssueInvoice", "VoidInvoice", "RecordSale"}
    assert all(op["x-service"] == "billing" for op in document["operations"].values())


def test_root_extension_carries_the_sections_asyncapi_has_no_place_for() -> None:
    model = load_model(EVERY_FEATURE)
    extension = build_asyncapi(model)["x-grimoire"]
    assert extension["system"] == {"compatibility": "FULL"}
    for section in ("contexts", "services", "envelope", "read_models", "sagas"):
        assert extension[section] == model.raw[section], section


def test_root_extension_carries_transport_needs() -> None:
    model = load_model(EXAMPLE_MODEL)
    assert build_asyncapi(model)["x-grimoire"]["transport_needs"] == model.raw["transport_needs"]


def test_cancel_requests_and_timer_events_are_messages_marked_with_their_saga_role() -> None:
    trip = build_asyncapi(load_model(SAGA_DATA / "trip-booking.yaml"))
    cancel = trip["components"]["messages"]["CancelTrip"]["x-grimoire"]
    assert cancel["sagaRoles"] == ["BookTrip: cancel"]
    assert "trips.receive.CancelTrip" in trip["operations"]
    hotel = build_asyncapi(load_model(SAGA_DATA / "hotel-hold.yaml"))
    messages = hotel["components"]["messages"]
    assert messages["HoldExpired"]["x-grimoire"]["sagaRoles"] == ["BookStay: timer"]
    assert messages["CancelBookingRequested"]["x-grimoire"]["sagaRoles"] == ["BookStay: cancel"]
