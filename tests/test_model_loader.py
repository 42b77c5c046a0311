"""The design model loader: positions, validation problems, and the guards on hostile input."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from conftest import EXAMPLE_DIR, EXAMPLE_MODEL, REPO_ROOT, value_paths
from eventdesign.errors import InputError
from eventdesign.findings import Location
from eventdesign.model import loader, source
from eventdesign.model.loader import ModelInvalid, load_model
from eventdesign.pointer import pointer_of

DATA = REPO_ROOT / "tests" / "data" / "model"

MINIMAL = """\
format: grimoire/1
system:
  name: Shop
services:
  orders: {}
  inventory: {}
events:
  OrderPlaced:
    producer: orders
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def model_with_schema(folder: Path, reference: str) -> Path:
    """A minimal model whose only event takes its payload schema from `reference` (line 10)."""
    return write(folder, "design.yaml", MINIMAL + f"    schema: {json.dumps(reference)}\n")


def load_error(path: Path, **options: bool) -> InputError:
    with pytest.raises(InputError) as caught:
        load_model(path, **options)
    return caught.value


# --- positions -----------------------------------------------------------------------------


def test_key_position_is_the_line_and_column_of_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL)
    model = load_model(path)
    assert model.locate("/events/OrderPlaced/producer") == Location(
        str(path), 9, 5, "/events/OrderPlaced/producer"
    )
    assert model.locate("/services/inventory") == Location(str(path), 6, 3, "/services/inventory")


def test_block_list_item_position_is_where_the_item_starts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "design.yaml",
        MINIMAL + "    consumers:\n      - inventory\n      - service: orders\n",
    )
    model = load_model(path)
    assert (
        model.locate("/events/OrderPlaced/consumers/0").line,
        model.locate("/events/OrderPlaced/consumers/0").column,
    ) == (11, 9)
    assert model.locate("/events/OrderPlaced/consumers/1/service").line == 12
    assert model.locate("/events/OrderPlaced/consumers/1/service").column == 9
    assert model.events["OrderPlaced"].consumers[1].pointer == "/events/OrderPlaced/consumers/1"


def test_flow_list_item_position_is_the_column_inside_the_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL + "    consumers: [inventory, orders]\n")
    location = load_model(path).locate("/events/OrderPlaced/consumers/1")
    assert (location.line, location.column) == (10, 28)


def test_nested_value_in_an_inline_schema_has_its_own_position(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "design.yaml",
        MINIMAL
        + "    schema:\n"
        + "      type: object\n"
        + "      properties:\n"
        + "        orderId:\n"
        + "          type: string\n",
    )
    model = load_model(path)
    location = model.locate("/events/OrderPlaced/schema/properties/orderId/type")
    assert (location.line, location.column) == (14, 11)
    in_schema = model.locate_in_schema(model.events["OrderPlaced"], "/properties/orderId")
    assert (in_schema.file, in_schema.line, in_schema.column) == (str(path), 13, 9)


def test_schema_file_positions_point_into_the_schema_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "schemas/order-placed.json",
        """\
        {
          "type": "object",
          "properties": {
            "orderId": {"type": "string"},
            "total": {"type": "number"}
          }
        }
        """,
    )
    path = model_with_schema(tmp_path, "schemas/order-placed.json")
    model = load_model(path)
    event = model.events["OrderPlaced"]
    location = model.locate_in_schema(event, "/properties/total")
    assert location.file == str(tmp_path / "schemas" / "order-placed.json")
    assert (location.line, location.column) == (5, 5)
    assert location.pointer == "/properties/total"


def test_unknown_pointer_falls_back_to_its_nearest_located_ancestor(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL)
    location = load_model(path).locate("/events/OrderPlaced/consumers/7")
    assert (location.line, location.column) == (8, 3)
    assert location.pointer == "/events/OrderPlaced/consumers/7"


def test_example_model_positions_match_its_text() -> None:
    model = load_model(EXAMPLE_MODEL)
    lines = EXAMPLE_MODEL.read_text(encoding="utf-8").splitlines()
    expected_line = lines.index("  PaymentConfirmed:") + 1
    location = model.locate(model.events["PaymentConfirmed"].pointer)
    assert (location.line, location.column) == (expected_line, 3)


