"""Each check rule fires on a model that breaks it and stays quiet on one that does not.

Models start from tests/data/check/clean.yaml (every rule passes) and change one thing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from conftest import run_grimoire
from eventdesign.model.loader import load_model
from eventdesign.rules import engine
from eventdesign.rules.registry import all_rules

DATA = Path(__file__).parent / "data" / "check"
CLEAN = yaml.safe_load((DATA / "clean.yaml").read_text(encoding="utf-8"))


def findings_for(tmp_path: Path, model: dict, rule_id: str, files: dict | None = None) -> list:
    """Findings of one rule on a model written to a temporary design.yaml."""
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    loaded = load_model(path)
    selection = engine.select_rules(all_rules(), cli_select=[rule_id])
    return [f for f in engine.run_rules(loaded, selection) if f.rule == rule_id]


def changed(change: Callable[[dict], Any]) -> dict:
    model = copy.deepcopy(CLEAN)
    change(model)
    return model


def event(model: dict, name: str = "OrderPlaced") -> dict:
    return model["events"][name]


def rename_event(model: dict, old: str, new: str) -> None:
    model["events"] = {(new if k == old else k): v for k, v in model["events"].items()}
    model["read_models"]["OrderHistory"]["sources"] = [
        new if s == old else s for s in model["read_models"]["OrderHistory"]["sources"]
    ]


def add_event(model: dict, name: str, **spec: Any) -> None:
    base = {"producer": "orders", "consumers": ["billing"], "channel": "orders.events"}
    base.update(spec)
    model["events"][name] = base


def add_consumer_service(model: dict, name: str) -> None:
    """A third service that also consumes OrderPlaced."""
    model["services"][name] = {"context": "Billing", "state": "owned", "outbox": "cdc"}
    model["services"][name]["idempotency"] = "inbox"
    event(model)["consumers"].append(name)


def queue_channel(model: dict, transport: str) -> None:
    """Move OrderPlaced's channel to another transport, keeping its dead-letter channel."""
    model["channels"]["orders.events"] = {"transport": transport, "dead_letter": "orders.dlq"}


def customer_fields(model: dict) -> dict:
    return event(model)["schema"]["properties"]["customer"]["properties"]


def add_saga_reactions(model: dict, reactions: list) -> None:
    model["sagas"] = {
        "Flow": {"style": "choreography", "trigger": reactions[0]["on"], "reactions": reactions}
    }


