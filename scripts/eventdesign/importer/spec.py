"""Read an AsyncAPI 2.x or 3.0 document into one neutral shape, resolving local `$ref`s.

Who sends and who receives:
- 3.0: an operation's `action` says it: `send` means the application sends to the channel,
  `receive` means it receives from it.
- 2.x: the meaning is inverted from what the words suggest. The 2.6 specification defines
  `subscribe` as "the messages produced by the application and sent to the channel" and
  `publish` as "the messages consumed by the application from the channel" (the operation is
  what *other* applications may do). So `subscribe` = the application sends, `publish` = it
  receives; the importer reads them that way.

Which service an operation belongs to, first match wins: the operation's `x-service`; an
operation tag named `service:NAME`; the document's `x-service`; the document's `info.title`
(AsyncAPI describes one application per document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..pointer import list_index, unescape_token

MAX_REF_HOPS = 64
SERVICE_TAG_PREFIX = "service:"


@dataclass
class SpecServer:
    key: str
    name: str
    protocol: str
    host: str | None
    description: str
    extension: dict
    # Version-neutral AsyncAPI fields of the server: protocolVersion, security (scheme names,
    # or {name: scopes}), bindings, tags, variables; `scheme` for a 2.x url such as wss://...
    fields: dict = field(default_factory=dict)


@dataclass
class SpecMessage:
    """A message, identified by where it is defined (component key or channel entry).

    `raw` has its traits applied (references inside are not yet resolved)."""

    identity: str
    key: str
    raw: dict


@dataclass
class SpecChannel:
    key: str
    name: str
    address: str | None
    description: str
    servers: list[str]
    bindings: dict
    extension: dict
    messages: list[str] = field(default_factory=list)
    title: str = ""


@dataclass
class SpecOperation:
    service: str
    sends: bool
    channel: str
    messages: list[str]
    extension: dict
    # The operationId (2.x) or the operation's key (3.x); None for a 2.x operation without one.
    key: str | None = None
    # The operation with its traits applied (references inside not yet resolved).
    raw: dict = field(default_factory=dict)
    # Its security requirements as scheme names ({name: scopes} when scopes are given).
    security: list = field(default_factory=list)


@dataclass
class AsyncApiSpec:
    version: str
    title: str
    info_version: str
    description: str
    servers: list[SpecServer]
    channels: list[SpecChannel]
    messages: dict[str, SpecMessage]
    operations: list[SpecOperation]
    document: _Document
    notes: list[str] = field(default_factory=list)
    # The root `x-grimoire` of a document `export asyncapi` wrote: model sections as they are.
    extension: dict = field(default_factory=dict)
    # Version-neutral document fields the model has no place for: id, defaultContentType,
    # info (termsOfService, contact, license, tags, externalDocs), securitySchemes.
    fields: dict = field(default_factory=dict)
    # 2.x only: (operation key, verb) of operations whose own words say the opposite direction.
    contrary: list[tuple[str, str]] = field(default_factory=list)


class _Document:
    def __init__(self, data: dict, shown: str) -> None:
        self.data = data
        self.shown = shown

    def fail(self, message: str) -> InputError:
        return InputError(message, self.shown)

    def pointer(self, reference: str) -> Any:
        if not reference.startswith("#"):
            raise self.fail(
                f"'{reference}' is an external reference; bundle the document into one file "
                "first (for example with `asyncapi bundle`)"
            )
        node: Any = self.data
        if reference in ("#", "#/"):
            return node
        for token in reference[2:].split("/"):
            token = unescape_token(token)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif (
                isinstance(node, list)
                and (index := list_index(token)) is not None
                and index < len(node)
            ):
                node = node[index]
            else:
                raise self.fail(f"the reference '{reference}' points nowhere; fix the document")
        return node

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow `$ref`s; returns the target and the last reference followed (if any)."""
        last = None
        for _ in range(MAX_REF_HOPS):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                last = node["$ref"]
                node = self.pointer(last)
            else:
                return node, last
        raise self.fail(f"the reference '{last}' loops; fix the document")

    def inline(self, node: Any, active: tuple = ()) -> Any:
        """A copy of `node` with every local `$ref` replaced by what it points at.

        A reference back into itself (a recursive schema) stays a reference, rewritten to
        `#/$defs/NAME` with the target copied under the copy's `$defs` by `localize`."""
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#"):
                if reference in active:
                    raise _Recursive(reference)
                return self.inline(self.pointer(reference), (*active, reference))
            return {key: self.inline(value, active) for key, value in node.items()}
        if isinstance(node, list):
            return [self.inline(item, active) for item in node]
        return node