def test_example_schema_file_positions_name_the_schema_file() -> None:
    model = load_model(EXAMPLE_MODEL)
    location = model.locate_in_schema(model.events["OrderPlaced"], "/properties")
    assert Path(location.file).name == "order-placed.schema.json"
    schema_lines = (EXAMPLE_DIR / "schemas" / "order-placed.schema.json").read_text().splitlines()
    assert schema_lines[location.line - 1].lstrip().startswith('"properties"')


# --- validation against the model format -----------------------------------------------------


INVALID = """\
format: grimoire/1
system:
  name: Shop
services:
  orders:
    state: sometimes
events:
  OrderPlaced:
    ordering: random
  OrderShipped:
    producer: orders
    version: 0
"""


def test_every_schema_problem_is_reported_in_file_order_with_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", INVALID)
    with pytest.raises(ModelInvalid) as caught:
        load_model(path)
    problems = caught.value.problems
    assert [(loc.line, loc.column) for loc, _ in problems] == [(6, 5), (8, 3), (9, 5), (12, 5)]
    messages = [message for _, message in problems]
    assert "'sometimes' is not one of" in messages[0]
    assert "'producer' is a required property" in messages[1]
    assert "'random' is not one of" in messages[2]
    assert "0 is less than the minimum of 1" in messages[3]


def test_model_invalid_details_are_one_file_line_column_line_each(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", INVALID)
    with pytest.raises(ModelInvalid) as caught:
        load_model(path)
    error = caught.value
    assert "4 problems" in str(error)
    assert len(error.details) == 4
    assert error.details[0].startswith(f"{path}:6:5: ")
    assert all(detail.startswith(f"{path}:") for detail in error.details)


def test_a_model_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, "design.yaml", "- format\n- grimoire/1\n"))
    assert (error.line, error.column) == (1, 1)
    assert "mapping" in error.message


def test_the_wrong_format_version_is_reported_at_its_key(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL.replace("grimoire/1", "grimoire/2"))
    with pytest.raises(ModelInvalid) as caught:
        load_model(path)
    [(location, message)] = caught.value.problems
    assert (location.line, location.pointer) == (1, "/format")
    assert "grimoire/1" in message


# --- YAML input problems ---------------------------------------------------------------------


def test_duplicate_keys_are_refused_at_the_second_key(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL + "  OrderPlaced:\n    producer: inventory\n")
    error = load_error(path)
    assert (error.file, error.line, error.column) == (str(path), 10, 3)
    assert "duplicate key 'OrderPlaced'" in error.message


def test_duplicate_keys_in_a_schema_file_are_refused_naming_that_file(tmp_path: Path) -> None:
    write(tmp_path, "schemas/x.json", '{\n  "type": "object",\n  "type": "string"\n}\n')
    error = load_error(model_with_schema(tmp_path, "schemas/x.json"))
    assert error.file is not None and error.file.endswith("x.json")
    assert (error.line, error.column) == (3, 3)
    assert "duplicate key 'type'" in error.message


def test_invalid_yaml_is_reported_with_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "design.yaml", MINIMAL + "    consumers: [inventory\n")
    error = load_error(path)
    assert error.file == str(path)
    assert error.line is not None and error.line >= 10
    assert error.column is not None
    assert error.message.startswith("invalid YAML")


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    text = MINIMAL + "  OrderShipped:\n    <<: {producer: orders}\n"
    error = load_error(write(tmp_path, "design.yaml", text))
    assert (error.line, error.column) == (11, 5)
    assert "merge keys" in error.message


def test_yes_no_on_off_keys_stay_words() -> None:
    # YAML 1.1 reads plain on/yes/no as booleans; as keys they are the words the user wrote.
    document = source.parse_yaml("on: OrderPlaced\nyes: 1\nOff: 2\n'true': 3\n", "keys.yaml")
    assert document.data == {"on": "OrderPlaced", "yes": 1, "Off": 2, "true": 3}