# (rule, how to break the clean model, the element the finding must name)
TRIGGERS = [
    ("NAM001", lambda m: rename_event(m, "OrderPlaced", "PlaceOrder"), "event PlaceOrder"),
    (
        "NAM002",
        lambda m: m["commands"].update(StockReserved={"handler": "billing"}),
        "command StockReserved",
    ),
    ("NAM003", lambda m: rename_event(m, "OrderPlaced", "GetUserRequest"), "event GetUserRequest"),
    (
        "NAM004",
        lambda m: (
            add_event(m, "PricesRequested", consumers=["billing"]),
            add_event(
                m,
                "PricesCalculated",
                producer="billing",
                consumers=["orders"],
                channel="billing.events",
            ),
        ),
        "event PricesRequested",
    ),
    (
        "NAM005",
        lambda m: rename_event(m, "InvoiceIssued", "invoice.issued"),
        "event invoice.issued",
    ),
    ("NAM006", lambda m: rename_event(m, "OrderPlaced", "OrderUpdated"), "event OrderUpdated"),
    ("NAM007", lambda m: add_event(m, "SendEmailRequested"), "event SendEmailRequested"),
    ("TOP001", lambda m: event(m).update(producer="ordres"), "event OrderPlaced"),
    ("TOP002", lambda m: event(m).update(consumers=["biling"]), "event OrderPlaced"),
    (
        "TOP003",
        lambda m: m["read_models"]["OrderHistory"]["sources"].append("OrderLost"),
        "read model OrderHistory",
    ),
    ("TOP004", lambda m: event(m).update(channel="orders.evts"), "event OrderPlaced"),
    ("TOP005", lambda m: add_event(m, "OrderArchived", consumers=[]), "event OrderArchived"),
    ("TOP006", lambda m: event(m)["consumers"].append("orders"), "event OrderPlaced"),
    ("TOP009", lambda m: m["channels"]["orders.dlq"].update(transport="sqs"), "channel orders.dlq"),
    (
        "TOP010",
        lambda m: event(m, "InvoiceIssued").update(consumers=["billing"]),
        "read model OrderHistory",
    ),
    ("TOP011", lambda m: event(m).update(internal=True), "event OrderPlaced"),
    (
        "TOP012",
        lambda m: m["commands"]["IssueInvoice"].update(synchronous=True, channel="orders.events"),
        "command IssueInvoice",
    ),
    (
        "TOP007",
        lambda m: (
            add_event(
                m,
                "OrderRepriced",
                producer="billing",
                consumers=["orders"],
                channel="billing.events",
            ),
            add_saga_reactions(
                m,
                [
                    {"service": "billing", "on": "OrderPlaced", "emits": "OrderRepriced"},
                    {"service": "orders", "on": "OrderRepriced", "emits": "OrderPlaced"},
                ],
            ),
        ),
        "event loop OrderPlaced -> OrderRepriced -> OrderPlaced",
    ),
    (
        "TOP008",
        lambda m: event(m, "InvoiceIssued").update(consumers=["orders"]),
        "services billing and orders",
    ),
    ("SCH001", lambda m: event(m)["schema"].update(type="objekt"), "event OrderPlaced schema/type"),
    (
        "SCH002",
        lambda m: event(m).update(
            schema={"type": "record", "name": "OrderPlaced", "fields": [{"name": "orderId"}]},
            schema_format="avro",
            examples=[],
            pii=[],
        ),
        "event OrderPlaced schema",
    ),
    (
        "SCH003",
        lambda m: event(m)["schema"]["properties"].update(
            total={"$ref": "https://example.com/money.json"}
        ),
        "event OrderPlaced schema/properties/total/$ref",
    ),
    (
        "SCH013",
        lambda m: event(m).update(
            schema='syntax = "proto3";\nmessage OrderPlaced {\n  string order_id = ;\n}\n',
            schema_format="protobuf",
            examples=[],
            pii=[],
            key="order_id",
        ),
        "event OrderPlaced schema",
    ),
    (
        "SCH004",
        lambda m: event(m)["examples"].append({"customer": {"email": "x"}}),
        "event OrderPlaced example 2",
    ),
    ("SCH005", lambda m: m.update(envelope={"attributes": ["id", "source", "type"]}), "envelope"),
    (
        "SCH006",
        lambda m: m.update(
            envelope={
                "attributes": [
                    "id",
                    "source",
                    "specversion",
                    "type",
                    "time",
                    "subject",
                    "correlationid",
                    "causationid",
                ]
            }
        ),
        "envelope",
    ),
    ("SCH007", lambda m: event(m).update(key="order_id"), "event OrderPlaced"),
    ("SCH008", lambda m: event(m).update(key="customer.phone"), "event OrderPlaced"),
    ("SCH009", lambda m: event(m, "InvoiceIssued").pop("schema"), "event InvoiceIssued"),
    (
        "SCH010",
        lambda m: (queue_channel(m, "sqs"), m.update(envelope={"attributes": ELEVEN_ATTRIBUTES})),
        "channel orders.events",
    ),
    (
        "SCH011",
        lambda m: (
            queue_channel(m, "sqs"),
            event(m, "OrderPlaced")["schema"].update(
                additionalProperties=False,
                properties={
                    "orderId": {"type": "string", "maxLength": 40},
                    "customer": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"email": {"type": "string", "maxLength": 300_000}},
                    },
                },
            ),
        ),
        "event OrderPlaced",
    ),
    (
        "SCH012",
        lambda m: event(m).update(compatibility="FULL_TRANSITIVE"),
        "event OrderPlaced",
    ),
    ("REL001", lambda m: m["services"]["orders"].update(outbox="none"), "service orders"),
    (
        "REL002",
        lambda m: m["services"]["billing"].pop("idempotency"),
        "consumer billing of event OrderPlaced",
    ),
    (
        "REL003",
        lambda m: m["channels"]["orders.events"].pop("dead_letter"),
        "consumer billing of event OrderPlaced",
    ),
    (
        "REL004",
        lambda m: m["channels"]["orders.events"].update(transport="sqs"),
        "event OrderPlaced",
    ),
    ("REL005", lambda m: event(m).pop("channel"), "event OrderPlaced"),
    ("REL006", lambda m: event(m).pop("key"), "event OrderPlaced"),
    (
        "REL008",
        lambda m: m["services"]["orders"].update(
            state="event-sourced", outbox="none", event_store={"publish": "direct"}
        ),
        "service orders",
    ),
    (
        "REL009",
        lambda m: m["services"]["billing"].update(idempotency_scope="message-id"),
        "command IssueInvoice",
    ),
    (
        "REL010",
        lambda m: m["channels"]["orders.events"].update(replication={"factor": 1}),
        "channel orders.events",
    ),
    (
        "REL011",
        lambda m: m["channels"]["orders.events"].update(cleanup="compact"),
        "event OrderPlaced",
    ),
    (
        "REL013",
        lambda m: m["events"].update(
            OrderCancelled={
                "producer": "orders",
                "consumers": ["billing"],
                "channel": "orders.events",
                "key": "cancellationId",
                "schema": {
                    "type": "object",
                    "required": ["cancellationId", "orderId"],
                    "properties": {
                        "cancellationId": {"type": "string"},
                        "orderId": {"type": "string"},
                    },
                },
            }
        ),
        "event OrderCancelled",
    ),
    (
        "REL012",
        lambda m: m["channels"]["billing.dlq"].pop("alert"),
        "channel billing.dlq",
    ),
    (
        "REL007",
        lambda m: (add_consumer_service(m, "shipping"), queue_channel(m, "sqs")),
        "event OrderPlaced",
    ),
    (
        "DAT001",
        lambda m: event(m)["pii"].append("customer.phone"),
        "event OrderPlaced field customer.phone",
    ),
    (
        "DAT002",
        lambda m: event(m)["pii"].append({"field": "customer.mail", "protection": "encryption"}),
        "event OrderPlaced field customer.mail",
    ),
    ("DAT003", lambda m: event(m).update(snapshot=True), "event OrderPlaced"),
    (
        "DAT004",
        lambda m: customer_fields(m).update(iban={"type": "string"}),
        "event OrderPlaced field customer.iban",
    ),
    (
        "DAT005",
        lambda m: (
            event(m)["pii"].append({"field": "customer.email", "protection": "encryption"}),
            add_event(m, "CustomerForgotten", consumers=["orders"], erases="customer"),
        ),
        "consumer billing of event OrderPlaced",
    ),
]
# Where each trigger's one finding is, and what it says: (line, column, message).
LOCATED = {
    "NAM001": (47, 3, "event 'PlaceOrder' is not named in the past tense"),
    "NAM002": (111, 3, "command 'StockReserved' does not start with a verb in the imperative"),
    "NAM003": (47, 3, "event 'GetUserRequest' is named like a query"),
    "NAM004": (
        101,
        3,
        (
            "event 'PricesRequested' is answered by 'PricesCalculated': a request/reply "
            "between 'orders' and 'billing'"
        ),
    ),
    "NAM005": (
        80,
        3,
        "event 'invoice.issued' uses dot.case; the events of this system use PascalCase",
    ),
    "NAM006": (
        47,
        3,
        (
            "event 'OrderUpdated' says that something updated but not what happened in "
            "business terms"
        ),
    ),
    "NAM007": (
        101,
        3,
        "event 'SendEmailRequested' asks another service to do something: it is a command",
    ),
    "TOP001": (
        48,
        5,
        "event 'OrderPlaced' is produced by 'ordres', which is not a declared service",
    ),
    "TOP002": (
        50,
        7,
        "event 'OrderPlaced' is consumed by 'biling', which is not a declared service",
    ),
    "TOP003": (
        117,
        7,
        "read model 'OrderHistory' projects 'OrderLost', which is not a declared event",
    ),
    "TOP004": (51, 5, "event OrderPlaced: channel 'orders.evts' is not a declared channel"),
    "TOP005": (101, 3, "event 'OrderArchived' is never consumed"),
    "TOP006": (51, 7, "service 'orders' consumes its own event 'OrderPlaced'"),
    "TOP009": (37, 5, "channel 'orders.dlq' uses sqs but its broker 'bus' is kafka"),
    "TOP010": (
        115,
        7,
        (
            "read model 'OrderHistory' projects 'InvoiceIssued', which its owner 'orders' "
            "does not consume"
        ),
    ),
    "TOP011": (51, 5, "internal event 'OrderPlaced' travels on channel 'orders.events'"),
    "TOP012": (112, 5, "command 'IssueInvoice' is synchronous but names channel 'orders.events'"),
    "TOP007": (
        47,
        3,
        ("events loop through declared reactions: OrderPlaced -> OrderRepriced -> OrderPlaced"),
    ),
    "TOP008": (
        80,
        3,
        "services 'billing' and 'orders' consume each other's events and may ping-pong",
    ),
    "SCH001": (
        55,
        7,
        (
            "event 'OrderPlaced' payload schema: 'objekt' is not valid under any of the given"
            " schemas"
        ),
    ),
    "SCH002": (
        54,
        5,
        (
            "event 'OrderPlaced' payload schema: not a valid Avro schema: Type property "
            '"None" not a valid Avro schema: Could not make an Avro Schema object from None'
        ),
    ),
    "SCH003": (
        72,
        11,
        (
            "event 'OrderPlaced' payload schema: $ref 'https://example.com/money.json' leaves"
            " the schema; grimoire never fetches it"
        ),
    ),
    "SCH013": (
        54,
        5,
        (
            "event 'OrderPlaced' payload schema: protoc rejects the schema: Expected field "
            "number. (line 3 of the inline .proto)"
        ),
    ),
    "SCH004": (
        80,
        7,
        (
            "example 2 of event 'OrderPlaced' does not match its schema: 'orderId' is a "
            "required property"
        ),
    ),
    "SCH005": (118, 3, "the envelope (cloudevents-1.0) lacks the required attribute 'specversion'"),
    "SCH006": (118, 3, "the envelope lacks 'dataschema' (its schema version)"),
    "SCH007": (52, 5, "event 'OrderPlaced' partition key 'order_id' is not a payload field"),
    "SCH008": (
        52,
        5,
        "event 'OrderPlaced' partition key 'customer.phone' is optional in the payload",
    ),
    "SCH009": (80, 3, "event 'InvoiceIssued' has no payload schema"),
    "SCH010": (
        25,
        5,
        (
            "channel 'orders.events' (sqs) carries 11 envelope attributes in binary mode; sqs"
            " allows 10 message attributes"
        ),
    ),
    "SCH011": (
        51,
        5,
        (
            "event 'OrderPlaced' admits payloads up to 1,200,200 bytes, over the "
            "1,048,576-byte limit of sqs channel 'orders.events'"
        ),
    ),
    "SCH012": (
        54,
        5,
        (
            "event 'OrderPlaced' has an open JSON Schema content model under FULL_TRANSITIVE:"
            " no field can ever be added (each addition breaks BACKWARD)"
        ),
    ),
    "REL001": (
        13,
        5,
        (
            "service 'orders' writes its own state and publishes OrderPlaced without an "
            "outbox (dual write)"
        ),
    ),
    "REL002": (49, 7, "consumer 'billing' of event 'OrderPlaced' has no idempotency strategy"),
    "REL003": (49, 7, "consumer 'billing' of event 'OrderPlaced' has no dead-letter destination"),
    "REL004": (
        53,
        5,
        "event 'OrderPlaced' needs per-key ordering but sqs does not guarantee any order",
    ),
    "REL005": (47, 3, "event 'OrderPlaced' names no channel"),
    "REL006": (52, 5, "event 'OrderPlaced' needs per-key ordering but names no key"),
    "REL008": (
        16,
        7,
        (
            "event-sourced service 'orders' publishes OrderPlaced straight after appending to"
            " its store (dual write)"
        ),
    ),
    "REL009": (
        20,
        5,
        (
            "command 'IssueInvoice' is handled by 'billing', which recognises repeats by "
            "message id: a command re-sent after a timeout or rejection is applied twice"
        ),
    ),
    "REL010": (
        31,
        7,
        "channel 'orders.events' keeps one copy: losing its broker loses its messages",
    ),
    "REL011": (
        52,
        5,
        (
            "event 'OrderPlaced' is a change, not a whole state, on compacted channel "
            "'orders.events': compaction drops its earlier changes"
        ),
    ),
    "REL013": (
        106,
        5,
        (
            "event 'OrderCancelled' is keyed by cancellationId, but billing also receives "
            "event 'OrderPlaced' about the same orderId on 'orders.events' keyed by orderId: "
            "one can overtake the other"
        ),
    ),
    "REL012": (
        41,
        3,
        "dead-letter channel 'billing.dlq' has no alert: what lands there waits unseen",
    ),
    "REL007": (
        54,
        5,
        (
            "event 'OrderPlaced' has 2 consumers (billing, shipping) on point-to-point sqs "
            "channel 'orders.events': each message reaches only one of them"
        ),
    ),
    "DAT001": (
        76,
        7,
        "event 'OrderPlaced' carries personal data 'customer.phone' with no protection",
    ),
    "DAT002": (
        76,
        7,
        (
            "event 'OrderPlaced' declares personal data 'customer.mail', which is not in its "
            "payload schema"
        ),
    ),
    "DAT003": (80, 5, "event 'OrderPlaced' carries a snapshot of the whole entity"),
    "DAT004": (
        71,
        13,
        (
            "event 'OrderPlaced' carries 'customer.iban', which looks like personal data, but"
            " does not declare it under pii"
        ),
    ),
    "DAT005": (
        50,
        7,
        (
            "consumer 'billing' of event 'OrderPlaced' receives a subject's personal data "
            "'customer.email' but never receives CustomerForgotten"
        ),
    ),
}
ELEVEN_ATTRIBUTES = [
    "id", "source", "specversion", "type", "time", "subject", "datacontenttype", "dataschema",
    "correlationid", "causationid", "traceparent",
]  # fmt: skip


