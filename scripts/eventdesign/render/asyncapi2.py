"""The AsyncAPI 3.0.0 document `build_asyncapi` writes, as AsyncAPI 2.6.0, for 2.x tooling.

2.x differs in shape, not in content:
- a server has a `url` (host, with the scheme an imported contract used) and names its
  security schemes (`[{name: scopes}]`) instead of referencing them;
- channels are keyed by their address and carry the operations: `subscribe` is what the
  application sends, `publish` what it receives (the 2.x meaning). 2.x allows one of each per
  channel, so several services' operations of one action on one channel become one
  operation whose `x-grimoire.operations` lists them all (`import asyncapi` reads it);
- a multi-format payload becomes the message's `schemaFormat` and a plain `payload`;
- `info.tags` and `info.externalDocs` move to the root; OAuth 2 `availableScopes` are `scopes`.
Model names the 2.x layout has no place for (channel and server titles) go in `x-grimoire.name`.
"""

from __future__ import annotations

import re
from typing import Any

ASYNCAPI_2_VERSION = "2.6.0"
MESSAGE_PREFIX = "#/components/messages/"
CHANNEL_MESSAGE_PREFIX = "#/channels/"
VERBS = {"send": "subscribe", "receive": "publish"}
# Characters a URI template's literal part cannot hold (RFC 6570), `%` and non-ASCII.
NOT_IN_URI_TEMPLATE = re.compile(r"[\x00-\x20\x7f\"'<>\\^`|%]|[^\x00-\x7f]")
JSON_SCHEMA_FORMATS = ("application/schema+json", "application/vnd.aai.asyncapi")


def as_asyncapi_2(document: dict) -> dict:
    """A 2.6.0 document with the content of a 3.0.0 document `build_asyncapi` wrote."""
    result: dict[str, Any] = {"asyncapi": ASYNCAPI_2_VERSION}
    if "id" in document:
        result["id"] = document["id"]
    info = dict(document["info"])
    moved = {key: info.pop(key) for key in ("tags", "externalDocs") if key in info}
    result["info"] = info
    for key in ("x-service", "defaultContentType"):
        if key in document:
            result[key] = document[key]
    if document.get("servers"):
        result["servers"] = {key: _server(server) for key, server in document["servers"].items()}
    result["channels"] = _channels(document)
    components = dict(document.get("components") or {})
    if "messages" in components:
        components["messages"] = {
            key: _message(key, message) for key, message in components["messages"].items()
        }
    if "securitySchemes" in components:
        components["securitySchemes"] = {
            key: _security_scheme(scheme) for key, scheme in components["securitySchemes"].items()
        }
    result["components"] = components
    result.update(moved)
    if "x-grimoire" in document:
        result["x-grimoire"] = document["x-grimoire"]
    return result


def _security_names(item: dict) -> list[dict]:
    """2.x security requirements: the kept ones (with scopes) if recorded, else by name."""
    kept = (item.get("x-grimoire") or {}).get("asyncapi") or {}
    if isinstance(kept.get("security"), list):
        return [
            {entry: []} if isinstance(entry, str) else dict(entry) for entry in kept["security"]
        ]
    return [{ref["$ref"].rsplit("/", 1)[-1]: []} for ref in item.get("security") or []]


def _server(server: dict) -> dict:
    kept = (server.get("x-grimoire") or {}).get("asyncapi") or {}
    scheme = kept.get("scheme")
    url = server["host"] + server.get("pathname", "")
    result: dict[str, Any] = {"url": f"{scheme}://{url}" if scheme else url}
    for key in ("protocol", "protocolVersion", "description", "variables"):
        if key in server:
            result[key] = server[key]
    if "security" in server:
        result["security"] = _security_names(server)
    for key in ("tags", "bindings"):
        if key in server:
            result[key] = server[key]
    if "x-grimoire" in server:
        result["x-grimoire"] = _named(server["x-grimoire"], server.get("title"))
    return result


def _named(extension: dict, name: Any) -> dict:
    if "name" in extension or not isinstance(name, str):
        return dict(extension)
    return {**extension, "name": name}