def test_example_saga_reactions_keep_their_on_key() -> None:
    saga = load_model(EXAMPLE_MODEL).sagas["OrderFulfilment"]
    assert saga["reactions"][0]["on"] == "OrderPlaced"


def test_timestamps_stay_strings(tmp_path: Path) -> None:
    text = MINIMAL + "    examples:\n      - placedAt: 2026-11-27T10:15:00Z\n"
    model = load_model(write(tmp_path, "design.yaml", text))
    assert model.events["OrderPlaced"].examples == ({"placedAt": "2026-11-27T10:15:00Z"},)


def test_alias_bomb_is_refused_at_the_value_that_expands(tmp_path: Path) -> None:
    error = load_error(DATA / "billion-laughs.yaml")
    assert "alias" in error.message
    assert (error.line, error.column) == (11, 4)


def test_aliases_within_the_limit_load_expanded(tmp_path: Path) -> None:
    text = MINIMAL + "    examples:\n      - &order {orderId: o-1}\n      - *order\n"
    model = load_model(write(tmp_path, "design.yaml", text))
    assert model.events["OrderPlaced"].examples == ({"orderId": "o-1"}, {"orderId": "o-1"})


def test_a_value_that_contains_itself_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + "    examples: &loop [*loop]\n"
    error = load_error(write(tmp_path, "design.yaml", text))
    assert "nested deeper than" in error.message


def test_nesting_deeper_than_the_limit_is_refused_at_its_position(tmp_path: Path) -> None:
    depth = source.MAX_DEPTH + 10
    text = MINIMAL + "    examples: " + "[" * depth + "]" * depth + "\n"
    error = load_error(write(tmp_path, "design.yaml", text))
    assert "nested deeper than" in error.message
    assert error.line == 10


def test_nesting_too_deep_for_the_parser_is_an_input_error(tmp_path: Path) -> None:
    # Far past Python's recursion limit, which a recursive YAML composer would hit.
    text = MINIMAL + "    examples: " + "[" * 100_000 + "]" * 100_000 + "\n"
    error = load_error(write(tmp_path, "design.yaml", text))
    assert "nested" in error.message
    assert (error.file, error.line) == (str(tmp_path / "design.yaml"), 10)


def test_non_utf8_model_is_reported_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "design.yaml"
    path.write_bytes(b"format: grimoire/1\nsystem:\n  name: Caf\xe9\n")
    error = load_error(path)
    assert (error.file, error.line, error.column) == (str(path), 3, 12)
    assert "0xe9" in error.message and "UTF-8" in error.message


def test_non_utf8_schema_file_is_reported_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_bytes(b'{\n  "title": "Caf\xe9"\n}\n')
    error = load_error(model_with_schema(tmp_path, "s.json"))
    assert error.file is not None and error.file.endswith("s.json")
    assert (error.line, error.column) == (2, 16)


def test_model_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "design.yaml"
    with path.open("wb") as handle:  # sparse: no disk used, and never read
        handle.truncate(source.MAX_FILE_BYTES + 1)
    error = load_error(path)
    assert "limit" in error.message
    assert error.file == str(path)


def test_schema_file_over_its_size_limit_is_refused(tmp_path: Path) -> None:
    with (tmp_path / "big.json").open("wb") as handle:
        handle.truncate(loader.MAX_SCHEMA_FILE_BYTES + 1)
    error = load_error(model_with_schema(tmp_path, "big.json"))
    assert "limit" in error.message
    assert error.file is not None and error.file.endswith("big.json")


def test_missing_model_file_is_an_input_error(tmp_path: Path) -> None:
    error = load_error(tmp_path / "nope.yaml")
    assert "not found" in error.message


def test_a_directory_instead_of_a_model_is_an_input_error(tmp_path: Path) -> None:
    error = load_error(tmp_path)
    assert "directory" in error.message


# --- payload schema files --------------------------------------------------------------------


def test_schema_file_outside_the_model_tree_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "shared/order.json", '{"type": "object"}')
    error = load_error(model_with_schema(tmp_path / "model", "../shared/order.json"))
    assert "outside" in error.message and "--allow-outside" in error.message
    assert (error.line, error.column) == (10, 5)


