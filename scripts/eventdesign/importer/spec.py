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

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model.source import list_index, unescape_pointer_token

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


@dataclass
class SpecMessage:
    """A message, identified by where it is defined (component key or channel entry)."""

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


@dataclass
class SpecOperation:
    service: str
    sends: bool
    channel: str
    messages: list[str]
    extension: dict


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
            token = unescape_pointer_token(token)
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


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {list: "a list", str: "text", dict: "a mapping"}.get(type(value), "something else")


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
        return unescape_pointer_token(reference[len(prefix) :])
    return None


def read_asyncapi(data: object, shown: str) -> AsyncApiSpec:
    """The neutral description of a parsed AsyncAPI document; InputError when unusable."""
    if not isinstance(data, dict) or not isinstance(data.get("asyncapi"), str):
        raise InputError("not an AsyncAPI document: no top-level 'asyncapi' version", shown)
    version = data["asyncapi"]
    document = _Document(data, shown)
    if version.startswith("2."):
        return _Reader2(document).read()
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

    def message(self, node: Any, fallback: str) -> str:
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
            identity, key = fallback, fallback.rsplit("/", 1)[-1]
        self.messages.setdefault(identity, SpecMessage(identity, key, raw))
        return identity

    def spec(
        self, servers: list[SpecServer], channels: list[SpecChannel], operations: list
    ) -> AsyncApiSpec:
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
        )


class _Reader3(_Reader):
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
                )
            )
        channels = []
        resolved_channels: dict[str, dict] = {}
        for key, node in self.mapping(self.data.get("channels"), "channels").items():
            channel, _ = self.document.resolve(node)
            if not isinstance(channel, dict):
                continue
            extension = _extension(channel)
            item = SpecChannel(
                key=key,
                name=_text(channel.get("title")) if extension and channel.get("title") else key,
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
            )
            channel_messages = self.mapping(channel.get("messages"), f"channels/{key}/messages")
            for message_key, message in channel_messages.items():
                item.messages.append(self.message(message, f"channels/{key}/{message_key}"))
            resolved_channels[key] = channel
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
            messages = []
            for ref in self.sequence(operation.get("messages"), f"operations/{key}/messages"):
                reference = ref.get("$ref", "") if isinstance(ref, dict) else ""
                prefix = f"#/channels/{channel_key}/messages/"
                message_key = _ref_key(reference, prefix)
                if message_key is None:
                    raise self.document.fail(
                        f"operation '{key}' lists a message that is not one of its channel's"
                    )
                channel = resolved_channels[channel_key].get("messages") or {}
                if message_key not in channel:
                    raise self.document.fail(
                        f"operation '{key}' lists message '{message_key}', which its channel "
                        "does not define; fix the document"
                    )
                messages.append(
                    self.message(channel[message_key], f"channels/{channel_key}/{message_key}")
                )
            operations.append(
                SpecOperation(
                    service=self.service_of(operation),
                    sends=operation.get("action") == "send",
                    channel=channel_key,
                    messages=messages or list(by_key[channel_key].messages),
                    extension=_extension(operation),
                )
            )
        return self.spec(servers, channels, operations)


class _Reader2(_Reader):
    def read(self) -> AsyncApiSpec:
        servers = []
        for key, node in self.mapping(self.data.get("servers"), "servers").items():
            server, _ = self.document.resolve(node)
            if not isinstance(server, dict):
                continue
            url = _text(server.get("url"))
            host = url.split("://", 1)[-1] if url else None
            servers.append(
                SpecServer(
                    key=key,
                    name=key,
                    protocol=_text(server.get("protocol")),
                    host=host or None,
                    description=_text(server.get("description")),
                    extension=_extension(server),
                )
            )
        channels = []
        operations = []
        for address, node in self.mapping(self.data.get("channels"), "channels").items():
            channel, _ = self.document.resolve(node)
            if not isinstance(channel, dict):
                continue
            item = SpecChannel(
                key=address,
                name=address,
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
                message_node = operation.get("message")
                resolved, _ = self.document.resolve(message_node)
                if isinstance(resolved, dict) and isinstance(resolved.get("oneOf"), list):
                    nodes = resolved["oneOf"]
                elif message_node is not None:
                    nodes = [message_node]
                else:
                    nodes = []
                identities = [
                    self.message(n, f"channels/{address}/{verb}/{i}") for i, n in enumerate(nodes)
                ]
                for identity in identities:
                    if identity not in item.messages:
                        item.messages.append(identity)
                operations.append(
                    SpecOperation(
                        service=self.service_of(operation),
                        sends=sends,
                        channel=address,
                        messages=identities,
                        extension=_extension(operation),
                    )
                )
            channels.append(item)
        return self.spec(servers, channels, operations)