class _Recursive(Exception):
    """A `$ref` cycle met while inlining."""


def _scheme_3(scheme: Any) -> Any:
    """A security scheme in its 3.x form: OAuth 2 flows list `availableScopes`."""
    flows = scheme.get("flows") if isinstance(scheme, dict) else None
    if not isinstance(flows, dict):
        return scheme
    return {
        **scheme,
        "flows": {
            name: {("availableScopes" if k == "scopes" else k): v for k, v in flow.items()}
            if isinstance(flow, dict)
            else flow
            for name, flow in flows.items()
        },
    }


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7396): how AsyncAPI applies traits. Values only one side has are
    shared, not copied, so references into them still find them in the document."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif key in result:
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = value
    return result


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {list: "a list", str: "text", dict: "a mapping"}.get(type(value), "something else")


def _reference_of(node: Any) -> Any:
    """The `$ref` of a reference object, or None when `node` is none."""
    return node.get("$ref") if isinstance(node, dict) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _extension(node: Any) -> dict:
    value = node.get("x-grimoire") if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def _ref_key(reference: Any, prefix: str) -> str | None:
    if (
        isinstance(reference, str)
        and reference.startswith(prefix)
        and "/" not in reference[len(prefix) :]
    ):
        return unescape_token(reference[len(prefix) :])
    return None


def read_asyncapi(data: object, shown: str, invert_2x: bool = False) -> AsyncApiSpec:
    """The neutral description of a parsed AsyncAPI document; InputError when unusable.

    `invert_2x` reads 2.x `publish` as the application sending (for documents written with
    the common opposite reading)."""
    if not isinstance(data, dict) or not isinstance(data.get("asyncapi"), str):
        raise InputError("not an AsyncAPI document: no top-level 'asyncapi' version", shown)
    version = data["asyncapi"]
    document = _Document(data, shown)
    if version.startswith("2."):
        return _Reader2(document, invert_2x).read()
    if version.startswith("3."):
        return _Reader3(document).read()
    raise InputError(f"AsyncAPI {version} is not supported; give a 2.x or 3.0 document", shown)


