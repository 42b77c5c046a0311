"""The model reader's YAML builder gives libyaml's (PyYAML's CSafeLoader's) data and positions.

The reader builds data from parser events itself, to remember where every value came from.
It is compared with PyYAML's CSafeLoader on every YAML and JSON file of the tests and
examples and on generated documents (AsyncAPI exports, synthetic bench models, documents
with anchors and aliases), and every position it reports with the start mark of the node in
libyaml's own node tree (an alias stands where its anchor is). The reader's deliberate
differences are applied to libyaml's side: a plain on/off/yes/no key is the word, other
non-text keys are their text, timestamps stay text (the model speaks JSON). Unlike
CSafeLoader, the reader gives each alias its own copy, so no collection appears twice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO_ROOT
from eventdesign.errors import InputError
from eventdesign.model.loader import load_model
from eventdesign.model.source import MAX_NODES, TOO_MANY_NODES, parse_yaml
from eventdesign.pointer import pointer_of
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi

sys.path.insert(0, str(REPO_ROOT / "bench"))
from generate_model import generate_model

# Files the reader refuses on purpose: (message, line, column).
REFUSED = {"billion-laughs.yaml": (TOO_MANY_NODES, 11, 4)}  # expands to 9**9 strings
FILES = sorted(
    path
    for folder in ("tests/data", "examples")
    for pattern in ("*.yaml", "*.yml", "*.json", "*.avsc")
    for path in (REPO_ROOT / folder).rglob(pattern)
)


def loads(path: Path) -> bool:
    try:
        load_model(path)
    except InputError:  # models written to be refused
        return False
    return True


DESIGN_MODELS = [
    path
    for path in FILES
    if path.suffix == ".yaml"
    and "format: grimoire/" in path.read_text(encoding="utf-8")
    and loads(path)
]


class Reference(yaml.CSafeLoader):
    """libyaml's loader with the reader's documented choices."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        mapping = {}
        for key_node, value_node in node.value:
            mapping[self.key(key_node)] = self.construct_object(value_node, deep=deep)
        return mapping

    def key(self, node: Any) -> str:
        if node.tag == "tag:yaml.org,2002:bool":
            return node.value
        key = self.construct_object(node, deep=True)
        return key if isinstance(key, str) else str(key)

    def construct_yaml_timestamp(self, node: Any) -> str:
        return node.value


Reference.add_constructor("tag:yaml.org,2002:timestamp", Reference.construct_yaml_timestamp)


def libyaml_positions(text: str) -> dict[str, tuple[int, int]]:
    """(line, column) of every pointer: the start of its key or item node in libyaml's tree."""
    loader = Reference(text)
    try:
        root = loader.get_single_node()
        positions = {"": (root.start_mark.line + 1, root.start_mark.column + 1)}
        pending = [(root, ())]
        while pending:
            node, path = pending.pop()
            if isinstance(node, yaml.MappingNode):
                members = [(loader.key(key), key, value) for key, value in node.value]
            elif isinstance(node, yaml.SequenceNode):
                members = [(index, item, item) for index, item in enumerate(node.value)]
            else:
                continue
            for token, marked, child in members:
                mark = marked.start_mark
                positions[pointer_of((*path, token))] = (mark.line + 1, mark.column + 1)
                pending.append((child, (*path, token)))
        return positions
    finally:
        loader.dispose()


def collection_ids(value: Any) -> list[int]:
    ids, pending = [], [value]
    while pending:
        value = pending.pop()
        if isinstance(value, (dict, list)):
            ids.append(id(value))
            pending.extend(value.values() if isinstance(value, dict) else value)
    return ids


def assert_reads_like_libyaml(text: str, shown: str) -> None:
    document = parse_yaml(text, shown)
    assert document.data == yaml.load(text, Loader=Reference)
    located = {}
    for pointer in libyaml_positions(text):
        location = document.locate(pointer)
        located[pointer] = (location.line, location.column)
    assert located == libyaml_positions(text)
    ids = collection_ids(document.data)
    assert len(ids) == len(set(ids)), "a collection appears twice in the data"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_yaml_and_json_file_of_the_tests_reads_like_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name in REFUSED:
        with pytest.raises(InputError) as refused:
            parse_yaml(text, str(path))
        error = refused.value
        assert (error.message, error.line, error.column) == REFUSED[path.name]
        yaml.load(text, Loader=Reference)  # which libyaml reads: the refusal is the reader's
    else:
        assert_reads_like_libyaml(text, str(path))


