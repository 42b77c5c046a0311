"""Load a design model: parse YAML with positions, validate against the format's JSON Schema,
resolve payload schema files, and build typed elements.

Schema files resolve relative to the model file and must stay inside the model's folder tree
unless `allow_outside` is set. Nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import Location
from ..pointer import pointer_of, unescape_token
from .format_schema import model_fast_check, model_schema
from .source import (
    SourceDocument,
    load_document,
    parse_yaml,
    read_text,
)
from .types import (
    CLOUDEVENTS_ATTRIBUTES,
    Broker,
    Channel,
    Command,
    Consumer,
    DesignModel,
    Envelope,
    Event,
    EventStore,
    PiiField,
    ReadModel,
    Replication,
    RuleSettings,
    Service,
    Suppression,
    System,
    member_pointer,
)

FORMAT_VERSION = "grimoire/1"
MAX_SCHEMA_FILE_BYTES = 2 * 1024 * 1024
AVRO_EXTENSIONS = (".avsc",)
PROTOBUF_EXTENSIONS = (".proto",)
SCHEMA_EXTENSIONS = (".json", ".yaml", ".yml", ".avsc", ".proto")


class ModelInvalid(InputError):
    """The model does not match its format; `problems` lists every (location, message)."""

    def __init__(self, shown: str, problems: list[tuple[Location, str]]) -> None:
        count = len(problems)
        super().__init__(
            f"the design model does not match the {FORMAT_VERSION} format "
            f"({count} problem{'s' if count != 1 else ''}); fix each line below",
            shown,
            details=[f"{location}: {message}" for location, message in problems],
        )
        self.problems = problems


ANNOTATION_KEYWORDS = frozenset(("description", "title", "$comment", "default", "examples"))


def inline_local_refs(schema: dict) -> dict:
    """The schema with every non-recursive `#/...` $ref replaced by its target.

    Same meaning, but jsonschema no longer resolves a reference at each of the thousands of
    places a large model reaches one (a third of the time to validate a 1,000-event model).
    A $ref with other assertions beside it becomes an allOf; recursive ones stay as they are.
    """

    def target_of(reference: str) -> Any:
        node: Any = schema
        for token in reference[2:].split("/"):
            node = node[unescape_token(token)]
        return node

    def inline(node: Any, active: tuple) -> Any:
        if isinstance(node, list):
            return [inline(item, active) for item in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/") and reference not in active:
            target = inline(target_of(reference), (*active, reference))
            rest = {k: inline(v, active) for k, v in node.items() if k != "$ref"}
            if not isinstance(target, dict) or set(rest) - ANNOTATION_KEYWORDS:
                return {**rest, "allOf": [*rest.get("allOf", []), target]}
            return {**target, **{k: v for k, v in rest.items() if k not in target}}
        return {k: (v if k == "$defs" else inline(v, active)) for k, v in node.items()}

    return inline(schema, ())


@lru_cache(maxsize=1)
def _model_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(inline_local_refs(model_schema()))


def _describe_error(error: Any) -> str:
    from jsonschema.exceptions import best_match

    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = best_match(error.context)
        return deepest.message if deepest is not None else error.message
    return error.message


def validate_model_data(document: SourceDocument) -> list[tuple[Location, str]]:
    """Every place the parsed model breaks the format's schema, in file order."""
    fast_check = model_fast_check()
    if fast_check is not None and fast_check(document.data):
        return []  # valid; jsonschema is needed only to say what is wrong
    problems = []
    for error in _model_validator().iter_errors(document.data):
        pointer = pointer_of(tuple(error.absolute_path))
        problems.append((document.locate(pointer), _describe_error(error)))
    problems.sort(key=lambda item: (item[0].line or 0, item[0].column or 0, item[1]))
    return problems


def resolve_inside(base_dir: Path, reference: str, allow_outside: bool) -> Path:
    """The file a relative reference names; refuses URLs and, unless allowed, escapes."""
    if "://" in reference or reference.startswith("//"):
        raise ValueError(f"'{reference}' is a URL; grimoire never fetches schemas: save it locally")
    candidate = Path(reference)
    if candidate.is_absolute() and not allow_outside:
        raise ValueError(
            f"'{reference}' is an absolute path; use a path relative to the model file"
            " (or pass --allow-outside)"
        )
    resolved = (base_dir / candidate).resolve()
    if not allow_outside:
        try:
            resolved.relative_to(base_dir.resolve())
        except ValueError:
            raise ValueError(
                f"'{reference}' points outside the model's folder; move the schema beside the"
                " model (or pass --allow-outside)"
            ) from None
    return resolved