class _Reader:
    def __init__(self, document: _Document) -> None:
        self.document = document
        self.data = document.data
        info = self.data.get("info") if isinstance(self.data.get("info"), dict) else {}
        self.info = info
        self.messages: dict[str, SpecMessage] = {}
        self.notes: list[str] = []
        self.inline_schemes: dict[str, Any] = {}
        self.contrary: list[tuple[str, str]] = []

    def mapping(self, node: Any, where: str) -> dict:
        """A section that must be a mapping (after `$ref`s); absent is empty."""
        value, _ = self.document.resolve(node)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.document.fail(
                f"'{where}' must be a mapping of names to entries, not {_kind(value)}; "
                "fix the document"
            )
        return value

    def sequence(self, node: Any, where: str) -> list:
        """A section that must be a list; absent is empty."""
        if node is None:
            return []
        if not isinstance(node, list):
            raise self.document.fail(
                f"'{where}' must be a list, not {_kind(node)}; fix the document"
            )
        return node

    def default_service(self) -> str:
        if isinstance(self.data.get("x-service"), str):
            return self.data["x-service"]
        return _text(self.info.get("title")) or "application"

    def service_of(self, operation: dict) -> str:
        if isinstance(operation.get("x-service"), str) and operation["x-service"]:
            return operation["x-service"]
        for tag in self.sequence(operation.get("tags"), "tags"):
            tag, _ = self.document.resolve(tag)
            name = tag.get("name") if isinstance(tag, dict) else None
            if isinstance(name, str) and name.startswith(SERVICE_TAG_PREFIX):
                return name[len(SERVICE_TAG_PREFIX) :].strip()
        service = self.default_service()
        if not isinstance(self.data.get("x-service"), str):
            note = (
                f"operations without `x-service` or a `service:NAME` tag: assigned to service "
                f"'{service}' (the document's title); rename it in the model"
            )
            if note not in self.notes:
                self.notes.append(note)
        return service

    def message(self, node: Any, fallback: str, fallback_key: str | None = None) -> str:
        """Register a message (possibly a $ref) and return its identity."""
        raw, reference = self.document.resolve(node)
        if not isinstance(raw, dict):
            raise self.document.fail(f"the message at {fallback} is not an object")
        key = _ref_key(reference, "#/components/messages/")
        if key is not None:
            identity = f"components/{key}"
        elif isinstance(raw.get("messageId"), str):
            identity, key = f"messageId/{raw['messageId']}", raw["messageId"]
        else:
            identity, key = fallback, fallback_key or fallback.rsplit("/", 1)[-1]
        if identity not in self.messages:
            self.messages[identity] = SpecMessage(identity, key, self.with_traits(raw))
        return identity

    def with_traits(self, node: dict) -> dict:
        """A message or operation with its traits applied, as the specification says: 2.x
        merges each trait over the object; 3.x lets the object's own fields win."""
        traits = node.get("traits")
        if not isinstance(traits, list) or not traits:
            return node
        own = {key: value for key, value in node.items() if key != "traits"}
        merged: dict = {} if self.data["asyncapi"].startswith("3.") else own
        for trait in traits:
            trait, _ = self.document.resolve(trait)
            if isinstance(trait, dict):
                merged = merge_patch(merged, self._resolved_top(trait))
        if self.data["asyncapi"].startswith("3."):
            merged = merge_patch(merged, own)
        return merged

    def _resolved_top(self, node: dict) -> dict:
        # Traits are merged key by key: a trait's `headers: {$ref}` must merge as the schema.
        return {key: self.document.resolve(value)[0] for key, value in node.items()}

    def document_fields(self) -> dict:
        """The document's own fields the model has no place for, version-neutral."""
        fields: dict[str, Any] = {}
        for key in ("id", "defaultContentType"):
            if isinstance(self.data.get(key), str):
                fields[key] = self.data[key]
        info = {
            key: self.document.inline(self.info[key])
            for key in ("termsOfService", "contact", "license", "tags", "externalDocs")
            if key in self.info
        }
        for key in ("tags", "externalDocs"):  # 2.x keeps them at the root
            if key in self.data and key not in info:
                info[key] = self.document.inline(self.data[key])
        if info:
            fields["info"] = info
        components = self.data.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        if isinstance(schemes, dict) and schemes:
            fields["securitySchemes"] = {
                name: _scheme_3(self.document.inline(scheme)) for name, scheme in schemes.items()
            }
        return fields

    def security_names(self, requirements: Any, owner: str) -> list:
        """Security requirements as scheme names ({name: scopes} when scopes are given)."""
        names: list = []
        for index, requirement in enumerate(requirements if isinstance(requirements, list) else []):
            target, reference = self.document.resolve(requirement)
            scheme = _ref_key(reference, "#/components/securitySchemes/")
            if scheme is not None:
                names.append(scheme)
            elif isinstance(target, dict) and isinstance(target.get("type"), str):
                # 3.x allows a scheme written in place: keep it under a name of its own.
                name = f"{owner}-{index + 1}"
                self.inline_schemes[name] = self.document.inline(target)
                names.append(name)
            elif isinstance(target, dict):
                for name, scopes in target.items():
                    names.append({name: scopes} if scopes else name)
        return names

    def spec(
        self, servers: list[SpecServer], channels: list[SpecChannel], operations: list
    ) -> AsyncApiSpec:
        fields = self.document_fields()
        if self.inline_schemes:
            fields.setdefault("securitySchemes", {}).update(self.inline_schemes)
        return AsyncApiSpec(
            version=self.data["asyncapi"],
            title=_text(self.info.get("title")) or "Imported system",
            info_version=str(self.info.get("version", "")),
            description=_text(self.info.get("description")),
            servers=servers,
            channels=channels,
            messages=self.messages,
            operations=operations,
            document=self.document,
            notes=self.notes,
            extension=_extension(self.data),
            fields=fields,
            contrary=self.contrary,
        )

    def server_fields(self, key: str, server: dict) -> dict:
        fields: dict[str, Any] = {}
        if isinstance(server.get("protocolVersion"), str):
            fields["protocolVersion"] = server["protocolVersion"]
        security = self.security_names(server.get("security"), key)
        if security:
            fields["security"] = security
        for name in ("bindings", "tags", "variables", "externalDocs"):
            if name in server:
                fields[name] = self.document.inline(server[name])
        return fields


