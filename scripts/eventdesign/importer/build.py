"""The neutral AsyncAPI description as a design-model dict, plus notes on every guess made.

- events: one per message (its `name`, else its key); payloads inline, with every local `$ref`
  that points outside the payload copied into the payload's `$defs`.
- producer: the first service with a sending operation for the message; when none sends it
  the producer is the service `external` (noted). consumers: every service that receives it.
- channel: the first channel the message is sent on (else the first that lists it).
- transport: `x-grimoire.transport`, else the channel's bindings, else its servers' protocol,
  else kafka (noted).
- `x-grimoire` extensions written by `export asyncapi` restore what AsyncAPI has no field for
  (event version, kind, key, ordering, PII; channel retention, dead letter; original names).
  A message marked `kind: command` becomes a command: its handler is the service that
  receives it, its issuers the services that send it (except an orchestrator the export
  added for a saga). The root `x-grimoire` holds the model sections AsyncAPI has no place
  for (system settings, contexts, services' policies, envelope, read models, sagas, transport
  needs, rules); they are taken as they are.
- A document without the root `x-grimoire` gets a note for every default filled in.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ..model.payload import DATA_KEYWORDS
from ..model.types import SYSTEM_SETTINGS
from .spec import AsyncApiSpec, SpecChannel, _Document

TRANSPORTS = frozenset(
    (
        "kafka",
        "pulsar",
        "rabbitmq",
        "rabbitmq-stream",
        "nats-jetstream",
        "redis-streams",
        "sqs",
        "sqs-fifo",
        "sns",
        "sns-fifo",
        "eventbridge",
        "kinesis",
        "pubsub",
        "azure-service-bus",
        "azure-event-hubs",
        "in-process",
    )
)
PROTOCOL_TRANSPORTS = {
    "kafka": "kafka",
    "kafka-secure": "kafka",
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
    "sqs": "sqs",
    "sns": "sns",
    "googlepubsub": "pubsub",
    "nats": "nats-jetstream",
    "redis": "redis-streams",
    "pulsar": "pulsar",
}
BINDING_TRANSPORTS = {
    "kafka": "kafka",
    "amqp": "rabbitmq",
    "sqs": "sqs",
    "sns": "sns",
    "googlepubsub": "pubsub",
    "nats": "nats-jetstream",
    "redis": "redis-streams",
    "pulsar": "pulsar",
}
FALLBACK_TRANSPORT = "kafka"
EXTERNAL_SERVICE = "external"
CLOUDEVENTS_PREFIXES = ("ce_", "ce-", "cloudEvents:", "cloudEvents_")
ENVELOPE_ATTRIBUTE = re.compile(r"^[a-z0-9]{1,20}$")
EVENT_FIELDS = ("kind", "version", "key", "ordering", "compatibility", "snapshot", "pii")
CHANNEL_FIELDS = ("partitions", "retention", "ordering", "dead_letter")
CONSUMER_FIELDS = ("dead_letter", "idempotency", "read_model")
SERVICE_POLICIES = ("state", "outbox", "idempotency")
WHOLE_VARIABLE = re.compile(r"^\{[^{}]*\}$")


@dataclass
class ImportResult:
    model: dict
    notes: list[str] = field(default_factory=list)


def build_model(spec: AsyncApiSpec) -> ImportResult:
    """A design-model dict (format grimoire/1) from the neutral description."""
    return _Builder(spec).build()


class _Builder:
    def __init__(self, spec: AsyncApiSpec) -> None:
        self.spec = spec
        self.notes = list(spec.notes)
        self.services: dict[str, dict] = {}
        self.brokers: dict[str, dict] = {}
        self.server_brokers: dict[str, str] = {}
        self.channels: dict[str, dict] = {}
        self.channel_names: dict[str, str | None] = {}

    def build(self) -> ImportResult:
        spec = self.spec
        sections = spec.extension
        declared = sections.get("services")
        for name, service in (declared if isinstance(declared, dict) else {}).items():
            self.services[name] = copy.deepcopy(service) if isinstance(service, dict) else {}
        for operation in spec.operations:
            self.services.setdefault(operation.service, {})
        self.read_brokers()
        for channel in spec.channels:
            self.read_channel(channel)
        carried = self.channels_of_messages()
        events = self.read_events(carried)
        commands = self.read_commands(carried)
        system: dict[str, Any] = {"name": spec.title}
        if spec.description:
            system["description"] = spec.description
        if spec.info_version:
            system["version"] = spec.info_version
        settings = sections.get("system")
        if isinstance(settings, dict):
            system.update({k: settings[k] for k in SYSTEM_SETTINGS if k in settings})
        model: dict[str, Any] = {"format": "grimoire/1", "system": system}
        for key in ("rules", "contexts"):
            if key in sections:
                model[key] = copy.deepcopy(sections[key])
        model["services"] = self.services
        if self.brokers:
            model["brokers"] = self.brokers
        if self.channels:
            model["channels"] = self.channels
        # A grimoire export carries the model's own envelope (or none: the defaults).
        envelope = copy.deepcopy(sections.get("envelope")) if sections else self.envelope()
        if envelope:
            model["envelope"] = envelope
        model["events"] = events
        if commands:
            model["commands"] = commands
        for key in ("read_models", "sagas", "transport_needs"):
            if key in sections:
                model[key] = copy.deepcopy(sections[key])
        if not sections:
            self.note_defaults(model)
        return ImportResult(model, self.notes)

    def note_defaults(self, model: dict) -> None:
        """One note per default a foreign document leaves the model to."""
        self.notes.append(
            "system.compatibility not given: BACKWARD applies to every event; set the policy"
        )
        if "envelope" in model:
            envelope = model["envelope"]
            self.notes.append(
                f"envelope: profile {envelope['profile']} with attributes "
                f"{', '.join(envelope['attributes']) or '(none)'} read from message headers; "
                "check them"
            )
        else:
            self.notes.append(
                "envelope: no message headers; the CloudEvents 1.0 attributes apply, set "
                "`envelope:` if the messages carry others"
            )
        for name, service in model["services"].items():
            missing = [policy for policy in SERVICE_POLICIES if policy not in service]
            if missing:
                self.notes.append(f"service '{name}': set {'/'.join(missing)} (unknown)")
        for name, event in model["events"].items():
            guesses = []
            if "kind" not in event:
                guesses.append("set kind (domain or integration)")
            if "version" not in event:
                guesses.append("version 1 assumed")
            if guesses:
                self.notes.append(f"event '{name}': {'; '.join(guesses)}")

    def read_brokers(self) -> None:
        for server in self.spec.servers:
            transport = server.extension.get("transport")
            if transport not in TRANSPORTS:
                transport = PROTOCOL_TRANSPORTS.get(server.protocol.lower())
            if transport is None:
                self.notes.append(
                    f"server '{server.key}': protocol '{server.protocol}' maps to no transport "
                    "grimoire knows; left out"
                )
                continue
            broker: dict[str, Any] = {"transport": transport}
            if server.host and not WHOLE_VARIABLE.match(server.host):
                broker["host"] = server.host
            if server.description:
                broker["description"] = server.description
            self.brokers[server.name] = broker
            self.server_brokers[server.key] = server.name

    def read_channel(self, channel: SpecChannel) -> None:
        extension = channel.extension
        if extension.get("implicit"):
            self.channel_names[channel.key] = None
            return
        entry: dict[str, Any] = {"transport": self.transport_of(channel)}
        broker = extension.get("broker")
        if isinstance(broker, str) and broker and broker not in self.brokers:
            # A broker with no AsyncAPI server (in-process) is named only by the channel.
            self.brokers[broker] = {"transport": entry["transport"]}
        if broker not in self.brokers:
            broker = next(
                (self.server_brokers[k] for k in channel.servers if k in self.server_brokers),
                None,
            )
        if broker is not None:
            entry["broker"] = broker
        address = extension.get("address")
        if not isinstance(address, str):
            address = channel.address
        if address is not None and address != channel.name:
            entry["address"] = address
        if channel.description:
            entry["description"] = channel.description
        kafka = channel.bindings.get("kafka") if isinstance(channel.bindings, dict) else None
        if isinstance(kafka, dict) and isinstance(kafka.get("partitions"), int):
            entry["partitions"] = kafka["partitions"]
        for name in CHANNEL_FIELDS:
            if name in extension:
                entry[name] = extension[name]
        name = channel.name
        if name in self.channels:
            name = f"{channel.name} ({channel.key})"
            self.notes.append(f"channel '{channel.key}': name taken; imported as '{name}'")
        self.channels[name] = entry
        self.channel_names[channel.key] = name

    def transport_of(self, channel: SpecChannel) -> str:
        declared = channel.extension.get("transport")
        if declared in TRANSPORTS:
            return declared
        for binding in channel.bindings if isinstance(channel.bindings, dict) else {}:
            if binding in BINDING_TRANSPORTS:
                return BINDING_TRANSPORTS[binding]
        keys = channel.servers or [server.key for server in self.spec.servers]
        found = {
            self.brokers[self.server_brokers[key]]["transport"]
            for key in keys
            if key in self.server_brokers
        }
        if len(found) == 1 and all(key in self.server_brokers for key in keys):
            return found.pop()
        self.notes.append(
            f"channel '{channel.key}': no binding or server names its transport; "
            f"assumed {FALLBACK_TRANSPORT}, edit the model"
        )
        return FALLBACK_TRANSPORT

    def channels_of_messages(self) -> dict[str, list[str]]:
        """Message identity -> the keys of the channels that carry it, in document order."""
        found: dict[str, list[str]] = {}
        for channel in self.spec.channels:
            for identity in channel.messages:
                found.setdefault(identity, []).append(channel.key)
        return found

    def read_events(self, channel_of_message: dict[str, list[str]]) -> dict[str, dict]:
        spec = self.spec
        events: dict[str, dict] = {}
        for identity, message in spec.messages.items():
            raw = message.raw
            if _is_command(raw):
                continue
            name = self.unique_name(message, identity, events, "message")
            senders = [o for o in spec.operations if o.sends and identity in o.messages]
            receivers = [o for o in spec.operations if not o.sends and identity in o.messages]
            extension = raw.get("x-grimoire") if isinstance(raw.get("x-grimoire"), dict) else {}
            event: dict[str, Any] = {}
            for key in ("kind", "version"):
                if key in extension:
                    event[key] = extension[key]
            description = raw.get("description") or raw.get("summary")
            if isinstance(description, str) and description:
                event["description"] = description
            if senders:
                event["producer"] = senders[0].service
                if len({o.service for o in senders}) > 1:
                    self.notes.append(
                        f"event '{name}': several services send it; producer set to "
                        f"'{senders[0].service}'"
                    )
            elif isinstance(extension.get("producer"), str) and extension["producer"]:
                # A service-scoped export names the producer of what the service receives.
                event["producer"] = extension["producer"]
                self.services.setdefault(extension["producer"], {})
            else:
                event["producer"] = EXTERNAL_SERVICE
                self.services.setdefault(
                    EXTERNAL_SERVICE,
                    {"description": "Sends what the imported document only receives."},
                )
                self.notes.append(
                    f"event '{name}': no operation sends it; producer set to "
                    f"'{EXTERNAL_SERVICE}', name the real one"
                )
            consumers: list[Any] = []
            seen: set[str] = set()
            for operation in receivers:
                if operation.service in seen:
                    continue
                seen.add(operation.service)
                details = {
                    k: operation.extension[k] for k in CONSUMER_FIELDS if k in operation.extension
                }
                consumers.append(
                    {"service": operation.service, **details} if details else operation.service
                )
            event["consumers"] = consumers
            channel = self.event_channel(name, identity, senders, channel_of_message)
            if channel is not None:
                event["channel"] = channel
            for key in ("key", "ordering"):
                if key in extension:
                    event[key] = extension[key]
            schema, schema_format = self.payload(message)
            if schema is not None:
                event["schema"] = schema
                if schema_format != "jsonschema":
                    event["schema_format"] = schema_format
            for key in ("message", "compatibility", "pii", "snapshot"):
                if key in extension:
                    event[key] = extension[key]
            examples = [
                copy.deepcopy(example["payload"])
                for example in raw.get("examples") or []
                if isinstance(example, dict) and "payload" in example
            ]
            if examples:
                event["examples"] = examples
            events[name] = event
        return events

    def read_commands(self, channel_of_message: dict[str, list[str]]) -> dict[str, dict]:
        """The messages `export asyncapi` marked as commands, as model commands."""
        spec = self.spec
        commands: dict[str, dict] = {}
        for identity, message in spec.messages.items():
            raw = message.raw
            if not _is_command(raw):
                continue
            extension = raw["x-grimoire"]
            name = self.unique_name(message, identity, commands, "command message")
            operations = [o for o in spec.operations if identity in o.messages]
            receivers = list(dict.fromkeys(o.service for o in operations if not o.sends))
            # A send the export added for a saga's orchestrator is the saga's, not an issuer.
            senders = [o.service for o in operations if o.sends and "saga" not in o.extension]
            declared = extension.get("issuers")
            declared = (
                [i for i in declared if isinstance(i, str)] if isinstance(declared, list) else []
            )
            command: dict[str, Any] = {}
            description = raw.get("description")
            if isinstance(description, str) and description:
                command["description"] = description
            handler = extension.get("handler")
            if receivers:
                if len(receivers) > 1:
                    self.notes.append(
                        f"command '{name}': several services receive it; handler set to "
                        f"'{receivers[0]}'"
                    )
                handler = receivers[0]
            if not isinstance(handler, str) or not handler:
                handler = EXTERNAL_SERVICE
                self.notes.append(
                    f"command '{name}': no operation receives it; handler set to "
                    f"'{EXTERNAL_SERVICE}', name the real one"
                )
            self.services.setdefault(handler, {})
            command["handler"] = handler
            issuers = list(dict.fromkeys([*declared, *senders]))
            for issuer in issuers:
                self.services.setdefault(issuer, {})
            if issuers:
                command["issuers"] = issuers
            channel = self.event_channel(
                name, identity, [o for o in operations if o.sends], channel_of_message
            )
            if channel is not None:
                command["channel"] = channel
            schema, schema_format = self.payload(message)
            if schema is not None:
                command["schema"] = schema
                if schema_format == "avro":
                    command["schema_format"] = "avro"
            commands[name] = command
        return commands

    def unique_name(self, message: Any, identity: str, taken: dict, what: str) -> str:
        """The message's `name` (else its key); its key or identity when that is taken."""
        raw = message.raw
        name = raw.get("name") if isinstance(raw.get("name"), str) else message.key
        if name in taken:
            name = message.key if message.key not in taken else identity
            self.notes.append(f"{what} '{identity}': name taken; imported as '{name}'")
        return name

    def event_channel(
        self, name: str, identity: str, senders: list, channel_of_message: dict
    ) -> str | None:
        candidates = [o.channel for o in senders] + channel_of_message.get(identity, [])
        candidates = list(dict.fromkeys(candidates))
        if not candidates:
            return None
        if len(candidates) > 1:
            self.notes.append(
                f"event '{name}': on several channels ({', '.join(candidates)}); "
                f"kept '{candidates[0]}'"
            )
        return self.channel_names.get(candidates[0])

    def payload(self, message: Any) -> tuple[Any, str]:
        raw = message.raw
        payload = raw.get("payload")
        if payload is None:
            return None, "jsonschema"
        schema_format = raw.get("schemaFormat") if isinstance(raw.get("schemaFormat"), str) else ""
        if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
            schema_format = str(payload["schemaFormat"])
            payload = payload["schema"]
        if "avro" in schema_format.lower():
            return copy.deepcopy(payload), "avro"
        if "protobuf" in schema_format.lower() and isinstance(payload, str):
            return payload, "protobuf"
        return _localize(payload, self.spec.document), "jsonschema"

    def envelope(self) -> dict | None:
        for message in self.spec.messages.values():
            headers = message.raw.get("headers")
            if isinstance(headers, dict) and "schema" in headers and "schemaFormat" in headers:
                headers = headers["schema"]
            headers, _ = self.spec.document.resolve(headers)
            properties = headers.get("properties") if isinstance(headers, dict) else None
            if not isinstance(properties, dict) or not properties:
                continue
            names = list(properties)
            prefixed = [
                next((n[len(p) :] for p in CLOUDEVENTS_PREFIXES if n.startswith(p)), None)
                for n in names
            ]
            if all(prefixed):
                attributes = [a for a in prefixed if a and ENVELOPE_ATTRIBUTE.match(a)]
                return {"profile": "cloudevents-1.0", "attributes": attributes}
            attributes = [n for n in names if ENVELOPE_ATTRIBUTE.match(n)]
            return {"profile": "custom", "attributes": attributes}
        return None


