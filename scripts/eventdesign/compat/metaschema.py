"""Is a document a valid JSON Schema of its draft? Checked against the draft's metaschema.

Drafts 2019-09 and 2020-12 split their metaschema into vocabularies joined by dynamic
references, which the `jsonschema` package resolves slowly (seconds for a schema with a few
thousand properties). Their vocabularies only declare `properties` and `$defs`, so they are
merged here into one equivalent metaschema with plain `$ref`s, validated with the same
validator class; older drafts use their metaschema as it is.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from ..errors import InputError
from .jsonschema_nodes import escape_token, pointer_text

VOCABULARY_DRAFTS = (
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2019-09/schema",
)


_NAME_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _plain_references(value: Any) -> Any:
    """Dynamic and recursive references to the metaschema become `#`; vocabulary-relative
    references (`meta/validation#/$defs/x`) become references into the merged `$defs`."""
    if isinstance(value, list):
        return [_plain_references(item) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict = {}
    for key, item in value.items():
        if key in ("$dynamicRef", "$recursiveRef") and isinstance(item, str):
            result["$ref"] = "#"
        elif key == "$ref" and isinstance(item, str) and "#/$defs/" in item:
            result["$ref"] = "#/$defs/" + item.split("#/$defs/", 1)[1]
        elif key in _NAME_MAPS and isinstance(item, dict):
            result[key] = {name: _plain_references(schema) for name, schema in item.items()}
        else:
            result[key] = _plain_references(item)
    return result


def merged_metaschema(draft_uri: str) -> dict:
    """One self-contained metaschema equivalent to a vocabulary-based draft's."""
    from jsonschema_specifications import REGISTRY

    root = REGISTRY[draft_uri].contents
    parts = [root] + [
        REGISTRY[_resolve(draft_uri, member["$ref"])].contents for member in root["allOf"]
    ]
    properties: dict = {}
    definitions: dict = {}
    for part in parts:
        for name, schema in part.get("properties", {}).items():
            if name in properties:
                raise ValueError(f"metaschema property {name} declared twice")
            properties[name] = schema
        for name, schema in part.get("$defs", {}).items():
            if name in definitions and definitions[name] != schema:
                raise ValueError(f"metaschema definition {name} declared twice")
            definitions[name] = schema
    return _plain_references(
        {"type": ["object", "boolean"], "properties": properties, "$defs": definitions}
    )


def _resolve(base: str, reference: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + reference


@cache
def _validator(validator_class: Any) -> Any:
    metaschema = validator_class.META_SCHEMA
    identifier = metaschema.get("$id", "")
    if identifier in VOCABULARY_DRAFTS:
        return validator_class(merged_metaschema(identifier))
    return validator_class(metaschema)


def check_against_metaschema(document: Any, shown: str, locate: Callable[[str], Any]) -> None:
    """InputError naming the first problem, when `document` is not a valid JSON Schema of its
    draft (`$schema`; draft 7 when absent)."""
    from jsonschema import exceptions, validators

    validator_class = validators.validator_for(document, default=validators.Draft7Validator)
    error = exceptions.best_match(_validator(validator_class).iter_errors(document))
    if error is None:
        return
    pointer = "".join("/" + escape_token(part) for part in error.absolute_path)
    location = locate(pointer)
    raise InputError(
        f"not a valid JSON Schema at {pointer_text(pointer)}: {error.message}",
        shown,
        getattr(location, "line", None),
        getattr(location, "column", None),
    )