class _Reader3(_Reader):
    def channel_messages(self, operation: str, channel_key: str, references: Any) -> list[str]:
        """The identities of the messages an operation (or its reply) lists on its channel."""
        messages = []
        for ref in self.sequence(references, f"operations/{operation}/messages"):
            reference = ref.get("$ref", "") if isinstance(ref, dict) else ""
            message_key = _ref_key(reference, f"#/channels/{channel_key}/messages/")
            if message_key is None:
                raise self.document.fail(
                    f"operation '{operation}' lists a message that is not one of its channel's"
                )
            channel, _ = self.document.resolve(self.data["channels"][channel_key])
            listed = self.mapping(
                channel.get("messages") if isinstance(channel, dict) else None,
                f"channels/{channel_key}/messages",
            )
            if message_key not in listed:
                raise self.document.fail(
                    f"operation '{operation}' lists message '{message_key}', which its channel "
                    "does not define; fix the document"
                )
            messages.append(
                self.message(listed[message_key], f"channels/{channel_key}/{message_key}")
            )
        return messages

    def read(self) -> AsyncApiSpec:
        servers = []
        for key, node in self.mapping(self.data.get("servers"), "servers").items():
            server, _ = self.document.resolve(node)
            if not isinstance(server, dict):
                continue
            extension = _extension(server)
            servers.append(
                SpecServer(
                    key=key,
                    name=_text(server.get("title")) if extension and server.get("title") else key,
                    protocol=_text(server.get("protocol")),
                    host=_text(server.get("host")) + _text(server.get("pathname")) or None,
                    description=_text(server.get("description")),
                    extension=extension,
                    fields=self.server_fields(key, server),
                )
            )
        channels = []
        for key, node in self.mapping(self.data.get("channels"), "channels").items():
            channel, _ = self.document.resolve(node)
            if not isinstance(channel, dict):
                continue
            extension = _extension(channel)
            item = SpecChannel(
                key=key,
                name=_text(extension.get("name"))
                or (_text(channel.get("title")) if extension and channel.get("title") else key),
                address=channel.get("address") if isinstance(channel.get("address"), str) else None,
                description=_text(channel.get("description")),
                servers=[
                    server_key
                    for ref in self.sequence(channel.get("servers"), f"channels/{key}/servers")
                    if isinstance(ref, dict)
                    and (server_key := _ref_key(ref.get("$ref"), "#/servers/")) is not None
                ],
                bindings=self.mapping(channel.get("bindings"), "bindings"),
                extension=extension,
                title=_text(channel.get("title")),
            )
            channel_messages = self.mapping(channel.get("messages"), f"channels/{key}/messages")
            for message_key, message in channel_messages.items():
                item.messages.append(self.message(message, f"channels/{key}/{message_key}"))
            channels.append(item)
        by_key = {channel.key: channel for channel in channels}
        operations = []
        for key, node in self.mapping(self.data.get("operations"), "operations").items():
            operation, _ = self.document.resolve(node)
            if not isinstance(operation, dict):
                continue
            channel_ref = operation.get("channel")
            channel_key = _ref_key(
                channel_ref.get("$ref") if isinstance(channel_ref, dict) else None, "#/channels/"
            )
            if channel_key not in by_key:
                raise self.document.fail(f"operation '{key}' names no channel of the document")
            messages = self.channel_messages(key, channel_key, operation.get("messages"))
            sends = operation.get("action") == "send"
            service = self.service_of(operation)
            operations.append(
                SpecOperation(
                    service=service,
                    sends=sends,
                    channel=channel_key,
                    messages=messages or list(by_key[channel_key].messages),
                    extension=_extension(operation),
                    key=key,
                    raw=self.with_traits(operation),
                    security=self.security_names(operation.get("security"), key),
                )
            )
            # A reply goes the other way: a service that receives a request sends the reply.
            reply, _ = self.document.resolve(operation.get("reply"))
            reply_channel = _ref_key(
                _reference_of(reply.get("channel")) if isinstance(reply, dict) else None,
                "#/channels/",
            )
            if reply_channel in by_key:
                replies = self.channel_messages(key, reply_channel, reply.get("messages"))
                operations.append(
                    SpecOperation(
                        service=service,
                        sends=not sends,
                        channel=reply_channel,
                        messages=replies or list(by_key[reply_channel].messages),
                        extension={},
                    )
                )
        return self.spec(servers, channels, operations)


# First words of an operation's id or summary that say "this application sends" or "this
# application receives", for the 2.x direction check.
SENDING_WORDS = frozenset(("send", "publish", "produce", "emit", "notify", "post", "push", "write"))
RECEIVING_WORDS = frozenset(
    ("receive", "consume", "subscribe", "on", "handle", "listen", "process", "read")
)
FIRST_WORD = re.compile(r"[A-Za-z][a-z]*")


def _reads_as(operation: dict, operation_id: str | None) -> bool | None:
    """True when the operation's id (else summary) reads as the application sending, False
    as receiving, None when it says neither."""
    for text in (operation_id, operation.get("summary")):
        match = FIRST_WORD.match(text.strip()) if isinstance(text, str) else None
        word = match.group().lower() if match else ""
        if word in SENDING_WORDS:
            return True
        if word in RECEIVING_WORDS:
            return False
    return None