def test_schema_file_outside_the_tree_loads_with_allow_outside(tmp_path: Path) -> None:
    target = write(tmp_path, "shared/order.json", '{"type": "object"}')
    path = model_with_schema(tmp_path / "model", "../shared/order.json")
    event = load_model(path, allow_outside=True).events["OrderPlaced"]
    assert event.schema == {"type": "object"}
    assert event.schema_file == target.resolve()


def test_absolute_schema_path_is_refused(tmp_path: Path) -> None:
    target = write(tmp_path, "order.json", '{"type": "object"}')
    error = load_error(model_with_schema(tmp_path, str(target)))
    assert "absolute" in error.message
    assert error.line == 10


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_leading_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    target = write(tmp_path, "elsewhere/order.json", '{"type": "object"}')
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "order.json").symlink_to(target)
    error = load_error(model_with_schema(tmp_path / "model", "order.json"))
    assert "outside" in error.message


@pytest.mark.parametrize(
    "reference",
    ["https://schemas.example.com/order.json", "http://x/order.avsc", "//host/share/order.json"],
)
def test_url_schema_is_refused(tmp_path: Path, reference: str) -> None:
    error = load_error(model_with_schema(tmp_path, reference), allow_outside=True)
    assert "URL" in error.message and "never fetches" in error.message
    assert error.line == 10


def test_missing_schema_file_is_reported_at_the_reference(tmp_path: Path) -> None:
    error = load_error(model_with_schema(tmp_path, "schemas/missing.json"))
    assert "schemas/missing.json" in error.message and "not found" in error.message
    assert (error.file, error.line, error.column) == (str(tmp_path / "design.yaml"), 10, 5)


def test_schema_file_with_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", "{}")
    error = load_error(model_with_schema(tmp_path, "order.txt"))
    assert ".avsc" in error.message
    assert error.line == 10


def test_avsc_file_is_read_as_avro(tmp_path: Path) -> None:
    write(tmp_path, "order.avsc", '{"type": "record", "name": "Order", "fields": []}')
    event = load_model(model_with_schema(tmp_path, "order.avsc")).events["OrderPlaced"]
    assert event.schema_format == "avro"
    assert event.schema["type"] == "record"


def test_json_and_yaml_schema_files_are_read_as_json_schema(tmp_path: Path) -> None:
    write(tmp_path, "order.yaml", "type: object\n")
    event = load_model(model_with_schema(tmp_path, "order.yaml")).events["OrderPlaced"]
    assert event.schema_format == "jsonschema"
    assert event.schema == {"type": "object"}


def test_declared_schema_format_wins_over_the_extension(tmp_path: Path) -> None:
    write(tmp_path, "order.json", '{"type": "record", "name": "Order", "fields": []}')
    path = model_with_schema(tmp_path, "order.json")
    path.write_text(path.read_text() + "    schema_format: avro\n")
    assert load_model(path).events["OrderPlaced"].schema_format == "avro"


def test_example_model_reads_its_avro_and_json_schema_files() -> None:
    model = load_model(EXAMPLE_MODEL)
    assert model.events["PaymentConfirmed"].schema_format == "avro"
    assert (
        model.events["PaymentConfirmed"].schema_file
        == (EXAMPLE_DIR / "schemas" / "payment-confirmed.avsc").resolve()
    )
    assert model.events["OrderPlaced"].schema_format == "jsonschema"
    assert model.events["StockReserved"].schema_file is None


SCALARS_AND_KEYS = """\
plain: text
'quoted': "text"
1: one
2.5: [1, 2.5, true, null, ~, 0x1f, 2026-11-27, "3"]
a/b~c:
  - {x: 1, y: [on, off]}
  - - nested
    - - deeper
tagged: !!str 12
"<<": merge-looking key, quoted
value: <<
"""


def test_documents_with_and_without_anchors_read_the_same_data_and_positions() -> None:
    # An anchor and an alias at the end change nothing about what comes before them.
    fast = source.parse_yaml(SCALARS_AND_KEYS, "a.yaml")
    anchored = source.parse_yaml(SCALARS_AND_KEYS + "extra: &x 1\nagain: *x\n", "a.yaml")
    assert anchored.data == {**fast.data, "extra": 1, "again": 1}
    pointers = [pointer_of(path) for path in value_paths(fast.data)]
    assert "/a~1b~0c/1/1/0" in pointers
    assert [fast.locate(p) for p in pointers] == [anchored.locate(p) for p in pointers]
    assert fast.data["value"] == "<<" and fast.data["2.5"][6] == "2026-11-27"


