"""A design model as an AsyncAPI 3.0.0 (or 2.6.0) document (a plain, ordered dict), and its text.

Mapping, in short:
- brokers -> `servers` (protocol from the transport); channels -> `channels` (Kafka and AMQP
  bindings); an event with no channel gets a channel with a null address, marked
  `x-grimoire.implicit`, because every AsyncAPI operation needs one.
- events -> `components.messages`: payload (AsyncAPI/JSON Schema inline; a multi-format
  `application/schema+json;version=2020-12` object for schemas that use 2019-09/2020-12
  keywords; Avro and Protobuf with their schemaFormat), envelope `headers` (CloudEvents
  binary-mode header names for the channel's transport, or the envelope's own header names),
  `correlationId`, Kafka message key, examples.
- one operation per (service, event, action): `send` for the producer, `receive` for each
  consumer, with `x-service` naming the service so `import asyncapi` can read it back.
- commands -> `components.messages` too, marked `x-grimoire.kind: command` (with the handler
  and the declared issuers): a `receive` operation for the handler and a `send` operation for
  each issuer. A command no issuer declares but an orchestrated saga sends gets a `send`
  operation for the saga's orchestrator, marked `x-grimoire.saga`. A command with no channel
  gets an implicit channel, as events do. Synchronous commands and internal events are left
  out: they are not messages on any channel.
- the model sections AsyncAPI has no place for (system settings, contexts, services with
  their policies, envelope, read models, sagas, transport needs, rules) go under the root
  `x-grimoire`, so `import asyncapi` rebuilds a model that `check`s like the original.
- model names that are not valid component keys are mapped to safe, unique keys (see
  `escape.component_keys`); the original name stays in `name`/`title`.
- what an imported contract said that the model has no field for (the `asyncapi:` keys of the
  model, its elements and consumers) is written back over the generated objects, and
  recorded in each object's `x-grimoire.asyncapi` for `import asyncapi`; Kafka consumer
  group ids are stated only where the model states them (else a marked suggestion).
- `$defs` only under a schema format whose draft has them: alone, they go out as draft-07
  `definitions`; with other 2019-09/2020-12 keywords, as `version=2020-12`.
- `version="2.6"` converts the document (see asyncapi2.py).
Local `$ref`s inside payload schemas are rewritten to point at the same place inside the
message, since AsyncAPI resolves `#/...` against the whole document.
Key order is fixed and follows the model's order, so the same model gives the same bytes.
The document shares payload schemas and examples with the model: treat both as read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..model.payload import DATA_KEYWORDS, json_type_at
from ..model.types import (
    SYSTEM_SETTINGS,
    Command,
    Consumer,
    DesignModel,
    Event,
    saga_message_roles,
)
from .escape import component_keys
from .json_text import json_text
from .yaml_text import block_yaml

if TYPE_CHECKING:
    from ..saga.model import OrchestratedSaga

ASYNCAPI_VERSION = "3.0.0"
DEFAULT_INFO_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
AMQP_BINDING_VERSION = "0.3.0"
AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro;version=1.9.0"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-07"
# A schema using 2019-09/2020-12 keywords says so; `$defs` alone becomes draft-07's
# `definitions` instead, which every AsyncAPI tool reads.
JSON_SCHEMA_2020_FORMAT = "application/schema+json;version=2020-12"
DEFS_RENAMED = "definitions"
PROTOBUF_SCHEMA_FORMAT = "application/vnd.google.protobuf;version=3"
# Model sections copied as they are into the root `x-grimoire` of a whole-system export.
ROOT_SECTIONS = (
    "rules",
    "contexts",
    "services",
    "envelope",
    "read_models",
    "sagas",
    "transport_needs",
)
# Keywords draft-07 (and so the AsyncAPI Schema Object) does not know.
NEWER_JSON_SCHEMA_KEYWORDS = frozenset(
    (
        "$defs",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "$vocabulary",
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "minContains",
        "maxContains",
    )
)
# transport -> (AsyncAPI protocol, protocolVersion or None); in-process has no server.
PROTOCOLS: dict[str, tuple[str, str | None]] = {
    "kafka": ("kafka", None),
    "pulsar": ("pulsar", None),
    "rabbitmq": ("amqp", "0.9.1"),
    "rabbitmq-stream": ("amqp", "0.9.1"),
    "nats-jetstream": ("nats", None),
    "redis-streams": ("redis", None),
    "sqs": ("sqs", None),
    "sqs-fifo": ("sqs", None),
    "sns": ("sns", None),
    "sns-fifo": ("sns", None),
    "eventbridge": ("https", None),
    "kinesis": ("https", None),
    "pubsub": ("googlepubsub", None),
    "azure-service-bus": ("amqp", "1.0"),
    "azure-event-hubs": ("amqp", "1.0"),
}
# CloudEvents binary content mode: how each protocol binding names attribute headers.
CLOUDEVENTS_HEADER_PREFIX = {
    "kafka": "ce_",
    "azure-event-hubs": "ce_",
    "rabbitmq": "cloudEvents:",
    "rabbitmq-stream": "cloudEvents:",
    "azure-service-bus": "cloudEvents:",
}
DEFAULT_HEADER_PREFIX = "ce-"
HEADER_SCHEMA_SUFFIX = {"ce_": "-kafka", "cloudEvents:": "-amqp", "ce-": ""}
CLOUDEVENTS_REQUIRED = ("id", "source", "specversion", "type")
CLOUDEVENTS_DESCRIPTIONS = {
    "id": "Identifies the event; unique per source.",
    "source": "The context in which the event happened (URI reference).",
    "specversion": "The CloudEvents specification version.",
    "type": "The event type.",
    "time": "When the event happened (RFC 3339).",
    "subject": "The subject of the event in the context of its source.",
    "datacontenttype": "Content type of the data.",
    "dataschema": "URI of the schema the data adheres to.",
    "correlationid": "Identifies the business transaction the event belongs to.",
    "causationid": "The id of the message that caused this event.",
    "traceparent": "W3C trace context.",
}
CONTENT_TYPES = {
    "jsonschema": "application/json",
    "avro": "avro/binary",
    "protobuf": "application/x-protobuf",
}
# The JSON types a message key may take; any other payload type is keyed as a string.
KEY_TYPES = frozenset(("string", "integer", "number", "boolean"))
# channel.cleanup -> Kafka's cleanup.policy
CLEANUP_POLICIES = {
    "delete": ["delete"],
    "compact": ["compact"],
    "compact-delete": ["compact", "delete"],
}
SUGGESTED_GROUP_ID = (
    "Suggested: the design model states no consumer group, so the service's name is offered; "
    "state the real one as the consumer's group_id."
)
ADDRESS_PARAMETER = re.compile(r"\{([^{}]*)\}")
PARAMETER_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
DURATION = re.compile(r"^([0-9]+)(ms|s|m|h|d|w)$")
DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def build_asyncapi(model: DesignModel, service: str | None = None, version: str = "3.0") -> dict:
    """The AsyncAPI 3.0.0 (or 2.6.0) document for the whole system, or for what one service
    sends/receives.

    Raises KeyError when `service` is not one of the model's services.
    """
    if service is not None and service not in model.services:
        raise KeyError(service)
    # Internal events never leave their service and synchronous commands are requests, not
    # messages: neither has a channel to export.
    events = [
        event
        for event in model.events.values()
        if not event.internal
        and (
            service is None
            or event.producer == service
            or any(consumer.service == service for consumer in event.consumers)
        )
    ]
    issuers = command_issuers(model)
    commands = [
        command
        for command in model.commands.values()
        if not command.synchronous
        and (
            service is None
            or command.handler == service
            or any(issuer == service for issuer, _ in issuers[command.name])
        )
    ]
    document = _Builder(model, service, events, commands, issuers).document()
    if version == "2.6":
        from .asyncapi2 import as_asyncapi_2

        return as_asyncapi_2(document)
    if version != "3.0":
        raise ValueError(f"AsyncAPI {version} is not written; 3.0 or 2.6")
    return document


def command_issuers(model: DesignModel) -> dict[str, list[tuple[str, str | None]]]:
    """Each command's senders as (service, saga): the declared issuers (saga None), or else
    the orchestrators of the orchestrated sagas whose steps or compensations send it."""
    sent_by: dict[str, list[tuple[str, str]]] = {}
    from ..saga.model import OrchestratedSaga

    for saga_name, saga in model.parsed_sagas.items():
        if not isinstance(saga, OrchestratedSaga):
            continue
        orchestrator = saga.orchestrator
        for command in _saga_commands(saga):
            senders = sent_by.setdefault(command, [])
            if all(service != orchestrator for service, _ in senders):
                senders.append((orchestrator, saga_name))
    result: dict[str, list[tuple[str, str | None]]] = {}
    for command in model.commands.values():
        if command.issuers:
            result[command.name] = [(issuer, None) for issuer in dict.fromkeys(command.issuers)]
        else:
            result[command.name] = list(sent_by.get(command.name, []))
    return result


def _saga_commands(saga: OrchestratedSaga) -> list[str]:
    names = []
    forward = saga.cancel.after_pivot if saga.cancel is not None else None
    for step in [*saga.steps, *([forward] if forward is not None else [])]:
        compensation = step.compensation.command if step.compensation is not None else None
        for name in (step.command, compensation):
            if name and name not in names:
                names.append(name)
    return names


def dump_asyncapi(document: dict, fmt: str) -> str:
    """The document as 'yaml' or 'json' text; stable bytes for the same document."""
    if fmt == "json":
        return json_text(document) + "\n"
    return block_yaml(document)


class _Builder:
    def __init__(
        self,
        model: DesignModel,
        service: str | None,
        events: list[Event],
        commands: list[Command],
        issuers: dict[str, list[tuple[str, str | None]]],
    ) -> None:
        self.model = model
        self.service = service
        self.events = events
        self.commands = commands
        self.issuers = issuers
        self.saga_roles = saga_message_roles(model.parsed_sagas)
        items: list[Event | Command] = [*events, *commands]
        used_channels = {item.channel for item in items if item.channel in model.channels}
        self.channels = [
            channel
            for name, channel in model.channels.items()
            if service is None or name in used_channels
        ]
        used_brokers = {channel.broker for channel in self.channels}
        self.brokers = [
            broker
            for name, broker in model.brokers.items()
            if broker.transport in PROTOCOLS and (service is None or name in used_brokers)
        ]
        self.event_keys = component_keys(event.name for event in events)
        # Commands share the message key space with events; a clash gets a suffix.
        command_keys = component_keys(command.name for command in commands)
        unique = _deduplicated([*self.event_keys.values(), *command_keys.values()])
        self.command_keys = dict(zip(command_keys, unique[len(self.event_keys) :]))
        self.header_schemas: dict[str, dict] = {}
        self.headers_by_transport: dict[str | None, tuple[str | None, dict[str, str]]] = {}
        self.correlation_ids: dict[str, dict] = {}
        self.server_keys = _keys_with_kept(
            component_keys(broker.name for broker in self.brokers),
            {broker.name: broker.asyncapi.get("key") for broker in self.brokers},
        )
        kept_servers = model.asyncapi.get("servers")
        self.kept_servers = kept_servers if isinstance(kept_servers, dict) else {}
        self.channel_keys = _keys_with_kept(
            component_keys(channel.name for channel in self.channels),
            {channel.name: channel.asyncapi.get("key") for channel in self.channels},
        )
        # An implicit channel is named after its message; its key must not clash with others.
        self.implicit = [item for item in items if item.channel not in model.channels]
        implicit_keys = [component_keys([item.name])[item.name] for item in self.implicit]
        unique = _deduplicated([*self.channel_keys.values(), *implicit_keys])
        self.implicit_channel_keys = {
            id(item): key for item, key in zip(self.implicit, unique[len(self.channel_keys) :])
        }

    def message_key_of(self, item: Event | Command) -> str:
        if isinstance(item, Command):
            return self.command_keys[item.name]
        return self.event_keys[item.name]

    def channel_key_of(self, item: Event | Command) -> str:
        if item.channel in self.channel_keys:
            return self.channel_keys[item.channel]
        return self.implicit_channel_keys[id(item)]

    def document(self) -> dict:
        model = self.model
        info: dict[str, Any] = {
            "title": model.system.name,
            "version": str(model.raw.get("system", {}).get("version") or DEFAULT_INFO_VERSION),
        }
        description = model.system.description
        if self.service is not None:
            info["title"] = f"{model.system.name}: {self.service}"
            service = model.services[self.service]
            description = service.description or description
        if description:
            info["description"] = description
        kept = model.asyncapi
        kept_info = kept.get("info") if isinstance(kept.get("info"), dict) else {}
        for key in ("termsOfService", "contact", "license", "tags", "externalDocs"):
            if key in kept_info:
                info[key] = kept_info[key]
        document: dict[str, Any] = {"asyncapi": ASYNCAPI_VERSION}
        if isinstance(kept.get("id"), str):
            document["id"] = kept["id"]
        document["info"] = info
        if self.service is not None:
            document["x-service"] = self.service
        content_type = kept.get("defaultContentType")
        document["defaultContentType"] = (
            content_type if isinstance(content_type, str) else "application/json"
        )
        servers = self.servers()
        if servers:
            document["servers"] = servers
        document["channels"] = self.channel_objects()
        document["operations"] = self.operations()
        messages = self.messages()
        components: dict[str, Any] = {}
        if self.header_schemas:
            components["schemas"] = self.header_schemas
        components["messages"] = messages
        if self.correlation_ids:
            components["correlationIds"] = self.correlation_ids
        schemes = kept.get("securitySchemes")
        if isinstance(schemes, dict) and schemes:
            components["securitySchemes"] = schemes
        document["components"] = components
        extension = self.root_extension()
        if extension:
            document["x-grimoire"] = extension
        return document

    def root_extension(self) -> dict:
        """The model sections AsyncAPI has no field for, as the model writes them."""
        raw = self.model.raw
        extension: dict[str, Any] = {}
        system = raw.get("system") or {}
        settings = {key: system[key] for key in SYSTEM_SETTINGS if key in system}
        if settings:
            extension["system"] = settings
        if self.model.asyncapi:
            extension["asyncapi"] = self.model.asyncapi
        if self.service is None:
            sections = {key: raw.get(key) for key in ROOT_SECTIONS}
            extension.update({key: value for key, value in sections.items() if value})
            return extension
        # A service's document: the policies of the services it names, and the read models
        # its consumers feed, so an import checks without dangling names.
        named = {self.service}
        named.update(event.producer for event in self.events)
        named.update(c.service for event in self.events for c in event.consumers)
        named.update(command.handler for command in self.commands)
        named.update(s for command in self.commands for s, _ in self.issuers[command.name])
        services = {n: spec for n, spec in (raw.get("services") or {}).items() if n in named}
        contexts = {spec.get("context") for spec in services.values()}
        read_models = {
            c.read_model
            for event in self.events
            for c in event.consumers
            if c.service == self.service and c.read_model
        }
        sections = {
            "rules": raw.get("rules"),
            "contexts": {
                n: spec for n, spec in (raw.get("contexts") or {}).items() if n in contexts
            },
            "services": services,
            "envelope": raw.get("envelope"),
            "read_models": {
                n: spec for n, spec in (raw.get("read_models") or {}).items() if n in read_models
            },
        }
        extension.update({key: value for key, value in sections.items() if value})
        return extension

    # servers -------------------------------------------------------------------------------
    def servers(self) -> dict:
        servers = {}
        for broker in self.brokers:
            protocol, version = PROTOCOLS[broker.transport]
            server: dict[str, Any] = {}
            variables = {}
            if broker.host:
                server["host"] = broker.host
                for name in _address_parameters(broker.host):
                    variables[name] = {"description": f"'{name}' in the host of {broker.name}."}
            else:
                server["host"] = "{host}"
                variables["host"] = {
                    "description": f"The design model gives no host for broker '{broker.name}'."
                }
            kept = broker.asyncapi
            if isinstance(kept.get("host"), str):
                server["host"] = kept["host"]
            server["protocol"] = kept.get("protocol") or protocol
            version = kept.get("protocolVersion") or version
            if version:
                server["protocolVersion"] = version
            server["title"] = broker.name
            if broker.description:
                server["description"] = broker.description
            variables = overlay(variables, kept.get("variables") or {})
            if variables:
                server["variables"] = variables
            server.update(self.kept_server_fields(kept))
            server["x-grimoire"] = {"transport": broker.transport}
            servers[self.server_keys[broker.name]] = _with_kept(server, kept)
        taken = set(servers)
        for key, kept in self.kept_servers.items():
            if key in taken or not isinstance(kept, dict):
                continue
            server = {"host": kept.get("host") or "{host}", "protocol": kept.get("protocol")}
            for field in ("protocolVersion", "description"):
                if field in kept:
                    server[field] = kept[field]
            if "variables" in kept or "host" not in kept:
                server["variables"] = kept.get("variables") or {
                    "host": {"description": "The imported document gives no host."}
                }
            server.update(self.kept_server_fields(kept))
            servers[key] = server
        return servers

    def kept_server_fields(self, kept: dict) -> dict:
        fields: dict[str, Any] = {}
        security = security_references(kept.get("security"))
        if security:
            fields["security"] = security
        for field in ("tags", "externalDocs", "bindings"):
            if field in kept:
                fields[field] = kept[field]
        return fields

    # channels ------------------------------------------------------------------------------
    def channel_objects(self) -> dict:
        channels: dict[str, Any] = {}
        by_channel: dict[str, list[Event | Command]] = {}
        for item in [*self.events, *self.commands]:
            by_channel.setdefault(self.channel_key_of(item), []).append(item)
        for event in self.events:
            for extra in _extra_operations(event):
                if self.service is not None and extra["service"] != self.service:
                    continue
                listed = by_channel.setdefault(self.party_channel_key(event, extra), [])
                if event not in listed:
                    listed.append(event)
        for channel in self.channels:
            key = self.channel_keys[channel.name]
            address, renamed = _address_with_valid_parameters(channel.address or channel.name)
            kept = channel.asyncapi
            # An imported channel whose address is only known at run time (a reply topic
            # named in a header) keeps its null address.
            dynamic = "address" in kept and kept["address"] is None
            item: dict[str, Any] = {"address": None if dynamic else address}
            item["title"] = kept.get("title") or channel.name
            if channel.description:
                item["description"] = channel.description
            server_keys = (
                [self.server_keys[channel.broker]] if channel.broker in self.server_keys else []
            )
            server_keys += [key for key in kept.get("servers") or [] if key in self.kept_servers]
            if server_keys:
                item["servers"] = [{"$ref": f"#/servers/{key}"} for key in server_keys]
            item["messages"] = self.channel_messages(by_channel.get(key, []))
            parameters = {
                name: {"description": f"'{renamed.get(name, name)}' in the address."}
                for name in (_address_parameters(address) if not dynamic else [])
            }
            if parameters:
                item["parameters"] = parameters
            bindings = self.channel_bindings(channel, item["address"])
            for protocol, binding in (kept.get("bindings") or {}).items():
                # Kafka's topic settings are model fields; the rest of a binding is kept.
                kafka = protocol == "kafka" and protocol in bindings
                bindings[protocol] = overlay(bindings[protocol], binding) if kafka else binding
            if bindings:
                item["bindings"] = bindings
            extension: dict[str, Any] = {"transport": channel.transport}
            if item["title"] != channel.name:
                extension["name"] = channel.name  # the title is the imported contract's
            if renamed:
                extension["address"] = channel.address
            # The channel's model fields as the model writes them, for `import asyncapi`.
            raw = (self.model.raw.get("channels") or {}).get(channel.name) or {}
            extension.update(
                {k: v for k, v in raw.items() if k not in ("transport", "address", "asyncapi")}
            )
            extension.pop("description", None)
            item["x-grimoire"] = extension
            channels[key] = _with_kept(item, kept)
        for item in self.implicit:
            channels[self.implicit_channel_keys[id(item)]] = {
                "address": None,
                "title": item.name,
                "description": f"The design model assigns {item.name} no channel.",
                "messages": self.channel_messages([item]),
                "x-grimoire": {"implicit": True},
            }
        return channels

    def channel_messages(self, items: Iterable[Event | Command]) -> dict:
        messages = {}
        for item in items:
            key = self.message_key_of(item)
            messages[key] = {"$ref": f"#/components/messages/{key}"}
        return messages

    def channel_bindings(self, channel: Any, address: str | None) -> dict:
        if channel.transport == "kafka":
            kafka: dict[str, Any] = {} if address is None else {"topic": address}
            if channel.partitions:
                kafka["partitions"] = channel.partitions
            replication = channel.replication
            if replication is not None and replication.factor:
                kafka["replicas"] = replication.factor
            configuration: dict[str, Any] = {}
            retention_ms = _retention_ms(channel.retention)
            if retention_ms is not None:
                configuration["retention.ms"] = retention_ms
            if channel.cleanup:
                configuration["cleanup.policy"] = CLEANUP_POLICIES[channel.cleanup]
            if replication is not None and replication.min_in_sync:
                configuration["min.insync.replicas"] = replication.min_in_sync
            configuration.update(channel.topic_config)
            if configuration:
                kafka["topicConfiguration"] = configuration
            kafka["bindingVersion"] = KAFKA_BINDING_VERSION
            return {"kafka": kafka}
        if (
            channel.transport in ("rabbitmq", "rabbitmq-stream")
            and address is not None
            and len(address) <= 255
        ):
            queue: dict[str, Any] = {"name": address, "durable": True}
            if channel.transport == "rabbitmq":
                queue.update({"exclusive": False, "autoDelete": False})
            return {"amqp": {"is": "queue", "queue": queue, "bindingVersion": AMQP_BINDING_VERSION}}
        return {}

    # operations ----------------------------------------------------------------------------
    def operations(self) -> dict:
        # (action, service, event or command, what AsyncAPI has no field for, consumer, the
        # kept operation an imported contract had and the model cannot say, or None)
        parties: list[tuple[str, str, Event | Command, dict, Consumer | None, dict | None]] = []
        for event in self.events:
            parties.append(("send", event.producer, event, {}, None, None))
            for consumer in event.consumers:
                details = {
                    field: getattr(consumer, field)
                    for field in ("dead_letter", "idempotency", "idempotency_scope", "read_model")
                    if getattr(consumer, field) is not None
                }
                parties.append(("receive", consumer.service, event, details, consumer, None))
            for extra in _extra_operations(event):
                parties.append((extra["action"], extra["service"], event, {}, None, extra))
        for command in self.commands:
            for issuer, saga in self.issuers[command.name]:
                details = {"saga": saga} if saga else {}
                parties.append(("send", issuer, command, details, None, None))
            parties.append(("receive", command.handler, command, {}, None, None))
        entries = []
        seen = set()
        for party in parties:
            action, service, item, _, _, extra = party
            if self.service is not None and service != self.service:
                continue
            identity = (action, service, isinstance(item, Command), item.name)
            if extra is not None:
                identity += (self.party_channel_key(item, extra), extra.get("operationId"))
            if identity not in seen:
                seen.add(identity)
                entries.append(party)
        service_keys = component_keys(sorted({entry[1] for entry in entries}))
        # An operation an imported contract named keeps its id, and one operation of the
        # contract that carried several messages becomes one again.
        groups: dict[tuple, list] = {}
        for entry in entries:
            action, service, item, _, consumer, extra = entry
            kept = _operation_kept(item, action, consumer, extra)
            operation_id = kept.get("operationId")
            channel_key = self.party_channel_key(item, extra)
            if isinstance(operation_id, str) and operation_id:
                operation_id = component_keys([operation_id])[operation_id]
                group = (operation_id, action, service, channel_key)
            else:
                group = (None, action, service, isinstance(item, Command), item.name, channel_key)
            groups.setdefault(group, []).append((entry, kept))
        raw_ids = [
            group[0]
            or f"{service_keys[group[2]]}.{group[1]}.{self.message_key_of(members[0][0][2])}"
            for group, members in groups.items()
        ]
        operations = {}
        for key, (group, members) in zip(_deduplicated(raw_ids), groups.items()):
            operations[key] = self.operation([m for m, _ in members], members[0][1], group[-1])
        return operations

    def party_channel_key(self, item: Event | Command, extra: dict | None) -> str:
        """The channel of an operation: the item's, or the kept operation's own."""
        if extra is not None:
            channel = extra.get("channel")
            if isinstance(channel, str) and channel in self.channel_keys:
                return self.channel_keys[channel]
        return self.channel_key_of(item)

    def operation(self, members: list, kept: dict, channel_key: str) -> dict:
        """One operation for its parties (one, or several an imported contract grouped)."""
        action, service, item, details, consumer, extra = members[0]
        verb = "sends" if action == "send" else "receives"
        title = f"{service} {verb} {item.name}"
        if isinstance(item, Command):
            title = f"{service} {verb} the command {item.name}"
            if details.get("saga"):
                title += f" (orchestrating saga {details['saga']})"
        operation: dict[str, Any] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel_key}"},
            "title": kept.get("title") or title,
        }
        for field in ("summary", "description"):
            if isinstance(kept.get(field), str):
                operation[field] = kept[field]
        security = security_references(kept.get("security"))
        if security:
            operation["security"] = security
        for field in ("tags", "externalDocs"):
            if field in kept:
                operation[field] = kept[field]
        operation["messages"] = [
            {"$ref": f"#/channels/{channel_key}/messages/{self.message_key_of(member[2])}"}
            for member in members
        ]
        generated = (
            self.operation_bindings(item, action, service, consumer) if extra is None else {}
        )
        bindings = overlay(generated, kept.get("bindings") or {})
        if bindings:
            operation["bindings"] = bindings
        operation["x-service"] = service
        if details:
            operation["x-grimoire"] = details
        return _with_kept(operation, kept)

    def operation_bindings(
        self, item: Event | Command, action: str, service: str, consumer: Consumer | None
    ) -> dict:
        """Kafka consumer group and client ids as the model states them; a group id is only
        suggested (the service's name, marked so) when nothing states one."""
        channel = self.model.channels.get(item.channel or "")
        if channel is None or channel.transport != "kafka" or action != "receive":
            return {}
        kafka: dict[str, Any] = {}
        kept = consumer.asyncapi.get("bindings") if consumer is not None else None
        stated = isinstance(kept, dict) and "groupId" in (kept.get("kafka") or {})
        if consumer is not None and consumer.group_id:
            kafka["groupId"] = {"type": "string", "enum": [consumer.group_id]}
        elif not stated:
            kafka["groupId"] = {
                "type": "string",
                "description": SUGGESTED_GROUP_ID,
                "examples": [service],
            }
        if consumer is not None and consumer.client_id:
            kafka["clientId"] = {"type": "string", "enum": [consumer.client_id]}
        kafka["bindingVersion"] = KAFKA_BINDING_VERSION
        return {"kafka": kafka}

    # messages ------------------------------------------------------------------------------
    def messages(self) -> dict:
        messages = {self.event_keys[event.name]: self.message(event) for event in self.events}
        for command in self.commands:
            messages[self.command_keys[command.name]] = self.command_message(command)
        return messages

    def command_message(self, command: Command) -> dict:
        summary = f"Command, handled by {command.handler}."
        if _first_line(command.description):
            summary = f"Command: {_first_line(command.description)}"
        message, _ = self.message_base(command, self.command_keys[command.name], summary)
        extension: dict[str, Any] = {"kind": "command", "handler": command.handler}
        if command.issuers:
            extension["issuers"] = list(command.issuers)
        if command.name in self.saga_roles:
            extension["sagaRoles"] = self.saga_roles[command.name]
        message["x-grimoire"] = {**message.get("x-grimoire", {}), **extension}
        return message

    def message(self, event: Event) -> dict:
        summary = _first_line(event.description)
        message, transport = self.message_base(event, self.event_keys[event.name], summary)
        kept = event.asyncapi.get("message")
        kept = kept if isinstance(kept, dict) else None
        if kept is not None:
            # An imported message keeps its own headers and correlation id (or none), title,
            # summary, content type, tags and external docs.
            for field in ("headers", "correlationId"):
                message.pop(field, None)
            message = _kept_message(message, kept)
        bindings: dict[str, Any] = {}
        if transport == "kafka" and event.key:
            bindings["kafka"] = {
                "key": _key_schema(event),
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        if kept is not None and isinstance(kept.get("bindings"), dict):
            bindings = overlay(bindings, kept["bindings"])
        if bindings:
            message["bindings"] = bindings
        examples = [
            {"name": f"example-{index}", "payload": example}
            for index, example in enumerate(event.examples, 1)
        ]
        kept_examples = kept.get("examples") if kept is not None else None
        if isinstance(kept_examples, list) and [
            e["payload"] for e in kept_examples if isinstance(e, dict) and "payload" in e
        ] == list(event.examples):
            examples = kept_examples  # named, with headers, as the contract wrote them
        if examples:
            message["examples"] = examples
        extension = _event_extension(event)
        if "version" not in (self.model.raw.get("events") or {}).get(event.name, {}):
            del extension["version"]  # a default stays a default
        if event.name in self.saga_roles:
            extension["sagaRoles"] = self.saga_roles[event.name]
        message["x-grimoire"] = {**message.get("x-grimoire", {}), **extension}
        return _with_kept(message, event.asyncapi)

    def message_base(
        self, item: Event | Command, key: str, summary: str | None
    ) -> tuple[dict[str, Any], str | None]:
        """What event and command messages share, in order: names, summary, description,
        content type, headers, payload and correlation ID; and the channel's transport."""
        channel = self.model.channels.get(item.channel or "")
        transport = channel.transport if channel is not None else None
        message: dict[str, Any] = {"name": item.name, "title": item.name}
        if summary:
            message["summary"] = summary
        if item.description:
            message["description"] = item.description
        message["contentType"] = CONTENT_TYPES.get(item.schema_format, "application/json")
        headers_key, header_names = self.headers(transport)
        if headers_key:
            message["headers"] = {"$ref": f"#/components/schemas/{headers_key}"}
        payload, renamed = _payload(item, key)
        if payload is not None:
            message["payload"] = payload
        if renamed:
            # `import asyncapi` turns `definitions` back into the model's `$defs`.
            message["x-grimoire"] = {"schema_defs": DEFS_RENAMED}
        if "correlationid" in header_names:
            message["correlationId"] = {"$ref": f"#/components/correlationIds/{headers_key}"}
        return message, transport

    def headers(self, transport: str | None) -> tuple[str | None, dict[str, str]]:
        """The shared header schema's key for a transport, and attribute -> header name."""
        known = self.headers_by_transport.get(transport)
        if known is None:
            known = self.headers_by_transport[transport] = self._headers(transport)
        return known

    def _headers(self, transport: str | None) -> tuple[str | None, dict[str, str]]:
        attributes = self.model.envelope_attributes
        if not attributes:
            return None, {}
        cloudevents = self.model.envelope_profile == "cloudevents-1.0"
        if cloudevents:
            prefix = CLOUDEVENTS_HEADER_PREFIX.get(transport or "", DEFAULT_HEADER_PREFIX)
            key = f"cloudEventsHeaders{HEADER_SCHEMA_SUFFIX[prefix]}"
        else:
            prefix, key = "", "envelopeHeaders"
        own = self.model.envelope_headers  # the team's own header names, where it has them
        names = {attribute: own.get(attribute, f"{prefix}{attribute}") for attribute in attributes}
        if key in self.header_schemas:
            return key, names
        properties = {}
        for attribute in attributes:
            header: dict[str, Any] = {"type": "string"}
            description = CLOUDEVENTS_DESCRIPTIONS.get(attribute)
            if description and cloudevents:
                header["description"] = f"CloudEvents '{attribute}': {description}"
            if attribute == "time":
                header["format"] = "date-time"
            properties[names[attribute]] = header
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if cloudevents:
            required = [names[a] for a in CLOUDEVENTS_REQUIRED if a in names]
            if required:
                schema["required"] = required
        self.header_schemas[key] = schema
        if "correlationid" in names:
            self.correlation_ids[key] = {
                "description": "Ties together the messages of one business transaction.",
                "location": f"$message.header#/{names['correlationid']}",
            }
        return key, names


def _operation_kept(
    item: Event | Command, action: str, consumer: Consumer | None, extra: dict | None = None
) -> dict:
    """What an imported contract said about the operation of this party."""
    if extra is not None:
        return extra
    if consumer is not None:
        return consumer.asyncapi
    if action == "send" and isinstance(item, Event):
        kept = item.asyncapi.get("send")
        return kept if isinstance(kept, dict) else {}
    return {}


def _extra_operations(event: Event) -> list[dict]:
    """The kept operations of an imported contract the model cannot say (see the importer)."""
    listed = event.asyncapi.get("operations")
    return [
        entry
        for entry in (listed if isinstance(listed, list) else [])
        if isinstance(entry, dict)
        and entry.get("action") in ("send", "receive")
        and isinstance(entry.get("service"), str)
    ]


def overlay(generated: Any, kept: Any) -> Any:
    """`kept` written over `generated`, mappings merged key by key (kept wins)."""
    if isinstance(generated, dict) and isinstance(kept, dict):
        result = dict(generated)
        for key, value in kept.items():
            result[key] = overlay(result.get(key), value)
        return result
    return kept


def security_references(names: Any) -> list[dict]:
    """Kept security requirements (scheme names, or {name: scopes}) as 3.0 references."""
    references = []
    for item in names if isinstance(names, list) else []:
        for name in [item] if isinstance(item, str) else list(item):
            references.append({"$ref": f"#/components/securitySchemes/{name}"})
    return references


def _with_kept(item: dict, kept: dict) -> dict:
    """An element with the record of what it kept, for `import asyncapi` to read back."""
    if kept:
        extension = item.setdefault("x-grimoire", {})
        extension["asyncapi"] = kept
    return item


def _kept_message(message: dict, kept: dict) -> dict:
    """A generated message with an imported message's own fields, in the usual order."""
    result: dict[str, Any] = {}
    for key, value in message.items():
        if key == "payload":
            for field in ("headers",):
                if field in kept:
                    result[field] = kept[field]
        result[key] = value
    for field in ("title", "summary", "contentType"):
        if isinstance(kept.get(field), str):
            result[field] = kept[field]
    for field in ("correlationId", "tags", "externalDocs"):
        if field in kept:
            result[field] = kept[field]
    if "headers" in kept and "headers" not in result:
        result["headers"] = kept["headers"]
    return result


def _address_parameters(address: str) -> list[str]:
    names = []
    for name in ADDRESS_PARAMETER.findall(address):
        if PARAMETER_KEY.fullmatch(name) and name not in names:
            names.append(name)
    return names


def _address_with_valid_parameters(address: str) -> tuple[str, dict[str, str]]:
    """The address with every `{parameter}` renamed to a valid parameter key when needed.

    Returns the address and {new name: original name} for the renamed parameters.
    """
    originals = [
        name for name in ADDRESS_PARAMETER.findall(address) if not PARAMETER_KEY.fullmatch(name)
    ]
    if not originals:
        return address, {}
    keys = component_keys(originals)
    renamed = {}
    for original in originals:
        key = keys[original].replace(".", "_")
        renamed[key] = original
        address = address.replace("{" + original + "}", "{" + key + "}")
    return address, renamed


def _retention_ms(retention: str | None) -> int | None:
    if retention is None:
        return None
    if retention == "infinite":
        return -1
    match = DURATION.fullmatch(retention)
    if match is None:
        return None
    return int(match.group(1)) * DURATION_MS[match.group(2)]


def _keys_with_kept(keys: dict[str, str], kept: dict[str, Any]) -> dict[str, str]:
    """Component keys, each replaced by the key an imported contract gave it when that one is
    valid and unique."""
    result = dict(keys)
    taken = set(keys.values())
    for name, key in kept.items():
        if not isinstance(key, str) or key == result[name] or key in taken:
            continue
        if key == component_keys([key])[key]:
            taken.discard(result[name])
            taken.add(key)
            result[name] = key
    return result


def _deduplicated(keys: list[str]) -> list[str]:
    taken: set[str] = set()
    result = []
    for key in keys:
        candidate, counter = key, 2
        while candidate in taken:
            candidate = f"{key}-{counter}"
            counter += 1
        taken.add(candidate)
        result.append(candidate)
    return result


_REFERENCE_KEYWORDS = frozenset(("$ref", "$dynamicRef"))


def scan_json_schema(schema: Any) -> tuple[bool, bool]:
    """(has a local `$ref`, uses keywords that draft-07 and AsyncAPI's schema lack)."""
    local_ref = newer = False
    stack = [schema]
    while stack and not (local_ref and newer):
        node = stack.pop()
        if isinstance(node, dict):
            if not newer and not NEWER_JSON_SCHEMA_KEYWORDS.isdisjoint(node):
                newer = True
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    if key not in DATA_KEYWORDS:
                        stack.append(value)
                elif (
                    not local_ref
                    and key in _REFERENCE_KEYWORDS
                    and isinstance(value, str)
                    and value.startswith("#")
                ):
                    local_ref = True
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, (dict, list)))
    return local_ref, newer