def _unnamed_message_key(
    operation_id: str | None, address: str, verb: str, index: int, count: int
) -> str:
    """What a 2.x message with no name, messageId or component key is known by: its
    operation's id (numbered when the operation lists several), else channel and verb."""
    base = operation_id or f"{address} {verb}"
    return base if count == 1 else f"{base} {index + 1}"


class _Reader2(_Reader):
    def __init__(self, document: _Document, invert: bool = False) -> None:
        super().__init__(document)
        self.invert = invert

    def listed_operations(self, listed: list, sends: bool, channel: str) -> list[SpecOperation]:
        """The operations our 2.x export merged into one (`x-grimoire.operations`)."""
        operations = []
        for entry in listed:
            if not isinstance(entry, dict):
                continue
            messages = [
                self.message({"$ref": f"#/components/messages/{key}"}, f"components/{key}")
                for key in entry.get("messages") or []
                if isinstance(key, str)
            ]
            operations.append(
                SpecOperation(
                    service=self.service_of(entry),
                    sends=sends,
                    channel=channel,
                    messages=messages,
                    extension=_extension(entry),
                    key=entry.get("key") if isinstance(entry.get("key"), str) else None,
                    raw=entry,
                )
            )
        return operations

    def read(self) -> AsyncApiSpec:
        servers = []
        for key, node in self.mapping(self.data.get("servers"), "servers").items():
            server, _ = self.document.resolve(node)
            if not isinstance(server, dict):
                continue
            url = _text(server.get("url"))
            host = url.split("://", 1)[-1] if url else None
            fields = self.server_fields(key, server)
            if "://" in url:
                fields["scheme"] = url.split("://", 1)[0]
            extension = _extension(server)
            servers.append(
                SpecServer(
                    key=key,
                    name=_text(extension.get("name")) or key,
                    protocol=_text(server.get("protocol")),
                    host=host or None,
                    description=_text(server.get("description")),
                    extension=_extension(server),
                    fields=fields,
                )
            )
        channels = []
        operations = []
        for address, node in self.mapping(self.data.get("channels"), "channels").items():
            channel, _ = self.document.resolve(node)
            if not isinstance(channel, dict):
                continue
            extension = _extension(channel)
            name = _text(extension.get("name")) or address
            if extension.get("implicit"):
                address = None  # our 2.x export keys a channel without address by its name
            item = SpecChannel(
                key=name if address is None else address,
                name=name,
                address=address,
                description=_text(channel.get("description")),
                servers=[
                    s
                    for s in self.sequence(channel.get("servers"), f"channels/{address}/servers")
                    if isinstance(s, str)
                ],
                bindings=self.mapping(channel.get("bindings"), "bindings"),
                extension=_extension(channel),
            )
            # 2.x: `subscribe` = the application sends; `publish` = the application receives.
            for verb, sends in (("subscribe", True), ("publish", False)):
                operation, _ = self.document.resolve(channel.get(verb))
                if not isinstance(operation, dict):
                    continue
                operation = self.with_traits(operation)
                operation_id = operation.get("operationId")
                operation_id = operation_id if isinstance(operation_id, str) else None
                if self.invert:
                    sends = not sends
                elif _reads_as(operation, operation_id) == (not sends):
                    self.contrary.append((operation_id or f"{address} {verb}", verb))
                message_node = operation.get("message")
                resolved, _ = self.document.resolve(message_node)
                if isinstance(resolved, dict) and isinstance(resolved.get("oneOf"), list):
                    nodes = resolved["oneOf"]
                elif message_node is not None:
                    nodes = [message_node]
                else:
                    nodes = []
                identities = [
                    self.message(
                        n,
                        f"channels/{address}/{verb}/{i}",
                        _unnamed_message_key(operation_id, address, verb, i, len(nodes)),
                    )
                    for i, n in enumerate(nodes)
                ]
                for identity in identities:
                    if identity not in item.messages:
                        item.messages.append(identity)
                listed = _extension(operation).get("operations")
                if isinstance(listed, list):
                    operations.extend(self.listed_operations(listed, sends, item.key))
                    continue
                operations.append(
                    SpecOperation(
                        service=self.service_of(operation),
                        sends=sends,
                        channel=item.key,
                        messages=identities,
                        extension=_extension(operation),
                        key=operation_id,
                        raw=operation,
                        security=self.security_names(
                            operation.get("security"), operation_id or f"{address} {verb}"
                        ),
                    )
                )
            channels.append(item)
        return self.spec(servers, channels, operations)
