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
- Of any other document the model keeps what it has fields for (Kafka key, partitions,
  retention, cleanup, replication, topic configuration, group and client ids, the envelope's
  header names) and everything else under `asyncapi:` keys, references resolved: document
  fields (id, info contact/license/terms, tags, security schemes, servers of unknown
  protocols), each broker's server fields, each channel's key, title and other bindings, each
  event's message fields and its sender's operation, each consumer's operation, and the
  operations the model cannot say (`asyncapi.operations`). `export asyncapi` writes them back
  and records them in `x-grimoire.asyncapi`, which is what this reads from our own exports.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..model.payload import DATA_KEYWORDS
from ..model.types import SYSTEM_SETTINGS
from ..pointer import escape_token
from ..render.asyncapi import DEFS_RENAMED, NAME_MAPS, rename_keyword
from .spec import AsyncApiSpec, SpecChannel, SpecOperation, _Document, _Recursive

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
# Keys of a channel's `x-grimoire` that are not model fields of the channel.
CHANNEL_CONTROL = ("transport", "broker", "implicit", "name", "address", "asyncapi")
CONSUMER_FIELDS = ("dead_letter", "idempotency", "idempotency_scope", "read_model")
SERVICE_POLICIES = ("state", "outbox", "idempotency")
WHOLE_VARIABLE = re.compile(r"^\{[^{}]*\}$")


@dataclass
class ImportResult:
    model: dict
    notes: list[str] = field(default_factory=list)
    # id(object) -> name, for the schemas several events share (one object in the model)
    shared: dict[int, str] = field(default_factory=dict)


def build_model(spec: AsyncApiSpec) -> ImportResult:
    """A design-model dict (format grimoire/1) from the neutral description."""
    return _Builder(spec).build()