def test_every_model_rule_has_a_trigger_case():
    checked = {rule_id for rule_id, _, _ in TRIGGERS}
    families = ("NAM", "TOP", "SCH", "REL", "DAT")
    ours = {r.id for r in all_rules() if r.check is not None and r.id.startswith(families)}
    assert ours == checked == set(LOCATED)


@pytest.mark.parametrize(("rule_id", "change", "element"), TRIGGERS, ids=[t[0] for t in TRIGGERS])
def test_rule_fires_on_a_model_that_breaks_it(tmp_path, rule_id, change, element):
    found = findings_for(tmp_path, changed(change), rule_id)
    located = [(f.element, f.location.line, f.location.column, f.message) for f in found]
    assert located == [(element, *LOCATED[rule_id])]
    assert found[0].location.file == str(tmp_path / "design.yaml")


@pytest.mark.parametrize("rule_id", [t[0] for t in TRIGGERS])
def test_rule_is_quiet_on_the_clean_model(tmp_path, rule_id):
    assert findings_for(tmp_path, copy.deepcopy(CLEAN), rule_id) == []


@pytest.mark.parametrize(
    "name",
    [
        "OrderPlaced",
        "order.placed",
        "order_placed",
        "order-placed",
        "InvoiceSent",
        "PaymentPaid",
        "HouseBuilt",
        "StockHeld",
        "TicketSold",
        "PaymentTimedOut",
        "OrderCreatedV2",
        "order.placed.v1",
        "OrderShippedEvent",
        "UserSignedUp",
        "UserLoggedIn",
        "PaymentRejectedByClearing",
        "PaymentRejectedByBank",
        "OrderSentToWarehouse",
        "PaymentTimedOutAfterRetries",
    ],
)
def test_past_tense_event_names_pass(tmp_path, name):
    model = changed(lambda m: rename_event(m, "OrderPlaced", name))
    assert findings_for(tmp_path, model, "NAM001") == []