def test_keys_with_slash_and_tilde_are_located_by_their_escaped_pointer() -> None:
    document = source.parse_yaml(SCALARS_AND_KEYS, "a.yaml")
    location = document.locate("/a~1b~0c/1/1/0")
    assert (location.line, location.column) == (8, 9)
    assert document.locate("/a~1b~0c/0/y/1").line == 6


def test_pointers_past_the_data_stop_at_the_last_located_member() -> None:
    document = source.parse_yaml(SCALARS_AND_KEYS, "a.yaml")
    assert document.locate("/2.5/99").line == 4
    assert document.locate("/2.5/-").line == 4
    assert document.locate("/plain/deeper/still").line == 1
    assert document.locate("/missing").line == 1


# --- fields that say what real systems have --------------------------------------------------

DOMAINS = REPO_ROOT / "tests" / "data" / "check" / "domains"
# (definition, property) of every field an editor must complete and explain.
DESCRIBED_FIELDS = [
    ("service", "event_store"),
    ("service", "stream_processor"),
    ("service", "dead_letter"),
    ("service", "idempotency_scope"),
    ("channel", "cleanup"),
    ("channel", "delivery"),
    ("channel", "replication"),
    ("channel", "owner"),
    ("channel", "alert"),
    ("channel", "redrive"),
    ("channel", "envelope"),
    ("envelope", "mode"),
    ("event", "internal"),
    ("event", "erases"),
    ("command", "synchronous"),
    ("command", "key"),
]


@pytest.mark.parametrize(("definition", "field"), DESCRIBED_FIELDS)
def test_new_fields_are_described_for_editors(definition: str, field: str) -> None:
    schema = loader.model_schema()
    spec = schema["$defs"][definition]["properties"][field]
    if "$ref" in spec and "description" not in spec:
        spec = schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]]
    assert spec.get("description")


def test_new_fields_load_into_the_typed_model() -> None:
    ledger = load_model(DOMAINS / "banking-ledger.yaml")
    store = ledger.services["ledger"].event_store
    assert (store.stream, store.publish) == ("account-{accountId}", "subscription")
    assert ledger.services["fraud"].stream_processor == "kafka-streams"
    assert ledger.events["OverdraftLimitReached"].internal
    assert ledger.commands["OpenAccount"].synchronous
    assert ledger.commands["OpenAccount"].pii[0].subject == "account-holder"
    assert ledger.invariants["Accounts"][0].startswith("An account's balance")
    iot = load_model(DOMAINS / "iot-telemetry.yaml")
    assert iot.channels["device.state"].compacted
    assert iot.channels["device.state"].replication.min_in_sync == 2
    alerts = iot.envelope_of(iot.channels["alerts"])
    assert len(alerts.attributes) == 9 and alerts.mode == "binary"
    assert iot.envelope_of(iot.channels["alerts.dlq"]).mode == "structured"
    assert len(iot.envelope_of(iot.channels["telemetry.raw"]).attributes) == 11
    claims = load_model(DOMAINS / "insurance-claims.yaml")
    (suppression,) = claims.rule_settings.suppress
    assert suppression.covers("event ClaimSettled") and not suppression.covers(
        "event ClaimSettledX"
    )


def test_a_misspelt_new_field_value_is_refused_at_its_line(tmp_path: Path) -> None:
    text = (DOMAINS / "iot-telemetry.yaml").read_text(encoding="utf-8")
    line = text[: text.index("cleanup: compact")].count("\n") + 1
    path = write(tmp_path, "design.yaml", text.replace("cleanup: compact", "cleanup: compacted"))
    error = load_error(path)
    assert isinstance(error, ModelInvalid)
    ((location, message),) = error.problems
    assert (location.line, "compacted" in message) == (line, True)
