"""Typed, read-only views of a loaded design model. Every element knows its JSON pointer."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..findings import Location
from ..pointer import pointer_of
from .source import SourceDocument

if TYPE_CHECKING:
    from ..saga.model import Saga

DEFAULT_COMPATIBILITY = "BACKWARD"
DEFAULT_MAX_PAYLOAD_FIELDS = 20
CLOUDEVENTS_ATTRIBUTES = (
    "id",
    "source",
    "specversion",
    "type",
    "time",
    "subject",
    "dataschema",
    "correlationid",
    "causationid",
)


# The system's policies besides its name, description and version (model keys of `system:`).
SYSTEM_SETTINGS = ("compatibility", "naming", "max_payload_fields")


@dataclass(frozen=True)
class System:
    name: str
    description: str = ""
    compatibility: str = DEFAULT_COMPATIBILITY
    naming: str = "auto"
    max_payload_fields: int = DEFAULT_MAX_PAYLOAD_FIELDS


@dataclass(frozen=True)
class EventStore:
    """Where an event-sourced service keeps its events, and how they leave the store."""

    store: str | None = None
    stream: str | None = None
    snapshots: str | None = None
    publish: str | None = None


@dataclass(frozen=True)
class Service:
    name: str
    pointer: str
    context: str | None = None
    description: str = ""
    state: str | None = None
    outbox: str | None = None
    idempotency: str | None = None
    idempotency_scope: str | None = None
    dead_letter: str | None = None
    event_store: EventStore | None = None
    stream_processor: str | None = None

    @property
    def event_sourced(self) -> bool:
        return self.state == "event-sourced" or self.event_store is not None


@dataclass(frozen=True)
class Envelope:
    """The metadata every message carries; `pointer` is where it is declared ("" by default)."""

    profile: str
    attributes: tuple[str, ...]
    mode: str = "binary"
    pointer: str = ""


@dataclass(frozen=True)
class Replication:
    factor: int | None = None
    min_in_sync: int | None = None
    cross_region: bool = False


@dataclass(frozen=True)
class Broker:
    name: str
    pointer: str
    transport: str
    host: str | None = None
    description: str = ""
    asyncapi: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    name: str
    pointer: str
    transport: str
    broker: str | None = None
    address: str = ""
    description: str = ""
    partitions: int | None = None
    retention: str | None = None
    ordering: str | None = None
    dead_letter: str | None = None
    cleanup: str | None = None
    delivery: str | None = None
    replication: Replication | None = None
    owner: str | None = None
    alert: str | None = None
    redrive: str | None = None
    envelope: Envelope | None = None
    topic_config: dict = field(default_factory=dict)
    asyncapi: dict = field(default_factory=dict)

    @property
    def compacted(self) -> bool:
        return self.cleanup in ("compact", "compact-delete")


@dataclass(frozen=True)
class Consumer:
    service: str
    pointer: str
    dead_letter: str | None = None
    idempotency: str | None = None
    read_model: str | None = None
    idempotency_scope: str | None = None
    group_id: str | None = None
    client_id: str | None = None
    asyncapi: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PiiField:
    field: str
    pointer: str
    protection: str = "none"
    subject: str | None = None


@dataclass(frozen=True)
class Event:
    """An event type. `schema` is the parsed payload schema (inline or loaded from its file)."""

    name: str
    pointer: str
    producer: str
    kind: str | None = None
    version: int = 1
    description: str = ""
    consumers: tuple[Consumer, ...] = ()
    channel: str | None = None
    key: str | None = None
    ordering: str | None = None
    schema: Any = None
    schema_format: str = "jsonschema"
    schema_file: Path | None = None
    compatibility: str | None = None
    pii: tuple[PiiField, ...] = ()
    snapshot: bool = False
    examples: tuple[Any, ...] = ()
    supersedes: str | None = None
    deprecated: bool = False
    internal: bool = False
    erases: str | None = None
    asyncapi: dict = field(default_factory=dict)

    @property
    def schema_pointer(self) -> str:
        return f"{self.pointer}/schema"


@dataclass(frozen=True)
class Command:
    name: str
    pointer: str
    handler: str
    issuers: tuple[str, ...] = ()
    description: str = ""
    channel: str | None = None
    schema: Any = None
    schema_format: str = "jsonschema"
    schema_file: Path | None = None
    synchronous: bool = False
    key: str | None = None
    pii: tuple[PiiField, ...] = ()
    examples: tuple[Any, ...] = ()

    @property
    def schema_pointer(self) -> str:
        return f"{self.pointer}/schema"


@dataclass(frozen=True)
class Suppression:
    """A finding accepted for one element, with the reason."""

    rule: str
    element: str
    reason: str
    pointer: str

    def covers(self, element: str) -> bool:
        """True for the element itself and its parts ('event X' covers 'event X field y')."""
        return element == self.element or element.startswith(self.element + " ")


@dataclass(frozen=True)
class ReadModel:
    name: str
    pointer: str
    owner: str
    sources: tuple[str, ...]
    description: str = ""
    store: str | None = None


@dataclass(frozen=True)
class RuleSettings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    suppress: tuple[Suppression, ...] = ()


@dataclass
class DesignModel:
    """A whole design: the typed elements plus the source they came from, for locations."""

    path: Path
    source: SourceDocument
    system: System
    contexts: dict[str, str]
    services: dict[str, Service]
    brokers: dict[str, Broker]
    channels: dict[str, Channel]
    envelope_profile: str
    envelope_attributes: tuple[str, ...]
    events: dict[str, Event]
    commands: dict[str, Command]
    read_models: dict[str, ReadModel]
    sagas: dict[str, dict]
    rule_settings: RuleSettings
    raw: dict
    schema_documents: dict[str, SourceDocument] = field(default_factory=dict)
    envelope_mode: str = "binary"
    invariants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # attribute -> the header that carries it, where the messages use their own names
    envelope_headers: dict[str, str] = field(default_factory=dict)
    asyncapi: dict = field(default_factory=dict)

    @cached_property
    def parsed_sagas(self) -> dict[str, Saga]:
        """The sagas as typed objects, parsed once, on first use: a command that never reads
        sagas does not import the saga model."""
        from ..saga.model import parse_saga

        return {name: parse_saga(name, spec or {}) for name, spec in self.sagas.items()}

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def locate(self, pointer: str) -> Location:
        """The model-file location of a JSON pointer (nearest located ancestor)."""
        return self.source.locate(pointer)

    def locate_in_schema(self, event_or_command: Event | Command, pointer: str) -> Location:
        """The location of a pointer inside a payload schema, in its own file when it has one."""
        if event_or_command.schema_format == "protobuf":
            return event_or_command.schema.locate(pointer)
        if event_or_command.schema_file is not None:
            document = self.schema_documents.get(str(event_or_command.schema_file))
            if document is not None:
                return document.locate(pointer)
        return self.source.locate(f"{event_or_command.pointer}/schema{pointer}")

    def compatibility_of(self, event: Event) -> str:
        return event.compatibility or self.system.compatibility

    @property
    def envelope(self) -> Envelope:
        """The system's envelope."""
        pointer = ""
        if isinstance(self.raw.get("envelope"), dict):
            pointer = "/envelope"
        return Envelope(
            self.envelope_profile, self.envelope_attributes, self.envelope_mode, pointer
        )

    def envelope_of(self, channel: Channel) -> Envelope:
        """The envelope messages on a channel carry: its own, or the system's."""
        return channel.envelope or self.envelope


def member_pointer(*parts: object) -> str:
    return pointer_of(parts)


def saga_message_roles(sagas: dict[str, Saga]) -> dict[str, list[str]]:
    """The cancel requests and timer events of sagas, as {message: ["SAGA: cancel"]}."""
    roles: dict[str, list[str]] = {}
    for name, saga in sagas.items():
        if saga.cancel is not None and saga.cancel.on:
            roles.setdefault(saga.cancel.on, []).append(f"{name}: cancel")
        for timer in saga.timers:
            if timer.event:
                roles.setdefault(timer.event, []).append(f"{name}: timer")
    return roles
