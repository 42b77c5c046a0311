"""The facts a consumer of an AsyncAPI 2.x or 3.x document relies on, version-neutral.

Read independently of the importer (its own `$ref` resolution; only the RFC 7396 merge that
traits use is shared), so the fidelity test compares a document with its import-then-export
through a second reading.
Each fact is a set of hashable items; `compare` says what of a source's facts a copy keeps.
"""

from __future__ import annotations

import json
from typing import Any

from eventdesign.importer.spec import merge_patch

FACTS = (
    "channels",
    "messages",
    "payloads",
    "headers",
    "keys",
    "group_ids",
    "servers",
    "security",
    "operations",
)
CYCLE = {"$ref": "(cycle)"}


class _Resolver:
    def __init__(self, document: dict) -> None:
        self.document = document

    def pointer(self, reference: str) -> Any:
        node: Any = self.document
        for token in reference[2:].split("/") if reference not in ("#", "#/") else []:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def shallow(self, node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = self.pointer(node["$ref"])
        return node

    def deep(self, node: Any, active: tuple = ()) -> Any:
        """A copy with every local `$ref` replaced by its target; cycles marked."""
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#"):
                if reference in active:
                    return CYCLE
                return self.deep(self.pointer(reference), (*active, reference))
            return {key: self.deep(value, active) for key, value in node.items()}
        if isinstance(node, list):
            return [self.deep(item, active) for item in node]
        return node


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _with_traits(node: dict, major: int) -> dict:
    """A message or operation with its traits merged in (JSON Merge Patch): in 2.x each trait
    over the object, in 3.x the object over its traits."""
    own = {k: v for k, v in node.items() if k != "traits"}
    merged: dict = own if major == 2 else {}
    for trait in node.get("traits") or []:
        merged = merge_patch(merged, trait)
    return merge_patch(merged, own) if major == 3 else merged


def _payload(message: dict) -> Any:
    payload = message.get("payload")
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        payload = payload["schema"]
    return _strip_annotations(payload)


def _strip_annotations(schema: Any) -> Any:
    # `$defs` / `definitions` only hold what references point at; after resolution they
    # carry nothing a consumer validates with.
    if isinstance(schema, dict):
        return {
            key: _strip_annotations(value)
            for key, value in schema.items()
            if key not in ("$defs", "definitions")
        }
    if isinstance(schema, list):
        return [_strip_annotations(item) for item in schema]
    return schema


def _headers(message: dict) -> list[str]:
    headers = message.get("headers")
    if isinstance(headers, dict) and "schemaFormat" in headers and "schema" in headers:
        headers = headers["schema"]
    properties = headers.get("properties") if isinstance(headers, dict) else None
    return sorted(properties) if isinstance(properties, dict) else []


def _kafka(node: dict) -> dict:
    bindings = node.get("bindings")
    kafka = bindings.get("kafka") if isinstance(bindings, dict) else None
    return kafka if isinstance(kafka, dict) else {}


def _message_name(message: dict, key: str) -> str:
    name = message.get("name")
    return name if isinstance(name, str) else key


def _without_description(schema: Any) -> Any:
    return (
        {k: v for k, v in schema.items() if k != "description"}
        if isinstance(schema, dict)
        else schema
    )


def read_facts(document: dict) -> dict[str, set]:
    """Fact name -> set of items, for an AsyncAPI 2.x or 3.x document."""
    resolver = _Resolver(document)
    data = resolver.deep(document)
    facts: dict[str, set] = {name: set() for name in FACTS}
    messages: list[tuple[str, dict]] = []
    operations: list[tuple[str, str, dict]] = []  # (id, send|receive, operation)
    version = str(data.get("asyncapi", ""))

    def message_key(raw: Any, fallback: str) -> str:
        reference = raw.get("$ref") if isinstance(raw, dict) else None
        prefix = "#/components/messages/"
        if isinstance(reference, str) and reference.startswith(prefix):
            return reference[len(prefix) :]
        return fallback

    for server in (data.get("servers") or {}).values():
        if version.startswith("2."):
            host = str(server.get("url", "")).split("://", 1)[-1]
        else:
            host = str(server.get("host", "")) + str(server.get("pathname", ""))
        facts["servers"].add((host, server.get("protocol")))
        for requirement in server.get("security") or []:
            facts["security"].update(_scheme_names(requirement))
    schemes = (data.get("components") or {}).get("securitySchemes") or {}
    facts["security"].update(schemes)
    raw_channels = document.get("channels") or {}
    for channel_key, channel in (data.get("channels") or {}).items():
        raw_channel = raw_channels[channel_key]
        if version.startswith("2."):
            facts["channels"].add(channel_key)
            for verb, action in (("subscribe", "send"), ("publish", "receive")):
                operation = channel.get(verb)
                if not isinstance(operation, dict):
                    continue
                raw_message = resolver.shallow(resolver.shallow(raw_channel)[verb]).get("message")
                listed = operation.get("message") or {}
                if "oneOf" in listed:
                    pairs = list(zip(listed["oneOf"], resolver.shallow(raw_message)["oneOf"]))
                else:
                    pairs = [(listed, raw_message)]
                operation_id = operation.get("operationId")
                for index, (message, raw) in enumerate(pairs):
                    # A message with no name or component key is known by its operation.
                    unnamed = operation_id or f"{channel_key} {verb}"
                    if len(pairs) > 1:
                        unnamed = f"{unnamed} {index + 1}"
                    if message:
                        messages.append((message_key(raw, unnamed), _with_traits(message, 2)))
                if operation_id:  # an operation without an id has none to keep
                    operations.append((operation_id, action, _with_traits(operation, 2)))
                for requirement in operation.get("security") or []:
                    facts["security"].update(_scheme_names(requirement))
        else:
            if isinstance(channel.get("address"), str):
                facts["channels"].add(channel["address"])
            raw_list = resolver.shallow(raw_channel).get("messages") or {}
            for key, message in (channel.get("messages") or {}).items():
                raw = raw_list.get(key) if isinstance(raw_list, dict) else None
                messages.append((message_key(raw, key), _with_traits(message, 3)))
    if not version.startswith("2."):
        for operation_id, operation in (data.get("operations") or {}).items():
            operations.append((operation_id, operation.get("action"), _with_traits(operation, 3)))
            for requirement in operation.get("security") or []:
                facts["security"].update(_scheme_names(requirement))
    for key, message in messages:
        name = _message_name(message, key)
        facts["messages"].add(name)
        facts["payloads"].add((name, _canonical(_payload(message))))
        facts["headers"].add((name, tuple(_headers(message))))
        kafka_key = _kafka(message).get("key")
        if kafka_key is not None:
            facts["keys"].add((name, _canonical(_without_description(kafka_key))))
    for operation_id, action, operation in operations:
        facts["operations"].add((operation_id, action))
        group = _kafka(operation).get("groupId")
        if group is not None:
            facts["group_ids"].add((operation_id, _group_value(group)))
    return facts


def _group_value(schema: Any) -> str:
    """The group id a binding states (`const` or a one-item `enum`), else its whole schema."""
    if isinstance(schema, dict) and isinstance(schema.get("const"), str):
        return schema["const"]
    if (
        isinstance(schema, dict)
        and isinstance(schema.get("enum"), list)
        and len(schema["enum"]) == 1
    ):
        return str(schema["enum"][0])
    return _canonical(schema)


def _scheme_names(requirement: Any) -> set[str]:
    """Security scheme names a requirement names (2.x: keys; 3.x: `$ref`s or inline)."""
    if isinstance(requirement, dict) and isinstance(requirement.get("$ref"), str):
        return {requirement["$ref"].rsplit("/", 1)[-1]}
    if isinstance(requirement, dict) and "type" in requirement:
        return set()
    return set(requirement) if isinstance(requirement, dict) else set()


def compare(source: dict[str, set], copy: dict[str, set]) -> dict[str, tuple[int, int]]:
    """Fact name -> (items of the source the copy has, items of the source)."""
    return {name: (len(source[name] & copy[name]), len(source[name])) for name in FACTS}
