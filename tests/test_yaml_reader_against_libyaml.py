"""The model reader's YAML builders give libyaml's (PyYAML's CSafeLoader's) data.

The reader builds data from parser events itself (and through the node tree when a document
has anchors), to remember where every value came from. Both ways are compared here with
PyYAML's CSafeLoader on every YAML file of the tests and examples and on generated
documents (AsyncAPI exports, synthetic bench models), with the anchored way forced by
appending an anchor. The reader's deliberate differences are applied to libyaml's side:
a plain on/off/yes/no key is the word, other non-text keys are their text, timestamps stay
text (the model speaks JSON).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO_ROOT
from eventdesign.errors import InputError
from eventdesign.model.loader import load_model
from eventdesign.model.source import parse_yaml
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi

sys.path.insert(0, str(REPO_ROOT / "bench"))
from generate_model import generate_model

GUARDED = {"billion-laughs.yaml"}  # refused on purpose (tests/test_model_loader.py)
FILES = sorted(
    path
    for folder in ("tests/data", "examples")
    for pattern in ("*.yaml", "*.yml")
    for path in (REPO_ROOT / folder).rglob(pattern)
    if path.name not in GUARDED
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
    if "format: grimoire/" in path.read_text(encoding="utf-8") and loads(path)
]


class Reference(yaml.CSafeLoader):
    """libyaml's loader with the reader's documented choices."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:bool":
                key = key_node.value
            else:
                key = self.construct_object(key_node, deep=True)
                key = key if isinstance(key, str) else str(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_timestamp(self, node: Any) -> str:
        return node.value


Reference.add_constructor("tag:yaml.org,2002:timestamp", Reference.construct_yaml_timestamp)


def assert_reads_like_libyaml(text: str, shown: str) -> None:
    expected = yaml.load(text, Loader=Reference)
    assert parse_yaml(text, shown).data == expected
    # The same document with an anchor goes through the node-tree builder.
    anchored = f"{text.rstrip()}\nzz-anchored: &zz-anchor [1]\nzz-alias: *zz-anchor\n"
    if isinstance(expected, dict):
        assert parse_yaml(anchored, shown).data == {
            **expected,
            "zz-anchored": [1],
            "zz-alias": [1],
        }


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_yaml_file_of_the_tests_reads_like_libyaml(path: Path) -> None:
    assert_reads_like_libyaml(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", DESIGN_MODELS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_the_asyncapi_export_of_every_model_reads_like_libyaml(path: Path) -> None:
    text = dump_asyncapi(build_asyncapi(load_model(path)), "yaml")
    assert_reads_like_libyaml(text, "asyncapi.yaml")


def test_a_generated_model_reads_like_libyaml() -> None:
    model = generate_model(services=40, events=200, sagas=4)
    assert_reads_like_libyaml(yaml.safe_dump(model, sort_keys=False, width=100), "bench.yaml")


def test_the_reference_applies_the_readers_choices() -> None:
    text = "on: 1\n200: x\nwhen: 2026-11-27\n"
    assert yaml.load(text, Loader=Reference) == {"on": 1, "200": "x", "when": "2026-11-27"}
    assert yaml.load(text, Loader=yaml.CSafeLoader) != yaml.load(text, Loader=Reference)