# Kafka's cleanup.policy -> the channel's cleanup
CLEANUP_OF_POLICY = {
    frozenset(("delete",)): "delete",
    frozenset(("compact",)): "compact",
    frozenset(("compact", "delete")): "compact-delete",
}
DURATION_UNITS = (("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000))
DURATION_UNITS += (("s", 1000), ("ms", 1))
MESSAGE_FIELDS = (
    "title",
    "summary",
    "contentType",
    "headers",
    "correlationId",
    "tags",
    "externalDocs",
    "bindings",
    "examples",
)
OPERATION_FIELDS = ("title", "summary", "description", "tags", "externalDocs", "bindings")
KEY_MENTION = re.compile(r"payload's ([A-Za-z0-9_$.\-]+?)\.?$")
HEADER_ATTRIBUTE = re.compile(r"[^a-z0-9]")


def _duration(milliseconds: int) -> str | None:
    """retention.ms as a model duration (the largest unit that divides it), -1 as infinite."""
    if milliseconds == -1:
        return "infinite"
    if milliseconds <= 0:
        return None
    for unit, size in DURATION_UNITS:
        if milliseconds % size == 0:
            return f"{milliseconds // size}{unit}"
    return None


def _single_value(schema: Any) -> str | None:
    """The one string a binding schema allows (`const`, or an `enum` of one)."""
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("const"), str):
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
        return enum[0]
    return None


def _without(mapping: dict, *keys: str) -> dict:
    return {key: value for key, value in mapping.items() if key not in keys}


# Header names teams commonly give the CloudEvents attributes (lower-cased, letters and digits).
HEADER_SYNONYMS = {
    "eventid": "id",
    "messageid": "id",
    "eventtype": "type",
    "messagetype": "type",
    "occurredat": "time",
    "eventtime": "time",
    "timestamp": "time",
    "eventsource": "source",
    "producer": "source",
    "schemaversion": "dataschema",
    "contenttype": "datacontenttype",
}


def _ids_first(details: dict) -> dict:
    return dict(sorted(details.items(), key=lambda item: item[0] == "asyncapi"))


def _header_attribute(header: str) -> str:
    """The envelope attribute a header carries: the CloudEvents attribute its name commonly
    stands for, else the name lower-cased, letters and digits only."""
    plain = HEADER_ATTRIBUTE.sub("", header.lower())
    return HEADER_SYNONYMS.get(plain, plain[:20])


class _Builder:
    def __init__(self, spec: AsyncApiSpec) -> None:
        self.spec = spec
        # A document `export asyncapi` wrote says what it kept in each `x-grimoire.asyncapi`;
        # of any other document, everything the model has no place for is kept.
        self.ours = bool(spec.extension)
        self.kept_servers: dict[str, dict] = {}
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
        if spec.contrary:
            listed = ", ".join(f"{key} ({verb})" for key, verb in spec.contrary[:5])
            more = f" and {len(spec.contrary) - 5} more" if len(spec.contrary) > 5 else ""
            self.notes.append(
                f"2.x direction: read per the specification (subscribe = the application "
                f"sends, publish = it receives), but the words of {listed}{more} say the "
                "opposite; if the document was written the other way round, import again "
                "with --invert-2x-operations"
            )
        system: dict[str, Any] = {"name": spec.title}
        if spec.description:
            system["description"] = spec.description
        if spec.info_version:
            system["version"] = spec.info_version
        settings = sections.get("system")
        if isinstance(settings, dict):
            system.update({k: settings[k] for k in SYSTEM_SETTINGS if k in settings})
        model: dict[str, Any] = {"format": "grimoire/1", "system": system}
        document_kept = self.kept_of(spec.extension, lambda: dict(spec.fields))
        if self.kept_servers and not self.ours:
            document_kept["servers"] = self.kept_servers
        if document_kept:
            model["asyncapi"] = document_kept
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
        return ImportResult(model, self.notes, _share_identical_definitions(events, commands))

    def note_defaults(self, model: dict) -> None:
        """One note per default a foreign document leaves the model to."""
        self.notes.append(
            "system.compatibility not given: BACKWARD applies to every event; set the policy"
        )
        envelope = model.get("envelope")
        if envelope and envelope["attributes"]:
            named = envelope.get("headers") or {}
            shown = [
                f"{attribute} (header {named[attribute]})" if attribute in named else attribute
                for attribute in envelope["attributes"]
            ]
            self.notes.append(
                f"envelope: profile {envelope['profile']} with attributes {', '.join(shown)} "
                "read from message headers; check them"
            )
        else:
            self.notes.append(
                "envelope: no message headers; the envelope is empty (custom, no attributes), "
                "so new events carry no metadata: set `envelope:` to what they should carry"
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

    def kept_of(self, extension: dict, compute: Any) -> dict:
        """What to keep of an element: as its `x-grimoire.asyncapi` says in our own export,
        else `compute()` (the element's fields the model has no place for)."""
        if self.ours:
            kept = extension.get("asyncapi")
            return copy.deepcopy(kept) if isinstance(kept, dict) else {}
        return compute()

    def inline(self, node: Any) -> Any:
        """A kept field with its references resolved (a recursive schema localized)."""
        try:
            return self.spec.document.inline(node)
        except _Recursive:
            return _localize(node, self.spec.document)

    def read_brokers(self) -> None:
        for server in self.spec.servers:
            transport = server.extension.get("transport")
            if transport not in TRANSPORTS:
                transport = PROTOCOL_TRANSPORTS.get(server.protocol.lower())
            if transport is None:
                if not self.ours:
                    kept = {"protocol": server.protocol, **server.fields}
                    if server.host:
                        kept["host"] = server.host
                    if server.description:
                        kept["description"] = server.description
                    self.kept_servers[server.key] = kept
                self.notes.append(
                    f"server '{server.key}': protocol '{server.protocol}' maps to no transport "
                    "grimoire knows; kept as it is under `asyncapi.servers`, not as a broker"
                )
                continue
            broker: dict[str, Any] = {"transport": transport}
            if server.host and not WHOLE_VARIABLE.match(server.host):
                broker["host"] = server.host
            if server.description:
                broker["description"] = server.description
            kept = self.kept_of(server.extension, lambda s=server: self.server_kept(s))
            if kept:
                broker["asyncapi"] = kept
            self.brokers[server.name] = broker
            self.server_brokers[server.key] = server.name

    def server_kept(self, server: Any) -> dict:
        kept = dict(server.fields)
        kept["protocol"] = server.protocol
        if server.key != server.name:
            kept["key"] = server.key
        if server.host and WHOLE_VARIABLE.match(server.host):
            kept["host"] = server.host
        return kept

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
        bindings = self.inline(channel.bindings) if isinstance(channel.bindings, dict) else {}
        kafka = bindings.get("kafka")
        remaining = dict(bindings)
        if isinstance(kafka, dict):
            remaining["kafka"] = self.topic_settings(
                kafka, entry, entry.get("address", channel.name)
            )
            if not remaining["kafka"]:
                del remaining["kafka"]
        for name, value in extension.items():
            if name not in CHANNEL_CONTROL:
                entry[name] = copy.deepcopy(value)

        def channel_kept() -> dict:
            kept: dict[str, Any] = {}
            if channel.key != channel.name:
                kept["key"] = channel.key
            if channel.title:
                kept["title"] = channel.title
            if channel.address is None and self.spec.version.startswith("3."):
                kept["address"] = None  # known only at run time
            if remaining:
                kept["bindings"] = remaining
            others = [key for key in channel.servers if key not in self.server_brokers]
            if others:
                kept["servers"] = others
            return kept

        kept = self.kept_of(extension, channel_kept)
        if kept:
            entry["asyncapi"] = kept
        name = channel.name
        if name in self.channels:
            name = f"{channel.name} ({channel.key})"
            self.notes.append(f"channel '{channel.key}': name taken; imported as '{name}'")
        self.channels[name] = entry
        self.channel_names[channel.key] = name

    def topic_settings(self, kafka: dict, entry: dict, address: str) -> dict:
        """Move a Kafka channel binding's topic settings onto the channel entry; returns the
        rest of the binding (what only AsyncAPI says)."""
        rest = _without(kafka, "bindingVersion")
        if rest.get("topic") == address:
            rest.pop("topic")
        if isinstance(rest.get("partitions"), int) and rest["partitions"] >= 1:
            entry["partitions"] = rest.pop("partitions")
        replication: dict[str, int] = {}
        if isinstance(rest.get("replicas"), int) and rest["replicas"] >= 1:
            replication["factor"] = rest.pop("replicas")
        config = rest.pop("topicConfiguration", None)
        if isinstance(config, dict):
            config = dict(config)
            retention = config.get("retention.ms")
            if isinstance(retention, int) and _duration(retention) is not None:
                entry.setdefault("retention", _duration(retention))
                del config["retention.ms"]
            policy = config.get("cleanup.policy")
            if isinstance(policy, str):
                policy = [part.strip() for part in policy.split(",")]
            cleanup = CLEANUP_OF_POLICY.get(frozenset(policy)) if isinstance(policy, list) else None
            if cleanup is not None:
                entry["cleanup"] = cleanup
                del config["cleanup.policy"]
            in_sync = config.get("min.insync.replicas")
            if isinstance(in_sync, int) and in_sync >= 1:
                replication["min_in_sync"] = config.pop("min.insync.replicas")
            plain = {
                key: value
                for key, value in config.items()
                if isinstance(value, (str, int, float, bool))
            }
            if plain:
                entry["topic_config"] = plain
            others = _without(config, *plain)
            if others:
                rest["topicConfiguration"] = others
        if replication:
            entry["replication"] = replication
        return rest

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
                if len({o.service for o in senders}) > 1 and not self.ours:
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
            represented = senders[:1]
            for operation in receivers:
                if operation.service in seen:
                    continue
                seen.add(operation.service)
                represented.append(operation)
                details = {
                    k: operation.extension[k] for k in CONSUMER_FIELDS if k in operation.extension
                }
                details.update(self.operation_details(operation, consumer=True))
                consumers.append(
                    {"service": operation.service, **details} if details else operation.service
                )
            event["consumers"] = consumers
            channel = self.event_channel(name, identity, senders, channel_of_message)
            if channel is not None:
                event["channel"] = channel
            schema, schema_format = self.payload(message)
            for key in ("key", "ordering"):
                if key in extension:
                    event[key] = extension[key]
            if "key" not in event and not self.ours:
                key = self.key_field(raw, schema, name)
                if key is not None:
                    event["key"] = key
            if schema is not None:
                event["schema"] = schema
                if schema_format != "jsonschema":
                    event["schema_format"] = schema_format
            for key in (
                "message",
                "compatibility",
                "pii",
                "snapshot",
                "supersedes",
                "deprecated",
                "internal",
                "erases",
            ):
                if key in extension:
                    event[key] = extension[key]
            examples = [
                copy.deepcopy(example["payload"])
                for example in raw.get("examples") or extension.get("examples") or []
                if isinstance(example, dict) and "payload" in example
            ]
            if examples:
                event["examples"] = examples
            others = [o for o in (*senders, *receivers) if o not in represented]
            kept = self.kept_of(
                extension, lambda r=raw, o=senders, x=others: self.event_kept(r, o, x)
            )
            if kept:
                event["asyncapi"] = kept
            events[name] = event
        return events

    def event_kept(
        self, raw: dict, senders: list[SpecOperation], others: list[SpecOperation]
    ) -> dict:
        """A foreign message's fields the model has no place for, its sender's operation, and
        the operations the model cannot say (on its other channels, by further senders, a
        consumer's second operation) as `operations`, so the export writes them again."""
        message = {key: self.inline(raw[key]) for key in MESSAGE_FIELDS if key in raw}
        kept: dict[str, Any] = {"message": message}
        sent = self.operation_details(senders[0], consumer=False) if senders else {}
        if sent.get("asyncapi"):
            kept["send"] = sent["asyncapi"]
        extra = []
        for operation in others:
            entry: dict[str, Any] = {
                "action": "send" if operation.sends else "receive",
                "service": operation.service,
            }
            channel = self.channel_names.get(operation.channel)
            if channel is not None:
                entry["channel"] = channel
            entry.update(self.operation_details(operation, consumer=False).get("asyncapi", {}))
            extra.append(entry)
        if extra:
            kept["operations"] = extra
        return kept

    def operation_details(self, operation: SpecOperation, consumer: bool) -> dict:
        """A foreign operation's group and client ids (for a consumer) and its other fields
        (`asyncapi`: operationId, summary, tags, bindings, security...)."""
        if self.ours:
            kept = operation.extension.get("asyncapi")
            details: dict[str, Any] = {"asyncapi": copy.deepcopy(kept)} if kept else {}
        else:
            details = {"asyncapi": {}}
        raw = operation.raw
        bindings = self.inline(raw["bindings"]) if isinstance(raw.get("bindings"), dict) else {}
        kafka = bindings.get("kafka") if isinstance(bindings.get("kafka"), dict) else {}
        if consumer:
            for binding_key, model_key in (("groupId", "group_id"), ("clientId", "client_id")):
                value = _single_value(kafka.get(binding_key))
                if value is not None:
                    details[model_key] = value
                    kafka = _without(kafka, binding_key)
        if self.ours:
            return _ids_first(details)
        kept = details["asyncapi"]
        if operation.key is not None:
            kept["operationId"] = operation.key
        for key in OPERATION_FIELDS:
            if key in raw and key != "bindings":
                kept[key] = self.inline(raw[key])
        kafka = _without(kafka, "bindingVersion")
        bindings = {**bindings, "kafka": kafka} if kafka else _without(bindings, "kafka")
        if bindings:
            kept["bindings"] = bindings
        if operation.security:
            kept["security"] = operation.security
        if not kept:
            del details["asyncapi"]
        return _ids_first(details)

    def key_field(self, raw: dict, schema: Any, name: str) -> str | None:
        """The payload field a Kafka key binding names, when it names exactly one."""
        bindings, _ = self.spec.document.resolve(raw.get("bindings"))
        kafka = bindings.get("kafka") if isinstance(bindings, dict) else None
        key, _ = self.spec.document.resolve(kafka.get("key") if isinstance(kafka, dict) else None)
        if not isinstance(key, dict):
            return None
        properties = schema.get("properties") if isinstance(schema, dict) else None
        fields = list(properties) if isinstance(properties, dict) else []
        text = " ".join(t for t in (key.get("title"), key.get("description")) if isinstance(t, str))
        mentioned = KEY_MENTION.search(text)
        if mentioned and mentioned.group(1).split(".")[0] in fields:
            return mentioned.group(1)
        words = set(re.findall(r"[A-Za-z0-9_]+", text))
        named = [field for field in fields if field in words]
        if len(named) == 1:
            return named[0]
        self.notes.append(
            f"event '{name}': the Kafka key binding names no payload field; kept as it is, "
            "set `key` to the field it holds"
        )
        return None

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
        if len(candidates) > 1 and not self.ours:
            self.notes.append(
                f"event '{name}': on several channels ({', '.join(candidates)}); its channel "
                f"is '{candidates[0]}', the operations on the others are kept under "
                "`asyncapi.operations` for the export"
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
        schema = _localize(payload, self.spec.document)
        extension = raw.get("x-grimoire")
        if isinstance(extension, dict) and extension.get("schema_defs") == DEFS_RENAMED:
            schema = rename_keyword(schema, DEFS_RENAMED, "$defs")  # our export renamed them
        return schema, "jsonschema"

    def envelope(self) -> dict:
        """The envelope the messages' headers show: CloudEvents when every header is a
        CloudEvents binding's, else the team's own names, kept as the headers that carry
        each attribute. Headers on some messages only are envelope too (noted)."""
        names: list[str] = []
        carried = 0
        for message in self.spec.messages.values():
            if _is_command(message.raw):
                continue
            headers = message.raw.get("headers")
            if isinstance(headers, dict) and "schema" in headers and "schemaFormat" in headers:
                headers = headers["schema"]
            headers, _ = self.spec.document.resolve(headers)
            properties = headers.get("properties") if isinstance(headers, dict) else None
            if isinstance(properties, dict) and properties:
                carried += 1
                names.extend(n for n in properties if n not in names)
        if not names:
            return {"profile": "custom", "attributes": []}
        prefixed = [
            next((n[len(p) :] for p in CLOUDEVENTS_PREFIXES if n.startswith(p)), None)
            for n in names
        ]
        if all(prefixed):
            attributes = [a for a in prefixed if a and ENVELOPE_ATTRIBUTE.match(a)]
            return {"profile": "cloudevents-1.0", "attributes": list(dict.fromkeys(attributes))}
        attributes: list[str] = []
        headers: dict[str, str] = {}
        for header in names:
            attribute = _header_attribute(header)
            if not attribute or attribute in attributes:
                self.notes.append(
                    f"envelope: header '{header}' maps to no attribute of its own; "
                    "kept on its messages only"
                )
                continue
            attributes.append(attribute)
            if header != attribute:
                headers[attribute] = header
        envelope: dict[str, Any] = {"profile": "custom", "attributes": attributes}
        if headers:
            envelope["headers"] = headers
        if carried < len(self.spec.messages):
            self.notes.append(
                f"envelope: {carried} of {len(self.spec.messages)} messages carry headers; "
                "their header names make the envelope, each message keeps its own headers"
            )
        return envelope


def _share_identical_definitions(*sections: dict[str, dict]) -> dict[int, str]:
    """Make payload definitions several events hold alike (same name, same content: a
    contract's shared component schema) one object; returns id(object) -> name."""
    first: dict[tuple[str, str], Any] = {}
    shared: dict[int, str] = {}
    for section in sections:
        for item in section.values():
            schema = item.get("schema")
            definitions = schema.get("$defs") if isinstance(schema, dict) else None
            if not isinstance(definitions, dict):
                continue
            for name, definition in definitions.items():
                key = (name, json.dumps(definition, sort_keys=True))
                if key in first and first[key] is not definition:
                    definitions[name] = first[key]
                    shared[id(first[key])] = name
                else:
                    first.setdefault(key, definition)
    return shared


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

    def walk(node: Any, names: bool = False) -> Any:
        if isinstance(node, dict):
            result = {}
            for key, value in node.items():
                if names:
                    result[key] = walk(value)
                elif key == "$ref" and isinstance(value, str) and value.startswith("#"):
                    result[key] = reference_for(value)
                elif key in DATA_KEYWORDS:
                    result[key] = copy.deepcopy(value)
                else:
                    result[key] = walk(value, key in NAME_MAPS)
            return result
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    localized = walk(payload)
    if copied and isinstance(localized, dict):
        localized.setdefault("$defs", {}).update(copied)
    return localized


def _index_paths(node: Any, pointer: str, paths: dict[int, str], names: bool = False) -> None:
    """id(node) -> its pointer, for every schema in `node`; `names` when `node` maps names to
    schemas (a `$defs` named `default` is a schema, not the keyword's data)."""
    if isinstance(node, (dict, list)):
        paths.setdefault(id(node), pointer)
    if isinstance(node, dict):
        for key, value in node.items():
            if names or key not in DATA_KEYWORDS:
                token = escape_token(key)
                _index_paths(value, f"{pointer}/{token}", paths, key in NAME_MAPS and not names)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _index_paths(item, f"{pointer}/{index}", paths)
