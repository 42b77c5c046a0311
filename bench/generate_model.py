"""Generate a synthetic design model of a given size, for benchmarks.

    python3 bench/generate_model.py --services 200 --events 1000 --sagas 20 -o model.yaml

The model is deterministic and clean (every check rule passes): services form layers, each
event is consumed only by services further down (so no loops), every service has an outbox
and an inbox (every tenth is event-sourced and relays from its store instead), every channel a
dead-letter channel with an owner and an alert, every event a schema, a key and an example;
an audit service projects the events nobody else consumes, and an erasure event reaches
every holder of contact data.
Sagas are choreographies that follow consumer chains; they are emitted only when the design
model's JSON Schema declares the choreography format (`reactions`) they use.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MODEL_SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "scripts"
    / "eventdesign"
    / "model"
    / "design-model.schema.json"
)
NOUNS = ("Order", "Invoice", "Shipment", "Payment", "Stock", "Customer", "Refund", "Parcel")
VERBS = ("Placed", "Issued", "Dispatched", "Captured", "Reserved", "Registered", "Sent", "Paid")


def sagas_supported() -> bool:
    """True when the model schema's `saga` definition has the choreography `reactions` list."""
    schema = json.loads(MODEL_SCHEMA.read_text(encoding="utf-8"))
    saga = schema.get("$defs", {}).get("saga", {})
    text = json.dumps(saga)
    return '"reactions"' in text


def _event_name(index: int) -> str:
    return f"{NOUNS[index % len(NOUNS)]}{index:05d}{VERBS[(index // len(NOUNS)) % len(VERBS)]}"


def _schema(index: int) -> dict:
    """A payload like the bundled example's: an id, an amount, a timestamp, a contact."""
    return {
        "title": _event_name(index),
        "type": "object",
        "additionalProperties": False,
        "required": ["entityId", "amount", "occurredAt", "contact"],
        "properties": {
            "entityId": {"type": "string"},
            "amount": {"type": "integer", "minimum": 0},
            "occurredAt": {"type": "string", "format": "date-time"},
            "contact": {"type": "object", "required": ["email"], "properties": {"email": {}}},
            # Payloads differ in shape, as real ones do: 0 to 6 optional extra fields, and a
            # limit of their own so that no two schemas are alike (no cache can hide the work).
            "reference": {"type": "string", "maxLength": 8 + index},
            **{f"extra{k}": {"type": "string", "maxLength": 10 * k} for k in range(index % 7)},
        },
    }


def _example(index: int) -> dict:
    return {
        "entityId": f"id-{index}",
        "amount": index,
        "occurredAt": "2026-11-27T10:15:00Z",
        "contact": {"email": f"user{index}@example.com"},
    }


def _storage(index: int) -> dict:
    """Every tenth service is event-sourced and relays from its store; the rest own tables."""
    if index % 10 == 9:
        stream = {"store": "EventStoreDB", "stream": "entity-{entityId}", "publish": "subscription"}
        return {"state": "event-sourced", "event_store": stream}
    return {"state": "owned", "outbox": "transactional"}