@pytest.mark.parametrize("name", ["PlaceOrder", "OrderPlace", "OrderShipment", "StockProceed"])
def test_non_past_tense_event_names_are_flagged(tmp_path, name):
    model = changed(lambda m: rename_event(m, "OrderPlaced", name))
    assert [f.element for f in findings_for(tmp_path, model, "NAM001")] == [f"event {name}"]


@pytest.mark.parametrize(
    "name",
    [
        "ReserveStock",
        "reserve-stock",
        "PlaceOrder",
        "ChargeCard",
        "ShipOrderToWarehouse",
        "CancelOrderAfterPaymentFailed",
        "MarkOrderShipped",
        "OrderPizza",
    ],
)
def test_imperative_command_names_pass(tmp_path, name):
    model = changed(lambda m: m["commands"].update({name: {"handler": "billing"}}))
    assert findings_for(tmp_path, model, "NAM002") == []


@pytest.mark.parametrize(
    "name",
    [
        "StockReserved",
        "PaymentApproved",
        "OrderShipped",
        "OrderCancelled",
        "TransferApproved",
        "OrderSentToWarehouse",
        "order.shipped",
        "PaymentCapture",
    ],
)
def test_command_named_like_an_event_is_flagged_even_if_it_starts_with_a_verb(tmp_path, name):
    model = changed(lambda m: m["commands"].update({name: {"handler": "billing"}}))
    assert [f.element for f in findings_for(tmp_path, model, "NAM002")] == [f"command {name}"]


@pytest.mark.parametrize(
    "name", ["OrderUpdated", "CustomerChanged", "OrderModified", "RecordSaved", "order.edited"]
)
def test_crud_event_names_are_flagged(tmp_path, name):
    model = changed(lambda m: rename_event(m, "OrderPlaced", name))
    assert [f.element for f in findings_for(tmp_path, model, "NAM006")] == [f"event {name}"]


@pytest.mark.parametrize(
    "name", ["AddressCorrected", "OrderQuantityIncreased", "OrderDeleted", "OrderCancelled"]
)
def test_business_fact_event_names_are_not_crud(tmp_path, name):
    model = changed(lambda m: rename_event(m, "OrderPlaced", name))
    assert findings_for(tmp_path, model, "NAM006") == []


def test_crud_event_message_names_the_generic_change(tmp_path):
    model = changed(lambda m: rename_event(m, "OrderPlaced", "CustomerChangedByAdmin"))
    (found,) = findings_for(tmp_path, model, "NAM006")
    assert "something changed but not what happened in business terms" in found.message