def _payload(event: Event | Command, message_key: str) -> tuple[Any, bool]:
    """The message payload, and whether its `$defs` became `definitions`; shares the model's
    schema objects unless refs need rewriting."""
    schema = event.schema
    if schema is None:
        return None, False
    if event.schema_format == "avro":
        return {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": schema}, False
    if event.schema_format == "protobuf":
        # AsyncAPI 3.0 carries the .proto text itself; which message is the payload goes in
        # the message's x-grimoire (AsyncAPI has no field for it).
        return {"schemaFormat": PROTOBUF_SCHEMA_FORMAT, "schema": schema.text}, False
    if isinstance(schema, bool):
        # AsyncAPI wants an object: `true` accepts anything, `false` nothing.
        return ({} if schema else {"not": {}}), False
    local_ref, newer = scan_json_schema(schema)
    renamed = False
    if newer and keywords_used(schema, NEWER_JSON_SCHEMA_KEYWORDS | {DEFS_RENAMED}) == {"$defs"}:
        schema, newer, renamed = rename_keyword(schema, "$defs", DEFS_RENAMED), False, True
    base = f"#/components/messages/{message_key}/payload"
    if newer:
        base += "/schema"
    if local_ref:
        schema = rebase_local_refs(schema, base)
    if newer:
        return {"schemaFormat": JSON_SCHEMA_2020_FORMAT, "schema": schema}, False
    return schema, renamed


def keywords_used(schema: Any, candidates: frozenset | set, names: bool = False) -> set[str]:
    """Which of `candidates` the schema uses as keywords (not as property or `$defs` names)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if not names and key in DATA_KEYWORDS:
                continue
            if not names and key in candidates:
                found.add(key)
            found |= keywords_used(value, candidates, not names and key in NAME_MAPS)
    elif isinstance(schema, list):
        for item in schema:
            found |= keywords_used(item, candidates)
    return found


def rename_keyword(schema: Any, old: str, new: str, names: bool = False) -> Any:
    """A copy of a schema with keyword `old` named `new`, local references following it."""
    if isinstance(schema, dict):
        result = {}
        for key, value in schema.items():
            if names:
                result[key] = rename_keyword(value, old, new)
            elif key == "$ref" and isinstance(value, str) and value.startswith("#"):
                result[key] = "/".join(new if part == old else part for part in value.split("/"))
            elif key in DATA_KEYWORDS:
                result[key] = value
            else:
                result[new if key == old else key] = rename_keyword(
                    value, old, new, key in NAME_MAPS
                )
        return result
    if isinstance(schema, list):
        return [rename_keyword(item, old, new) for item in schema]
    return schema


# Keywords whose value maps names to schemas: a name there is never a keyword.
NAME_MAPS = frozenset(
    ("$defs", "definitions", "properties", "patternProperties", "dependentSchemas")
)


def rebase_local_refs(schema: Any, base: str, names: bool = False) -> Any:
    """A copy of a schema whose local `#/...` references point below `base` instead.

    `names` when `schema` maps names to schemas (a property named `default` is a schema)."""
    if isinstance(schema, dict):
        result = {}
        for key, value in schema.items():
            if names:
                result[key] = rebase_local_refs(value, base)
            elif (
                key in ("$ref", "$dynamicRef") and isinstance(value, str) and value.startswith("#")
            ):
                result[key] = base + value[1:] if value.startswith("#/") or value == "#" else value
            elif key in DATA_KEYWORDS:
                result[key] = value
            else:
                result[key] = rebase_local_refs(value, base, key in NAME_MAPS)
        return result
    if isinstance(schema, list):
        return [rebase_local_refs(item, base) for item in schema]
    return schema


def _key_schema(event: Event) -> dict:
    """The Kafka message key's schema: the partition key field's type, when the payload says."""
    key_type = json_type_at(event.schema, event.schema_format, event.key or "")
    schema: dict[str, Any] = {"type": key_type if key_type in KEY_TYPES else "string"}
    schema["description"] = f"The partition key: the payload's {event.key}."
    return schema


def _event_extension(event: Event) -> dict:
    """What the model says about an event that AsyncAPI has no field for (read by the importer)."""
    extension: dict[str, Any] = {"version": event.version, "producer": event.producer}
    if event.kind:
        extension["kind"] = event.kind
    if event.key:
        extension["key"] = event.key
    if event.ordering:
        extension["ordering"] = event.ordering
    if event.compatibility:
        extension["compatibility"] = event.compatibility
    if event.snapshot:
        extension["snapshot"] = True
    if event.supersedes:
        extension["supersedes"] = event.supersedes
    if event.deprecated:
        extension["deprecated"] = True
    if event.internal:
        extension["internal"] = True
    if event.erases:
        extension["erases"] = event.erases
    if event.pii:
        extension["pii"] = [{"field": p.field, "protection": p.protection} for p in event.pii]
    if event.schema_format == "protobuf" and event.schema.message:
        extension["message"] = event.schema.message
    return extension


def _first_line(text: str | None) -> str | None:
    """The first line of a description, or None when it is missing or blank."""
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else None