class _Builder:
    def __init__(self, path: Path, shown: str, document: SourceDocument, allow_outside: bool):
        self.path = path
        self.shown = shown
        self.document = document
        self.allow_outside = allow_outside
        self.schema_documents: dict[str, SourceDocument] = {}

    def fail(self, pointer: str, message: str) -> InputError:
        location = self.document.locate(pointer)
        return InputError(message, location.file, location.line, location.column)

    def payload_schema(self, spec: dict, pointer: str) -> tuple[Any, str, Path | None]:
        reference = spec.get("schema")
        declared = spec.get("schema_format")
        if not isinstance(reference, str):
            return reference, declared or "jsonschema", None
        if declared == "protobuf" and "\n" in reference:  # inline .proto text
            from ..protobuf.payload import ProtoPayload

            at = self.document.locate(f"{pointer}/schema")
            payload = ProtoPayload(
                reference, f"{pointer}/schema", None, spec.get("message"), inline_at=at
            )
            return payload, "protobuf", None
        try:
            file = resolve_inside(self.path.parent, reference, self.allow_outside)
        except ValueError as exc:
            raise self.fail(f"{pointer}/schema", str(exc)) from None
        suffix = file.suffix.lower()
        if suffix not in SCHEMA_EXTENSIONS:
            raise self.fail(
                f"{pointer}/schema",
                f"schema file '{reference}' must end in .json, .yaml, .yml, .avsc or .proto",
            )
        if not file.exists():  # anything else there (a FIFO, a folder) read_text names
            raise self.fail(f"{pointer}/schema", f"schema file '{reference}' not found")
        shown = str(Path(self.shown).parent / reference)
        if suffix in PROTOBUF_EXTENSIONS or declared == "protobuf":
            from ..protobuf.payload import ProtoPayload

            text = read_text(file, shown, MAX_SCHEMA_FILE_BYTES)
            message = spec.get("message")
            return ProtoPayload(text, shown, file.parent, message, file.name), "protobuf", file
        fmt = declared or ("avro" if suffix in AVRO_EXTENSIONS else "jsonschema")
        text = read_text(file, shown, MAX_SCHEMA_FILE_BYTES)
        document = parse_yaml(text, shown)
        self.schema_documents[str(file)] = document
        return document.data, fmt, file

    def build(self) -> DesignModel:
        data = self.document.data
        system_data = data["system"]
        system = System(
            name=system_data["name"],
            description=system_data.get("description", ""),
            compatibility=system_data.get("compatibility", "BACKWARD"),
            naming=system_data.get("naming", "auto"),
            max_payload_fields=system_data.get("max_payload_fields", 20),
        )
        services = {
            name: Service(
                name=name,
                pointer=member_pointer("services", name),
                context=spec.get("context"),
                description=spec.get("description", ""),
                state=spec.get("state"),
                outbox=spec.get("outbox"),
                idempotency=spec.get("idempotency"),
                idempotency_scope=spec.get("idempotency_scope"),
                dead_letter=spec.get("dead_letter"),
                event_store=EventStore(**spec["event_store"]) if "event_store" in spec else None,
                stream_processor=spec.get("stream_processor"),
            )
            for name, spec in (data.get("services") or {}).items()
        }
        brokers = {
            name: Broker(
                name=name,
                pointer=member_pointer("brokers", name),
                transport=spec["transport"],
                host=spec.get("host"),
                description=spec.get("description", ""),
                asyncapi=spec.get("asyncapi", {}),
            )
            for name, spec in (data.get("brokers") or {}).items()
        }
        envelope = data.get("envelope") or {}
        profile = envelope.get("profile", "cloudevents-1.0")
        attributes = tuple(envelope.get("attributes", CLOUDEVENTS_ATTRIBUTES))
        mode = envelope.get("mode", "binary")
        channels = {}
        for name, spec in (data.get("channels") or {}).items():
            pointer = member_pointer("channels", name)
            own = spec.get("envelope")
            channels[name] = Channel(
                name=name,
                pointer=pointer,
                transport=spec["transport"],
                broker=spec.get("broker"),
                address=spec.get("address", name),
                description=spec.get("description", ""),
                partitions=spec.get("partitions"),
                retention=spec.get("retention"),
                ordering=spec.get("ordering"),
                dead_letter=spec.get("dead_letter"),
                cleanup=spec.get("cleanup"),
                delivery=spec.get("delivery"),
                replication=Replication(**spec["replication"]) if "replication" in spec else None,
                owner=spec.get("owner"),
                alert=spec.get("alert"),
                redrive=spec.get("redrive"),
                envelope=None
                if own is None
                else Envelope(
                    own.get("profile", profile),
                    tuple(own.get("attributes", attributes)),
                    own.get("mode", mode),
                    f"{pointer}/envelope",
                ),
                topic_config=spec.get("topic_config", {}),
                asyncapi=spec.get("asyncapi", {}),
            )
        events = {name: self.event(name, spec) for name, spec in (data.get("events") or {}).items()}
        commands = {}
        for name, spec in (data.get("commands") or {}).items():
            pointer = member_pointer("commands", name)
            schema, fmt, file = self.payload_schema(spec, pointer)
            commands[name] = Command(
                name=name,
                pointer=pointer,
                handler=spec["handler"],
                issuers=tuple(spec.get("issuers", ())),
                description=spec.get("description", ""),
                channel=spec.get("channel"),
                schema=schema,
                schema_format=fmt,
                schema_file=file,
                synchronous=bool(spec.get("synchronous", False)),
                key=spec.get("key"),
                pii=self.pii_fields(spec, pointer),
                examples=tuple(spec.get("examples", ())),
            )
        read_models = {
            name: ReadModel(
                name=name,
                pointer=member_pointer("read_models", name),
                owner=spec["owner"],
                sources=tuple(spec["sources"]),
                description=spec.get("description", ""),
                store=spec.get("store"),
            )
            for name, spec in (data.get("read_models") or {}).items()
        }
        rules = data.get("rules") or {}
        contexts = {name: spec or {} for name, spec in (data.get("contexts") or {}).items()}
        return DesignModel(
            path=self.path,
            source=self.document,
            system=system,
            contexts={name: spec.get("description", "") for name, spec in contexts.items()},
            services=services,
            brokers=brokers,
            channels=channels,
            envelope_profile=profile,
            envelope_attributes=attributes,
            events=events,
            commands=commands,
            read_models=read_models,
            sagas=dict(data.get("sagas") or {}),
            rule_settings=RuleSettings(
                select=tuple(rules.get("select", ())),
                ignore=tuple(rules.get("ignore", ())),
                severity=dict(rules.get("severity", {})),
                suppress=tuple(
                    Suppression(
                        entry["rule"], entry["element"], entry["reason"], f"/rules/suppress/{index}"
                    )
                    for index, entry in enumerate(rules.get("suppress", ()))
                ),
            ),
            raw=data,
            schema_documents=self.schema_documents,
            envelope_mode=mode,
            invariants={
                name: tuple(spec["invariants"])
                for name, spec in contexts.items()
                if spec.get("invariants")
            },
            envelope_headers=dict(envelope.get("headers", {})),
            asyncapi=data.get("asyncapi", {}),
        )

    def event(self, name: str, spec: dict) -> Event:
        pointer = member_pointer("events", name)
        schema, fmt, file = self.payload_schema(spec, pointer)
        consumers = [
            Consumer(
                service=entry["service"],
                pointer=entry_pointer,
                dead_letter=entry.get("dead_letter"),
                idempotency=entry.get("idempotency"),
                read_model=entry.get("read_model"),
                idempotency_scope=entry.get("idempotency_scope"),
                group_id=entry.get("group_id"),
                client_id=entry.get("client_id"),
                asyncapi=entry.get("asyncapi", {}),
            )
            for entry, entry_pointer in _listed(spec, "consumers", pointer, "service")
        ]
        return Event(
            name=name,
            pointer=pointer,
            producer=spec["producer"],
            kind=spec.get("kind"),
            version=spec.get("version", 1),
            description=spec.get("description", ""),
            consumers=tuple(consumers),
            channel=spec.get("channel"),
            key=spec.get("key"),
            ordering=spec.get("ordering"),
            schema=schema,
            schema_format=fmt,
            schema_file=file,
            compatibility=spec.get("compatibility"),
            pii=self.pii_fields(spec, pointer),
            snapshot=bool(spec.get("snapshot", False)),
            examples=tuple(spec.get("examples", ())),
            supersedes=spec.get("supersedes"),
            deprecated=bool(spec.get("deprecated", False)),
            internal=bool(spec.get("internal", False)),
            erases=spec.get("erases"),
            asyncapi=spec.get("asyncapi", {}),
        )

    @staticmethod
    def pii_fields(spec: dict, pointer: str) -> tuple[PiiField, ...]:
        return tuple(
            PiiField(
                field=entry["field"],
                pointer=entry_pointer,
                protection=entry.get("protection", "none"),
                subject=entry.get("subject"),
            )
            for entry, entry_pointer in _listed(spec, "pii", pointer, "field")
        )


def _listed(spec: dict, key: str, pointer: str, short_key: str) -> Iterator[tuple[dict, str]]:
    """Each entry of a list whose items are a name or an object, as an object, with its
    pointer: `- billing` reads as `- {service: billing}` when `short_key` is 'service'."""
    for index, entry in enumerate(spec.get(key, ())):
        yield (entry if isinstance(entry, dict) else {short_key: entry}), f"{pointer}/{key}/{index}"


def load_model(path: str | Path, *, allow_outside: bool = False) -> DesignModel:
    """Load, validate and type a design model file; raises InputError (or ModelInvalid)."""
    shown = str(path)
    model_path = Path(path)
    document = load_document(model_path, shown)
    if not isinstance(document.data, dict):
        raise InputError(
            "a design model is a YAML mapping with 'format: grimoire/1' at the top", shown, 1, 1
        )
    problems = validate_model_data(document)
    if problems:
        raise ModelInvalid(shown, problems)
    return _Builder(model_path.resolve(), shown, document, allow_outside).build()