def generate_model(services: int, events: int, sagas: int = 0, steps_per_saga: int = 4) -> dict:
    """A clean design model with the given numbers of services, events and sagas."""
    if services < 2:
        raise ValueError("need at least 2 services")
    service_names = [f"svc{i:04d}" for i in range(services)]
    model: dict[str, Any] = {
        "format": "grimoire/1",
        "system": {"name": "Synthetic", "description": f"{services} services, {events} events."},
        "contexts": {f"Context{i:03d}": {} for i in range((services + 9) // 10)},
        "services": {
            name: {"context": f"Context{i // 10:03d}", "idempotency": "inbox", **_storage(i)}
            for i, name in enumerate(service_names)
        },
        "brokers": {"bus": {"transport": "kafka", "host": "kafka:9092"}},
        "channels": {},
        "events": {},
        "read_models": {},
    }
    for name in service_names:
        model["channels"][f"{name}.events"] = {
            "transport": "kafka",
            "broker": "bus",
            "partitions": 12,
            "ordering": "per-key",
            "dead_letter": f"{name}.dlq",
        }
        model["channels"][f"{name}.dlq"] = {
            "transport": "kafka",
            "broker": "bus",
            "owner": f"{name}-team",
            "alert": "page on-call when the oldest message is older than 15 minutes",
            "redrive": "manual",
        }
    consumers_of: dict[str, list[str]] = {}
    produced_by: dict[str, list[str]] = {name: [] for name in service_names}
    sink_events = []
    for index in range(events):
        producer_index = index % services
        producer = service_names[producer_index]
        name = _event_name(index)
        downstream = services - producer_index - 1
        consumers = (
            sorted(
                {
                    service_names[producer_index + 1 + (index * (k + 3)) % downstream]
                    for k in range(1 + index % 3)
                }
            )
            if downstream
            else []
        )
        spec: dict[str, Any] = {
            "kind": "integration",
            "producer": producer,
            "consumers": consumers,
            "channel": f"{producer}.events",
            "key": "entityId",
            "ordering": "per-key",
            "schema": _schema(index),
            "examples": [_example(index)],
        }
        spec["pii"] = [{"field": "contact.email", "protection": "encryption", "subject": "contact"}]
        model["events"][name] = spec
        consumers_of[name] = consumers
        produced_by[producer].append(name)
        if not consumers:
            sink_events.append(name)
    if sink_events:
        model["services"]["audit"] = {"context": "Context000", "idempotency": "inbox"}
        for name in sink_events:
            model["events"][name]["consumers"] = [{"service": "audit", "read_model": "Audit"}]
        model["read_models"]["Audit"] = {"owner": "audit", "sources": sink_events}
    model["events"]["ContactForgotten"] = {
        "kind": "integration",
        "producer": service_names[0],
        "consumers": sorted(
            {
                c if isinstance(c, str) else c["service"]
                for e in model["events"].values()
                for c in e["consumers"]
            }
        ),
        "channel": f"{service_names[0]}.events",
        "key": "entityId",
        "ordering": "per-key",
        "erases": "contact",
        "schema": {
            "type": "object",
            "required": ["entityId"],
            "properties": {"entityId": {"type": "string"}},
        },
        "examples": [{"entityId": "id-0"}],
    }
    if sagas and sagas_supported():
        model["sagas"] = _sagas(sagas, steps_per_saga, service_names, produced_by, consumers_of)
    return model


def _sagas(
    count: int,
    steps: int,
    service_names: list[str],
    produced_by: dict[str, list[str]],
    consumers_of: dict[str, list[str]],
) -> dict:
    """Choreographies following consumer chains: each reaction emits an event of its service."""
    result = {}
    starts = [e for name in service_names for e in produced_by[name][:1] if consumers_of[e]]
    for number in range(count):
        if not starts:
            break
        trigger = starts[number % len(starts)]
        reactions = []
        current = trigger
        for _ in range(steps):
            consumers = [c for c in consumers_of[current] if produced_by[c]]
            if not consumers:
                break
            service = consumers[0]
            emitted = produced_by[service][number % len(produced_by[service])]
            reactions.append({"service": service, "on": current, "emits": emitted})
            current = emitted
        result[f"Saga{number:04d}"] = {
            "style": "choreography",
            "description": f"Synthetic chain of {len(reactions)} reactions.",
            "trigger": trigger,
            "reactions": reactions,
            "completed": [current],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--sagas", type=int, default=0)
    parser.add_argument("--steps-per-saga", type=int, default=4)
    parser.add_argument("-o", "--output", help="YAML file to write (default: stdout)")
    args = parser.parse_args(argv)
    import yaml

    model = generate_model(args.services, args.events, args.sagas, args.steps_per_saga)
    text = yaml.safe_dump(model, sort_keys=False, width=100)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