@pytest.mark.parametrize("path", DESIGN_MODELS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_the_asyncapi_export_of_every_model_reads_like_libyaml(path: Path) -> None:
    text = dump_asyncapi(build_asyncapi(load_model(path)), "yaml")
    assert_reads_like_libyaml(text, "asyncapi.yaml")


def test_a_generated_model_reads_like_libyaml() -> None:
    model = generate_model(services=40, events=200, sagas=4)
    assert_reads_like_libyaml(yaml.safe_dump(model, sort_keys=False, width=100), "bench.yaml")


def test_a_generated_model_with_shared_parts_reads_like_libyaml() -> None:
    # PyYAML writes a value used twice once with an anchor, then as aliases.
    model = generate_model(services=10, events=40, sagas=2)
    shared = {"events": model["events"], "services": model["services"]}
    text = yaml.safe_dump({"first": model, "shared": shared, "again": [shared, model]})
    assert "&id" in text and "*id" in text
    assert_reads_like_libyaml(text, "shared.yaml")


def test_the_reference_applies_the_readers_choices() -> None:
    text = "on: 1\n200: x\nwhen: 2026-11-27\n"
    assert yaml.load(text, Loader=Reference) == {"on": 1, "200": "x", "when": "2026-11-27"}
    assert yaml.load(text, Loader=yaml.CSafeLoader) != yaml.load(text, Loader=Reference)


# --- anchors and aliases --------------------------------------------------------------------

ALIASES = """\
base: &base
  kind: order
  tags: [a, b]
copy: *base
items:
  - &one 1
  - *one
  - *base
  - &pair [*one, *base]
  - *pair
*one : a key from an alias
"""


def test_aliases_of_scalars_maps_and_lists_read_as_their_anchors() -> None:
    data = parse_yaml(ALIASES, "aliases.yaml").data
    base = {"kind": "order", "tags": ["a", "b"]}
    assert data == {
        "base": base,
        "copy": base,
        "items": [1, 1, base, [1, base], [1, base]],
        "1": "a key from an alias",
    }
    assert_reads_like_libyaml(ALIASES, "aliases.yaml")


def test_an_alias_is_located_where_its_anchor_is() -> None:
    document = parse_yaml(ALIASES, "aliases.yaml")

    def at(pointer: str) -> tuple[int, int]:
        location = document.locate(pointer)
        return location.line, location.column

    assert at("/copy") == (4, 1)  # the key in front of the alias
    assert at("/copy/kind") == at("/base/kind") == (2, 3)
    assert at("/copy/tags/1") == at("/base/tags/1") == (3, 13)
    assert at("/items/1") == at("/items/0") == (6, 5)
    assert at("/items/2") == (1, 7)  # the `&base` anchor
    assert at("/items/4/1/tags/0") == at("/items/3/1/tags/0") == (3, 10)
    assert at("/1") == (6, 5)


def test_each_alias_is_a_copy_of_its_own() -> None:
    data = parse_yaml(ALIASES, "aliases.yaml").data
    data["copy"]["tags"].append("c")
    data["items"][4][1]["kind"] = "changed"
    assert data["base"] == {"kind": "order", "tags": ["a", "b"]}
    assert data["items"][3] == [1, {"kind": "order", "tags": ["a", "b"]}]


def test_expanded_values_count_toward_the_limit_with_their_keys() -> None:
    # root, 2 keys, the anchored mapping (1 + 500 keys + 500 values), the list (1 + n * 1,001).
    anchored = "a: &a {" + ", ".join(f"k{index}: 1" for index in range(500)) + "}\n"
    fits = (MAX_NODES - 1_005) // 1_001
    document = parse_yaml(anchored + "b: [" + ", ".join(["*a"] * fits) + "]\n", "fits.yaml")
    assert len(document.data["b"]) == fits
    with pytest.raises(InputError) as refused:
        parse_yaml(anchored + "b: [" + ", ".join(["*a"] * (fits + 1)) + "]\n", "bomb.yaml")
    error = refused.value
    # Neither value alone passes the limit: the document as a whole is pointed at.
    assert (error.message, error.line, error.column) == (TOO_MANY_NODES, 1, 1)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: *nope\n", "alias '*nope' names no anchor", 1, 4),
        ("a: &x 1\nb: [&x 2]\n", "anchor 'x' is defined twice; rename one", 2, 5),
        ("a: &k [1]\n? *k\n: 2\n", "mapping keys must be plain strings or numbers", 1, 4),
        ("a: &k b\nb: 1\n*k : 2\n", "duplicate key 'b'; each key may appear once", 1, 4),
        (
            "a: &m <<\nb: {*m : 1}\n",
            "YAML merge keys ('<<') are not supported; write keys out",
            1,
            4,
        ),
        ("a: &loop {b: [*loop]}\n", "nested deeper than 64 levels; flatten the document", 1, 4),
        ("a: &x 1\n---\nb: *x\n", "more than one YAML document ('---'); keep one per file", 2, 1),
        ("a: &b !!binary aGk=\nb: *b\n", "binary values (!!binary) have no JSON form", 1, 4),
    ],
    ids=[
        "no-anchor",
        "anchor-twice",
        "collection-key",
        "duplicate",
        "merge",
        "loop",
        "two-docs",
        "binary",
    ],
)
def test_anchor_and_alias_mistakes_are_refused_where_they_are(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(InputError) as refused:
        parse_yaml(text, "mistake.yaml")
    error = refused.value
    assert error.message.startswith(message)
    assert (error.line, error.column) == (line, column)


def test_an_alias_nesting_its_anchor_too_deep_is_refused_at_the_alias() -> None:
    text = "a: &deep " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*deep" + "]" * 30 + "\n"
    with pytest.raises(InputError) as refused:
        parse_yaml(text, "deep.yaml")
    error = refused.value
    assert error.message.startswith("nested deeper than 64 levels")
    assert (error.line, error.column) == (2, 34)