def _is_command(raw: dict) -> bool:
    extension = raw.get("x-grimoire")
    return isinstance(extension, dict) and extension.get("kind") == "command"


def _localize(payload: Any, document: _Document) -> Any:
    """A copy of a payload schema whose `$ref`s all resolve inside it.

    References to places inside the payload become `#/...` relative to it; references to
    anything else in the document (such as `#/components/schemas/X`) are copied into `$defs`.
    """
    payload, _ = document.resolve(payload)
    if not isinstance(payload, (dict, list)):
        return copy.deepcopy(payload)
    paths: dict[int, str] = {}
    _index_paths(payload, "", paths)
    existing = payload.get("$defs") if isinstance(payload, dict) else None
    taken = set(existing) if isinstance(existing, dict) else set()
    names: dict[str, str] = {}
    copied: dict[str, Any] = {}

    def reference_for(reference: str) -> str:
        target = document.pointer(reference)
        if id(target) in paths:
            return "#" + paths[id(target)]
        if reference not in names:
            stem = reference.rsplit("/", 1)[-1] or "schema"
            name, counter = stem, 2
            while name in taken:
                name, counter = f"{stem}{counter}", counter + 1
            taken.add(name)
            names[reference] = name
            resolved, _ = document.resolve(target)
            copied[name] = walk(resolved)
        return f"#/$defs/{names[reference]}"

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            result = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                    result[key] = reference_for(value)
                elif key in DATA_KEYWORDS:
                    result[key] = copy.deepcopy(value)
                else:
                    result[key] = walk(value)
            return result
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    localized = walk(payload)
    if copied and isinstance(localized, dict):
        localized.setdefault("$defs", {}).update(copied)
    return localized


def _index_paths(node: Any, pointer: str, paths: dict[int, str]) -> None:
    if isinstance(node, (dict, list)):
        paths.setdefault(id(node), pointer)
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in DATA_KEYWORDS:
                token = str(key).replace("~", "~0").replace("/", "~1")
                _index_paths(value, f"{pointer}/{token}", paths)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _index_paths(item, f"{pointer}/{index}", paths)