@pytest.mark.parametrize(
    "name",
    [
        "SendEmailRequested",
        "ChargeCustomerRequested",
        "SendReceiptEmailRequested",
        "BagTagPrintRequested",
        "EmailSendRequested",
    ],
)
def test_imperative_requested_event_is_a_command_in_disguise(tmp_path, name):
    model = changed(lambda m: add_event(m, name))
    assert [f.element for f in findings_for(tmp_path, model, "NAM007")] == [f"event {name}"]


@pytest.mark.parametrize(
    "name",
    [
        "PricesRequested",
        "RefundRequested",
        "OrderRefundRequested",
        "OrderCancellationRequested",
        "AddressChangeRequested",
        "PasswordResetRequested",
        "ShipmentRequested",
    ],
)
def test_requested_event_naming_a_thing_is_not_a_command_in_disguise(tmp_path, name):
    model = changed(lambda m: add_event(m, name))
    assert findings_for(tmp_path, model, "NAM007") == []


@pytest.mark.parametrize("name", ["FetchPrices", "PriceQuery", "list_orders"])
def test_query_shaped_event_names_are_flagged(tmp_path, name):
    model = changed(lambda m: rename_event(m, "OrderPlaced", name))
    assert [f.element for f in findings_for(tmp_path, model, "NAM003")] == [f"event {name}"]


def test_requested_event_without_a_matching_reply_is_not_request_reply(tmp_path):
    model = changed(
        lambda m: (
            add_event(m, "RefundRequested", consumers=["billing"]),
            add_event(
                m,
                "RefundApproved",
                producer="billing",
                consumers=["orders"],
                channel="billing.events",
            ),
        )
    )
    assert findings_for(tmp_path, model, "NAM004") == []


def test_pinned_naming_style_flags_every_other_style(tmp_path):
    model = changed(lambda m: m["system"].update(naming="dot.case"))
    found = findings_for(tmp_path, model, "NAM005")
    assert sorted(f.element for f in found) == ["event InvoiceIssued", "event OrderPlaced"]


def test_event_only_projected_by_a_read_model_counts_as_consumed(tmp_path):
    model = changed(
        lambda m: (
            add_event(m, "OrderArchived", consumers=[]),
            m["read_models"]["OrderHistory"]["sources"].append("OrderArchived"),
        )
    )
    assert findings_for(tmp_path, model, "TOP005") == []


def test_event_loop_trace_names_each_reaction(tmp_path):
    change = next(c for r, c, _ in TRIGGERS if r == "TOP007")
    (found,) = findings_for(tmp_path, changed(change), "TOP007")
    assert found.trace == (
        "billing reacts to OrderPlaced by emitting OrderRepriced",
        "orders reacts to OrderRepriced by emitting OrderPlaced",
    )


def test_declared_reactions_without_a_loop_are_not_an_event_loop(tmp_path):
    model = changed(
        lambda m: add_saga_reactions(
            m, [{"service": "billing", "on": "OrderPlaced", "emits": "InvoiceIssued"}]
        )
    )
    assert findings_for(tmp_path, model, "TOP007") == []


def test_envelope_required_attributes_are_reported_one_by_one(tmp_path):
    model = changed(lambda m: m.update(envelope={"attributes": ["id", "type"]}))
    found = findings_for(tmp_path, model, "SCH005")
    assert sorted(f.message.split("'")[1] for f in found) == ["source", "specversion"]


def test_schema_file_problem_is_located_in_the_schema_file(tmp_path):
    schema = {"type": "object", "properties": {"orderId": {"type": 5}}}
    model = changed(lambda m: event(m).update(schema="schemas/order.json", examples=[], pii=[]))
    files = {"schemas/order.json": json.dumps(schema, indent=2)}
    (found,) = findings_for(tmp_path, model, "SCH001", files)
    assert found.location.file.endswith("order.json")
    assert found.location.line == 5


def test_local_ref_to_a_missing_definition_is_invalid(tmp_path):
    model = changed(
        lambda m: event(m)["schema"]["properties"].update(total={"$ref": "#/$defs/money"})
    )
    (found,) = findings_for(tmp_path, model, "SCH001")
    assert "points nowhere" in found.message


def test_self_referencing_schema_is_a_finding_because_validation_would_never_end(tmp_path):
    model = changed(lambda m: event(m).update(schema={"$ref": "#"}))
    (found,) = findings_for(tmp_path, model, "SCH001")
    assert "leads back to itself" in found.message


def test_recursive_schema_through_a_property_is_fine(tmp_path):
    tree = {
        "type": "object",
        "required": ["orderId"],
        "properties": {"orderId": {"type": "string"}, "child": {"$ref": "#"}},
    }
    model = changed(lambda m: event(m).update(schema=tree, examples=[{"orderId": "a"}], pii=[]))
    assert findings_for(tmp_path, model, "SCH001") == []
    assert findings_for(tmp_path, model, "SCH004") == []


def test_ref_to_a_parent_file_is_flagged_and_never_opened(tmp_path):
    model = changed(
        lambda m: event(m)["schema"]["properties"].update(secret={"$ref": "../../etc/passwd"})
    )
    (found,) = findings_for(tmp_path, model, "SCH003")
    assert "never fetches" in found.message