# --- generated documents with anchors and aliases -------------------------------------------

# The same examples on every run, so the time stays bounded.
GENERATED = settings(max_examples=150, derandomize=True, deadline=None, database=None)
TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)
# YAML's printable characters, and escapes JSON and YAML write alike.
PRINTABLE = st.characters(whitelist_categories=["L", "M", "N", "P", "S", "Zs"])
QUOTED = st.text(PRINTABLE | st.sampled_from('\n\t\\"\x1b'), max_size=8)
SCALAR_TEXTS = (
    st.sampled_from(["plain", "on", "no", "~", "1.5", "0x1f", "2026-11-27", "'quoted'", "-7"])
    | st.integers(-(10**20), 10**20).map(str)
    | QUOTED.map(lambda text: json.dumps(text, ensure_ascii=False))
)
KEYS = st.sampled_from(["a", "b", "on", "yes", "200", "'x y'", '"a/b~c"'])
# A node: ("scalar", text, anchored), ("alias", which), ("list", items, anchored),
# ("map", {key: node}, anchored).
NODES = st.recursive(
    st.tuples(st.just("scalar"), SCALAR_TEXTS, st.booleans())
    | st.tuples(st.just("alias"), st.integers(0, 50)),
    lambda children: (
        st.tuples(st.just("list"), st.lists(children, max_size=4), st.booleans())
        | st.tuples(st.just("map"), st.dictionaries(KEYS, children, max_size=4), st.booleans())
    ),
    max_leaves=25,
)


def flow_yaml(node: tuple, anchors: list[str]) -> str:
    """YAML flow text for a node; an alias names one of the anchors already closed."""
    if node[0] == "alias":
        return f"*{anchors[node[1] % len(anchors)]}" if anchors else "~"
    kind, body, anchored = node
    if kind == "scalar":
        text = body
    elif kind == "list":
        text = "[" + ", ".join(flow_yaml(item, anchors) for item in body) + "]"
    else:
        text = "{" + ", ".join(f"{key}: {flow_yaml(v, anchors)}" for key, v in body.items()) + "}"
    if not anchored:
        return text
    anchors.append(f"n{len(anchors)}")
    return f"&{anchors[-1]} {text}"


@GENERATED
@given(NODES)
def test_generated_documents_with_anchors_and_aliases_read_like_libyaml(node: tuple) -> None:
    assert_reads_like_libyaml(flow_yaml(node, []) + "\n", "generated.yaml")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=10,
)


@GENERATED
@given(JSON_VALUES, JSON_VALUES)
def test_generated_block_documents_with_nested_aliases_read_like_libyaml(
    shared: Any, other: Any
) -> None:
    # PyYAML anchors each collection used twice: `outer` holds `shared`, and both recur.
    outer = {"shared": shared, "other": other, "again": [shared]}
    text = yaml.safe_dump({"outer": outer, "copy": outer, "shared": shared}, sort_keys=False)
    assert_reads_like_libyaml(text, "generated.yaml")
