"""Is a document a valid JSON Schema of its draft? Checked against the draft's metaschema.

Drafts 2019-09 and 2020-12 split their metaschema into vocabularies joined by dynamic
references, which the `jsonschema` package resolves slowly (seconds for a schema with a few
thousand properties). Their vocabularies only declare `properties` and `$defs`, so they are
merged here into one equivalent metaschema with plain `$ref`s, validated with the same
validator class; older drafts use their metaschema as it is.

`metaschemas.json` beside this module holds those metaschemas (merged where they need it) and
the `$schema` URIs that select them, as the installed `jsonschema` has them, so that checking a
valid schema never has to import `jsonschema`. A test keeps it equal to what
`bundle_from_jsonschema()` gives; after upgrading `jsonschema`, run from scripts/:
    python3 -c "from eventdesign.compat.metaschema import write_bundle; write_bundle()"
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import InputError
from ..pointer import pointer_of
from .jsonschema_nodes import pointer_text

BUNDLE_PATH = Path(__file__).resolve().with_name("metaschemas.json")
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


def bundle_from_jsonschema() -> dict:
    """{"dialects": {$schema URI: metaschema id}, "metaschemas": {id: metaschema}} for every
    draft the installed `jsonschema` knows, vocabulary drafts merged; URIs with and without
    the empty fragment `#`, as `validator_for` accepts both."""
    from jsonschema import validators

    dialects: dict[str, str] = {}
    metaschemas: dict[str, Any] = {}
    for uri, validator_class in validators._META_SCHEMAS.items():
        identifier = validator_class.ID_OF(validator_class.META_SCHEMA)
        for spelling in (uri.rstrip("#"), uri.rstrip("#") + "#"):
            if validators.validator_for({"$schema": spelling}, default=None) is validator_class:
                dialects[spelling] = identifier
        metaschema = validator_class.META_SCHEMA
        metaschemas[identifier] = (
            merged_metaschema(identifier) if identifier in VOCABULARY_DRAFTS else metaschema
        )
    return {"dialects": dialects, "metaschemas": metaschemas}


def write_bundle() -> None:
    """Rewrite metaschemas.json from the installed `jsonschema`."""
    text = json.dumps(bundle_from_jsonschema(), indent=1, sort_keys=True)
    BUNDLE_PATH.write_text(text + "\n", encoding="utf-8")


@cache
def _bundle() -> dict:
    return json.loads(BUNDLE_PATH.read_text(encoding="utf-8"))


def bundled_metaschema(dialect: str) -> Optional[dict]:
    """The metaschema (merged, for vocabulary drafts) that `$schema: dialect` selects, or None
    for a URI not spelled exactly as a known draft's (ask `jsonschema` then)."""
    bundle = _bundle()
    identifier = bundle["dialects"].get(dialect)
    return None if identifier is None else bundle["metaschemas"][identifier]


def _resolve(base: str, reference: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + reference


@cache
def _validator(validator_class: Any) -> Any:
    metaschema = validator_class.META_SCHEMA
    identifier = metaschema.get("$id", "")
    if identifier in VOCABULARY_DRAFTS:
        return validator_class(merged_metaschema(identifier))
    return validator_class(metaschema)


DEFAULT_DIALECT = "http://json-schema.org/draft-07/schema#"


@cache
def compiled_metaschema_check(dialect: str) -> Optional[Callable[[Any], bool]]:
    """A compiled yes/no test against the bundled metaschema of `dialect` (jsonschema_compiler.py),
    or None when the dialect is not bundled or its metaschema cannot be compiled. `format` is
    not asserted, as by the jsonschema validator below."""
    from ..jsonschema_compiler import UnsupportedSchema, compile_schema

    metaschema = bundled_metaschema(dialect)
    if metaschema is None:
        return None
    try:
        return compile_schema(metaschema, annotations=("format", "deprecated", "definitions"))
    except UnsupportedSchema:
        return None


def _valid_by_compiled_check(document: Any) -> bool:
    """True when the compiled check says the document is valid; False when it cannot tell or
    finds a problem (then jsonschema says which)."""
    dialect = document.get("$schema", DEFAULT_DIALECT) if isinstance(document, dict) else None
    if not isinstance(dialect, str):
        return False
    check = compiled_metaschema_check(dialect)
    try:
        return check is not None and check(document)
    except RecursionError:
        return False


def check_against_metaschema(document: Any, shown: str, locate: Callable[[str], Any]) -> None:
    """InputError naming the first problem, when `document` is not a valid JSON Schema of its
    draft (`$schema`; draft 7 when absent)."""
    if _valid_by_compiled_check(document):
        return
    from jsonschema import exceptions, validators

    if not isinstance(document, (dict, bool)):
        found = "null" if document is None else type(document).__name__
        raise InputError(
            f"not a valid JSON Schema: it must be an object or a boolean, not {found}", shown
        )
    if isinstance(document, dict) and not isinstance(document.get("$schema", ""), str):
        location = locate("/$schema")
        raise InputError(
            "$schema must be a URI string such as https://json-schema.org/draft/2020-12/schema",
            shown,
            getattr(location, "line", None),
            getattr(location, "column", None),
        )
    validator_class = validators.validator_for(document, default=validators.Draft7Validator)
    error = exceptions.best_match(_validator(validator_class).iter_errors(document))
    if error is None:
        return
    pointer = pointer_of(error.absolute_path)
    location = locate(pointer)
    raise InputError(
        f"not a valid JSON Schema at {pointer_text(pointer)}: {error.message}",
        shown,
        getattr(location, "line", None),
        getattr(location, "column", None),
    )