AVRO = {
    "type": "record",
    "name": "OrderPlaced",
    "fields": [
        {"name": "orderId", "type": "string"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {
            "name": "total",
            "type": {
                "type": "record",
                "name": "Money",
                "fields": [{"name": "cents", "type": "long"}],
            },
        },
    ],
}


def avro_event(example: dict, key: str = "orderId") -> dict:
    return changed(
        lambda m: event(m).update(schema="order.avsc", examples=[example], pii=[], key=key)
    )


def test_avro_example_matching_the_schema_passes(tmp_path):
    model = avro_event({"orderId": "o-1", "note": None, "total": {"cents": 5}})
    assert findings_for(tmp_path, model, "SCH004", {"order.avsc": json.dumps(AVRO)}) == []


def test_avro_example_with_a_wrong_type_is_flagged_at_the_field(tmp_path):
    model = avro_event({"orderId": "o-1", "total": {"cents": "five"}})
    (found,) = findings_for(tmp_path, model, "SCH004", {"order.avsc": json.dumps(AVRO)})
    assert found.location.pointer == "/events/OrderPlaced/examples/0/total/cents"


def test_avro_nullable_partition_key_is_optional(tmp_path):
    model = avro_event({"orderId": "o-1", "total": {"cents": 5}}, key="note")
    (found,) = findings_for(tmp_path, model, "SCH008", {"order.avsc": json.dumps(AVRO)})
    assert found.element == "event OrderPlaced"


def test_avro_nested_partition_key_is_found(tmp_path):
    model = avro_event({"orderId": "o-1", "total": {"cents": 5}}, key="total.cents")
    files = {"order.avsc": json.dumps(AVRO)}
    assert findings_for(tmp_path, model, "SCH007", files) == []
    assert findings_for(tmp_path, model, "SCH008", files) == []


@pytest.mark.parametrize(
    ("channel", "ordering", "expected"),
    [
        ({"transport": "kafka", "partitions": 6}, "global", True),
        ({"transport": "kafka", "partitions": 1}, "global", False),
        ({"transport": "sqs-fifo"}, "global", False),
        ({"transport": "sns"}, "per-key", True),
        ({"transport": "eventbridge"}, "per-key", True),
        ({"transport": "kafka", "ordering": "none"}, "per-key", True),
        ({"transport": "sqs"}, "none", False),
    ],
)
def test_ordering_needs_a_channel_that_keeps_it(tmp_path, channel, ordering, expected):
    channel = {**channel, "dead_letter": "orders.dlq"}
    model = changed(
        lambda m: (
            m["channels"].update({"orders.events": channel}),
            event(m).update(ordering=ordering),
        )
    )
    assert bool(findings_for(tmp_path, model, "REL004")) is expected


def test_consumer_level_idempotency_covers_a_service_without_one(tmp_path):
    model = changed(
        lambda m: (
            m["services"]["billing"].pop("idempotency"),
            event(m).update(consumers=[{"service": "billing", "idempotency": "natural"}]),
        )
    )
    assert findings_for(tmp_path, model, "REL002") == []


def test_missing_idempotency_is_a_warning(tmp_path):
    model = changed(lambda m: m["services"]["billing"].pop("idempotency"))
    (found,) = findings_for(tmp_path, model, "REL002")
    assert (found.severity, found.element) == ("warning", "consumer billing of event OrderPlaced")


def test_service_declared_not_idempotent_is_an_error(tmp_path):
    model = changed(lambda m: m["services"]["billing"].update(idempotency="none"))
    (found,) = findings_for(tmp_path, model, "REL002")
    assert (found.severity, found.element) == ("error", "consumer billing of event OrderPlaced")


def test_consumer_declared_not_idempotent_is_an_error_despite_its_service(tmp_path):
    model = changed(
        lambda m: event(m).update(consumers=[{"service": "billing", "idempotency": "none"}])
    )
    (found,) = findings_for(tmp_path, model, "REL002")
    assert (found.severity, found.element) == ("error", "consumer billing of event OrderPlaced")


def test_model_severity_override_applies_to_a_declared_non_idempotent_consumer(tmp_path):
    model = changed(
        lambda m: (
            m["services"]["billing"].update(idempotency="none"),
            m.update(rules={"severity": {"REL002": "info"}}),
        )
    )
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    loaded = load_model(path)
    (found,) = engine.run_rules(loaded, engine.selection_for(loaded, ["REL002"]))
    assert found.severity == "info"


@pytest.mark.parametrize("transport", ["sqs", "sqs-fifo"])
def test_several_consumers_on_a_point_to_point_queue_are_an_error(tmp_path, transport):
    model = changed(lambda m: (add_consumer_service(m, "shipping"), queue_channel(m, transport)))
    (found,) = findings_for(tmp_path, model, "REL007")
    assert (found.rule, found.severity, found.element) == ("REL007", "error", "event OrderPlaced")
    assert "2 consumers (billing, shipping)" in found.message
    assert "each message reaches only one of them" in found.message
    assert found.location.pointer == "/events/OrderPlaced/channel"


@pytest.mark.parametrize(
    "transport", ["kafka", "sns", "eventbridge", "rabbitmq", "azure-service-bus", "pubsub"]
)
def test_several_consumers_on_a_transport_that_fans_out_pass(tmp_path, transport):
    model = changed(lambda m: (add_consumer_service(m, "shipping"), queue_channel(m, transport)))
    assert findings_for(tmp_path, model, "REL007") == []


def test_one_consumer_on_a_point_to_point_queue_passes(tmp_path):
    model = changed(lambda m: queue_channel(m, "sqs"))
    assert findings_for(tmp_path, model, "REL007") == []


def test_point_to_point_transports_come_from_the_capability_matrix():
    from eventdesign.rules.reliability import point_to_point_transports
    from eventdesign.transport.matrix import load_matrix

    matrix = load_matrix()
    no_fan_out = {t.model_transport for t in matrix.transports if t.fan_out.support == "none"}
    assert point_to_point_transports(matrix) == {"sqs", "sqs-fifo"} == no_fan_out


def test_event_sourced_service_needs_no_outbox(tmp_path):
    model = changed(lambda m: m["services"]["orders"].update(state="event-sourced", outbox="none"))
    assert findings_for(tmp_path, model, "REL001") == []


def test_fat_event_limit_comes_from_the_model(tmp_path):
    model = changed(lambda m: m["system"].update(max_payload_fields=1))
    found = findings_for(tmp_path, model, "DAT003")
    assert sorted(f.element for f in found) == ["event InvoiceIssued", "event OrderPlaced"]


def test_pii_field_inside_array_items_is_found(tmp_path):
    lines = {"type": "array", "items": {"type": "object", "properties": {"email": {}}}}
    model = changed(
        lambda m: (
            event(m)["schema"]["properties"].update(lines=lines),
            event(m)["pii"].append({"field": "lines.email", "protection": "tokenisation"}),
        )
    )
    assert findings_for(tmp_path, model, "DAT002") == []


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("contactAddress", {"type": "string", "format": "email"}),
        ("phoneNumber", {"type": "string"}),
        ("dateOfBirth", {"type": "string", "format": "date"}),
        ("last_name", {"type": "string"}),
        ("name", {"type": "string"}),
        ("postcode", {"type": "string"}),
        ("ipAddress", {"type": "string"}),
        ("latitude", {"type": "number"}),
        ("lng", {"type": "number"}),
        ("homeLocation", {"type": "string"}),
        ("notes", {"type": "string"}),
        ("specialRequests", {"type": "string"}),
        ("givenName", {"type": "string"}),
    ],
)
def test_undeclared_personal_field_is_flagged(tmp_path, field, spec):
    model = changed(lambda m: customer_fields(m).update({field: spec}))
    found = findings_for(tmp_path, model, "DAT004")
    assert [(f.rule, f.element) for f in found] == [
        ("DAT004", f"event OrderPlaced field customer.{field}")
    ]


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("customer", "customerId"),
        ("customer", "emailVerified"),
        ("customer", "macAddress"),
        ("product", "name"),
        ("warehouse", "address"),
        ("warehouse", "street"),
        ("station", "latitude"),
        ("hotels", "longitude"),
        ("invoice", "creditNotes"),
        ("products", "name"),
    ],
)
def test_field_that_is_not_personal_is_not_flagged(tmp_path, where, field):
    def change(m: dict) -> None:
        properties = event(m)["schema"]["properties"]
        properties.setdefault(where, {"type": "object", "properties": {}})
        properties[where]["properties"][field] = {"type": "string"}

    assert findings_for(tmp_path, changed(change), "DAT004") == []


