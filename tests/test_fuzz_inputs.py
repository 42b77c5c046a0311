"""Fuzzing: generated models, schemas and AsyncAPI documents never crash a command.

Each example runs commands through `eventdesign.cli.main` in a fresh folder and asserts
exit 0, 1 or 2, nothing escaping `main`, and a message whenever the input is refused. The
budget is fixed and derandomized (the same examples on every run), so CI time stays bounded.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdesign.cli import main
from hostile_corpus import CLEAN

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]) | st.sampled_from("\x1b\x07\n\t$#/~"),
    max_size=12,
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
PATTERNS = st.sampled_from(["^[a-z]+$", "(", "^(a+)+$", "[", "\\d{2,}", "(?P<x>a)(?P=x)"])
REFS = st.sampled_from(["#", "#/properties/a", "#/$defs/a", "#/$defs/²", "#/items/0", "#/x~1y"])
SCHEMAS = st.recursive(
    st.booleans()
    | st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "object", "array"])})
    | st.fixed_dictionaries({"$ref": REFS})
    | st.fixed_dictionaries({"type": st.just("string"), "pattern": PATTERNS}),
    lambda children: st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["object", "array", "string", ["string", "null"]]),
            "properties": st.dictionaries(st.sampled_from(["a", "b", "id"]), children, max_size=3),
            "required": st.lists(st.sampled_from(["a", "b", "id"]), max_size=3),
            "items": children,
            "allOf": st.lists(children, min_size=1, max_size=3),
            "anyOf": st.lists(children, min_size=1, max_size=3),
            "oneOf": st.lists(children, min_size=1, max_size=3),
            "$defs": st.dictionaries(st.sampled_from(["a", "b"]), children, max_size=2),
            "additionalProperties": st.booleans() | children,
            "patternProperties": st.dictionaries(PATTERNS, children, max_size=2),
            "enum": st.lists(SCALARS, min_size=1, max_size=3),
        },
    ),
    max_leaves=10,
)


def run(folder: Path, *argv: str) -> int:
    """One command in `folder`; asserts the promises every run keeps."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        import os

        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        os.chdir(previous)
    assert code in (0, 1, 2), (argv, code, err.getvalue()[-2000:])
    if code == 2:
        assert err.getvalue().strip(), (argv, "refused without a message")
    assert "\x1b" not in err.getvalue() and "\x07" not in err.getvalue()
    return code


def leaves(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from leaves(value, (*path, index))


PATHS = list(leaves(CLEAN))[1:]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=4))
def test_mutated_models_get_a_verdict_or_a_refusal(changes) -> None:
    model = copy.deepcopy(CLEAN)
    for path, value in changes:
        node = model
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "design.yaml").write_text(yaml.safe_dump(model, allow_unicode=True))
        for argv in (
            ["check", "design.yaml"],
            ["saga", "verify", "design.yaml"],
            ["diagram", "design.yaml"],
            ["export", "asyncapi", "design.yaml", "-o", "out.json"],
            ["export", "docs", "design.yaml", "-o", "docs"],
            ["transport", "design.yaml"],
            ["capacity", "design.yaml"],
        ):
            run(folder, *argv)


@FUZZ
@given(SCHEMAS, SCHEMAS, st.lists(JSON_VALUES, max_size=2))
def test_generated_schemas_get_a_verdict_or_a_refusal(old, new, examples) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "old.json").write_text(json.dumps(old))
        (folder / "new.json").write_text(json.dumps(new))
        run(folder, "compat", "old.json", "new.json", "--mode", "FULL")
        model = copy.deepcopy(CLEAN)
        model["events"]["OrderPlaced"].update(schema=new, examples=examples, pii=[])
        (folder / "design.yaml").write_text(yaml.safe_dump(model, allow_unicode=True))
        run(folder, "check", "design.yaml")
        run(folder, "export", "docs", "design.yaml", "-o", "docs")


ASYNCAPI = {
    "asyncapi": "3.0.0",
    "info": {"title": "svc", "version": "1"},
    "servers": {"main": {"host": "k:9092", "protocol": "kafka"}},
    "channels": {
        "orders": {
            "address": "orders",
            "messages": {"Placed": {"payload": {"type": "object"}}},
        }
    },
    "operations": {
        "send": {
            "action": "send",
            "channel": {"$ref": "#/channels/orders"},
            "messages": [{"$ref": "#/channels/orders/messages/Placed"}],
            "traits": [{"$ref": "#/components/operationTraits/audited"}],
            "security": [{"$ref": "#/components/securitySchemes/user"}],
            "reply": {
                "channel": {"$ref": "#/channels/orders"},
                "messages": [{"$ref": "#/channels/orders/messages/Placed"}],
            },
        }
    },
    "components": {
        "securitySchemes": {"user": {"type": "userPassword"}},
        "operationTraits": {"audited": {"description": "audited", "tags": [{"name": "a"}]}},
        "messages": {"Shared": {"payload": {"type": "string"}, "traits": [{"headers": {}}]}},
    },
}
ASYNCAPI_PATHS = list(leaves(ASYNCAPI))[1:]


@FUZZ
@given(
    st.sampled_from(["3.0.0", "2.6.0"]),
    st.lists(st.tuples(st.sampled_from(ASYNCAPI_PATHS), JSON_VALUES), min_size=1, max_size=3),
)
def test_mutated_asyncapi_documents_import_or_are_refused(version, changes) -> None:
    document = copy.deepcopy(ASYNCAPI)
    document["asyncapi"] = version
    for path, value in changes:
        node = document
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "api.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
        if run(folder, "import", "asyncapi", "api.yaml", "-o", "model.yaml") == 0:
            run(folder, "check", "model.yaml")