def _channels(document: dict) -> dict:
    channels: dict[str, Any] = {}
    server_keys = {f"#/servers/{key}": key for key in document.get("servers") or {}}
    by_channel: dict[str, dict[str, list]] = {}
    for key, operation in (document.get("operations") or {}).items():
        channel_key = operation["channel"]["$ref"][len(CHANNEL_MESSAGE_PREFIX) :]
        actions = by_channel.setdefault(channel_key, {})
        actions.setdefault(operation["action"], []).append((key, operation))
    for key, channel in document["channels"].items():
        address = channel["address"] if channel.get("address") is not None else key
        extension = _named(channel.get("x-grimoire") or {}, channel.get("title"))
        if _uri_template(address) != address:
            # 2.x channel keys are URI templates: spaces and the like become `_`.
            extension.setdefault("address", address)
            address = _uri_template(address)
        if address in channels:
            # Two model channels on one address; 2.x keys channels by address, so the second
            # gets a numbered key and keeps its address in `x-grimoire`.
            extension.setdefault("address", address)
            number = 2
            while f"{address}~{number}" in channels:
                number += 1
            address = f"{address}~{number}"
        item: dict[str, Any] = {}
        if "description" in channel:
            item["description"] = channel["description"]
        servers = [server_keys[ref["$ref"]] for ref in channel.get("servers") or []]
        if servers:
            item["servers"] = servers
        if channel.get("parameters"):
            item["parameters"] = {
                name: {**parameter, "schema": {"type": "string"}}
                for name, parameter in channel["parameters"].items()
            }
        for action, verb in VERBS.items():
            operations = by_channel.get(key, {}).get(action)
            if operations:
                item[verb] = _operation(operations)
        if "bindings" in channel:
            item["bindings"] = channel["bindings"]
        item["x-grimoire"] = extension
        channels[address] = item
    return channels


def _uri_template(address: str) -> str:
    # Not percent-encoded: the official parser decodes `%20` in a channel key while resolving
    # the `$ref`s below it and then rejects the key.
    return NOT_IN_URI_TEMPLATE.sub("_", address)


def _message_keys(operation: dict) -> list[str]:
    return [ref["$ref"].rsplit("/", 1)[-1] for ref in operation["messages"]]


def _operation(operations: list[tuple[str, dict]]) -> dict:
    """One 2.x operation for the 3.0 operations of one action on one channel."""
    key, first = operations[0]
    result: dict[str, Any] = {"operationId": key}
    for field in ("summary", "description", "tags", "externalDocs"):
        if field in first:
            result[field] = first[field]
    if "security" in first:
        result["security"] = _security_names(first)
    if "bindings" in first:
        result["bindings"] = first["bindings"]
    keys = list(dict.fromkeys(k for _, operation in operations for k in _message_keys(operation)))
    references = [{"$ref": f"{MESSAGE_PREFIX}{k}"} for k in keys]
    result["message"] = references[0] if len(references) == 1 else {"oneOf": references}
    if len(operations) == 1:
        for field in ("x-service", "x-grimoire"):
            if field in first:
                result[field] = first[field]
        return result
    result["x-grimoire"] = {
        "operations": [
            {
                "key": op_key,
                "messages": _message_keys(operation),
                **{k: v for k, v in operation.items() if k not in ("channel", "messages")},
            }
            for op_key, operation in operations
        ]
    }
    return result


def _message(key: str, message: dict) -> dict:
    result = dict(message)
    payload = message.get("payload")
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        base = f"{MESSAGE_PREFIX}{key}/payload"
        result["schemaFormat"] = payload["schemaFormat"]
        result["payload"] = _rebase(payload["schema"], f"{base}/schema", base)
        if "examples" in result and not payload["schemaFormat"].startswith(JSON_SCHEMA_FORMATS):
            # 2.x tools check examples against the payload as JSON Schema even when it is
            # Avro; the examples ride in `x-grimoire` (where `import asyncapi` reads them).
            result["x-grimoire"] = {
                **result.get("x-grimoire", {}),
                "examples": result.pop("examples"),
            }
    return result


def _rebase(schema: Any, old: str, new: str) -> Any:
    """A copy of a schema whose references below `old` point below `new` instead."""
    if isinstance(schema, dict):
        return {
            key: (
                new + value[len(old) :]
                if key == "$ref" and isinstance(value, str) and value.startswith(old)
                else _rebase(value, old, new)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(item, old, new) for item in schema]
    return schema


def _security_scheme(scheme: Any) -> Any:
    if not isinstance(scheme, dict):
        return scheme
    result = {key: value for key, value in scheme.items() if key != "scopes"}
    flows = scheme.get("flows")
    if isinstance(flows, dict):
        result["flows"] = {
            name: {("scopes" if k == "availableScopes" else k): v for k, v in flow.items()}
            if isinstance(flow, dict)
            else flow
            for name, flow in flows.items()
        }
    return result