def test_declared_object_covers_its_personal_fields(tmp_path):
    address = {"type": "object", "properties": {"street": {}, "postcode": {}}}
    model = changed(
        lambda m: (
            customer_fields(m).update(homeAddress=address),
            event(m)["pii"].append({"field": "customer.homeAddress", "protection": "encryption"}),
        )
    )
    assert findings_for(tmp_path, model, "DAT004") == []


def test_undeclared_personal_object_is_reported_once_not_per_field(tmp_path):
    address = {"type": "object", "properties": {"street": {}, "postcode": {}}}
    model = changed(lambda m: customer_fields(m).update(address=address))
    found = findings_for(tmp_path, model, "DAT004")
    assert [f.element for f in found] == ["event OrderPlaced field customer.address"]


def test_personal_field_behind_a_local_ref_in_array_items_is_flagged(tmp_path):
    person = {"type": "object", "properties": {"fullName": {"type": "string"}}}
    model = changed(
        lambda m: (
            event(m)["schema"].update({"$defs": {"person": person}}),
            event(m)["schema"]["properties"].update(
                travellers={"type": "array", "items": {"$ref": "#/$defs/person"}}
            ),
        )
    )
    (found,) = findings_for(tmp_path, model, "DAT004")
    assert found.element == "event OrderPlaced field travellers.fullName"
    assert found.location.pointer == "/events/OrderPlaced/schema/$defs/person/properties/fullName"


def test_recursive_schema_is_walked_once(tmp_path):
    tree = {
        "type": "object",
        "properties": {"orderId": {"type": "string"}, "child": {"$ref": "#"}},
    }
    model = changed(lambda m: event(m).update(schema=tree, examples=[], pii=[]))
    assert findings_for(tmp_path, model, "DAT004") == []


def test_undeclared_personal_field_in_avro_is_flagged_in_its_file(tmp_path):
    avro = {
        "type": "record",
        "name": "OrderPlaced",
        "fields": [
            {"name": "orderId", "type": "string"},
            {
                "name": "payee",
                "type": {
                    "type": "record",
                    "name": "Payee",
                    "fields": [{"name": "iban", "type": ["null", "string"]}],
                },
            },
        ],
    }
    model = changed(lambda m: event(m).update(schema="order.avsc", examples=[], pii=[]))
    files = {"order.avsc": json.dumps(avro, indent=2)}
    (found,) = findings_for(tmp_path, model, "DAT004", files)
    assert found.element == "event OrderPlaced field payee.iban"
    assert found.location.file.endswith("order.avsc")


def test_personal_field_of_a_person_array_item_is_flagged(tmp_path):
    def witnesses(m: dict) -> None:
        item = {"type": "object", "properties": {"name": {"type": "string"}}}
        event(m)["schema"]["properties"]["witnesses"] = {"type": "array", "items": item}

    found = findings_for(tmp_path, changed(witnesses), "DAT004")
    assert [f.element for f in found] == ["event OrderPlaced field witnesses.name"]


def test_personal_data_in_a_command_is_checked_like_an_event(tmp_path):
    def command_with_email(m: dict) -> None:
        schema = m["commands"]["IssueInvoice"]["schema"]
        schema["properties"]["billingEmail"] = {"type": "string"}
        m["commands"]["IssueInvoice"]["pii"] = [{"field": "orderId", "protection": "none"}]

    model = changed(command_with_email)
    assert [f.element for f in findings_for(tmp_path, model, "DAT004")] == [
        "command IssueInvoice field billingEmail"
    ]
    assert [f.element for f in findings_for(tmp_path, model, "DAT001")] == [
        "command IssueInvoice field orderId"
    ]


@pytest.mark.parametrize(
    ("replication", "severity"),
    [
        ({"factor": 3, "min_in_sync": 4}, "error"),
        ({"factor": 3, "min_in_sync": 3}, "warning"),
        ({"factor": 1}, "warning"),
        ({"factor": 3, "min_in_sync": 2}, None),
        ({"factor": 2}, None),
    ],
)
def test_replication_must_survive_one_broker(tmp_path, replication, severity):
    model = changed(lambda m: m["channels"]["orders.events"].update(replication=replication))
    found = findings_for(tmp_path, model, "REL010")
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_keyless_event_on_a_compacted_channel_is_an_error(tmp_path):
    def keyless(m: dict) -> None:
        m["channels"]["orders.events"]["cleanup"] = "compact"
        event(m).update(snapshot=True, ordering="none")
        del event(m)["key"]

    (found,) = findings_for(tmp_path, changed(keyless), "REL011")
    assert (found.severity, "has no key" in found.message) == ("error", True)


def test_snapshot_with_a_key_on_a_compacted_channel_passes(tmp_path):
    def state_topic(m: dict) -> None:
        m["channels"]["orders.events"]["cleanup"] = "compact"
        event(m).update(snapshot=True)

    model = changed(state_topic)
    assert findings_for(tmp_path, model, "REL011") == []
    assert findings_for(tmp_path, model, "DAT003") == []


def test_command_examples_and_key_are_checked_like_an_event(tmp_path):
    def command_with_key_and_example(m: dict) -> None:
        m["commands"]["IssueInvoice"].update(key="orderId", examples=[{"orderId": 7}])

    model = changed(command_with_key_and_example)
    assert [f.element for f in findings_for(tmp_path, model, "SCH004")] == [
        "command IssueInvoice example 1"
    ]
    assert [f.element for f in findings_for(tmp_path, model, "SCH008")] == ["command IssueInvoice"]
    model["commands"]["IssueInvoice"].update(key="invoiceId", examples=[{"orderId": "o-1"}])
    assert [f.element for f in findings_for(tmp_path, model, "SCH007")] == ["command IssueInvoice"]
    assert findings_for(tmp_path, model, "SCH004") == []


@pytest.mark.parametrize(
    ("broker", "channel", "flagged"),
    [
        ("kafka", "sqs", True),
        ("azure-event-hubs", "kafka", True),
        ("rabbitmq", "rabbitmq-stream", False),
        ("sqs", "sns-fifo", False),
        ("kafka", "kafka", False),
    ],
)
def test_channel_transport_must_be_one_its_broker_serves(tmp_path, broker, channel, flagged):
    def moved(m: dict) -> None:
        m["brokers"]["bus"]["transport"] = broker
        for spec in m["channels"].values():
            spec["transport"] = broker
        m["channels"]["orders.dlq"]["transport"] = channel

    found = findings_for(tmp_path, changed(moved), "TOP009")
    assert [f.element for f in found] == (["channel orders.dlq"] if flagged else [])


def test_an_orchestrator_and_its_participant_exchanging_saga_messages_are_no_ping_pong(tmp_path):
    def invoiced(model):
        event(model, "InvoiceIssued").update(consumers=["orders"])
        model["commands"]["IssueInvoice"].update(channel="orders.events")
        model["sagas"] = {
            "Invoice": {
                "style": "orchestration",
                "orchestrator": "orders",
                "trigger": "OrderPlaced",
                "correlation": "orderId",
                "steps": [
                    {
                        "name": "invoice",
                        "participant": "billing",
                        "command": "IssueInvoice",
                        "reply": "InvoiceIssued",
                        "kind": "retriable",
                        "timeout": "30s",
                        "retry": {"max_attempts": "unlimited", "backoff": "1s"},
                    }
                ],
            }
        }

    assert findings_for(tmp_path, changed(invoiced), "TOP008") == []

    def outside_the_saga(model):
        invoiced(model)
        model["sagas"]["Invoice"]["trigger"] = "InvoiceIssued"  # OrderPlaced is no saga message

    (found,) = findings_for(tmp_path, changed(outside_the_saga), "TOP008")
    lines = (tmp_path / "design.yaml").read_text(encoding="utf-8").splitlines()
    where = (lines.index("  InvoiceIssued:") + 1, 3)
    assert (found.element, found.location.line, found.location.column) == (
        "services billing and orders",
        *where,
    )


def check_json(path: Path) -> list[tuple]:
    """(rule, line, column, trace) of every finding `check --strict` reports on a design."""
    result = run_grimoire("check", str(path), "--strict", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    return [(f["rule"], f["line"], f["column"], f["trace"]) for f in findings]


def test_saga_messages_inside_a_parallel_group_are_no_ping_pong():
    # drivers answers trips only inside the saga's parallel group; trips' outcomes go back.
    assert check_json(DATA / "ping-pong" / "ride-booking.yaml") == []


def test_an_event_outside_the_saga_between_its_services_is_a_possible_ping_pong():
    found = check_json(DATA / "ping-pong" / "ride-booking.driver-cancels.yaml")
    assert found == [
        (
            "TOP008",
            25,
            3,
            [
                "trips consumes DriverAssigned, DriverCancelled, DriverReleased, NoDriverFound"
                " from drivers",
                "drivers consumes RideBooked, RideRefused from trips",
            ],
        )
    ]
