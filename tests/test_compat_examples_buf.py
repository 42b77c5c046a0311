"""The Protobuf compatibility rules' worked examples, checked by the real `buf breaking`.

Every compatible alternative a rule's explanation shows must pass buf's strictest category
too (FILE, which holds WIRE_JSON and WIRE), not only compat's own reading; and each example of
a buf category (BUF_WIRE, BUF_WIRE_JSON, BUF_FILE) must be rejected by buf in exactly the
categories the rule names. The pairs come from rules/compat_examples/protobuf.py; each side
gets a package of its own so that all of them fit one buf module. buf comes from npm
(@bufbuild/buf) and runs offline.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import buf_breaking
from eventdesign.protobuf.buf_rules import CATEGORIES
from eventdesign.rules.compat_examples.protobuf import EXAMPLES

SIDES = ("example", "instead")
# The categories whose rules reject each buf example: a category holds the ones below it.
REJECTED_BY = {
    "BUF_WIRE": {"WIRE", "WIRE_JSON", "FILE"},
    "BUF_WIRE_JSON": {"WIRE_JSON", "FILE"},
    "BUF_FILE": {"FILE"},
}


def _file(code: str, side: str) -> str:
    return f"{code.lower()}_{side}.proto"


def _in_own_package(text: str, code: str, side: str) -> str:
    return re.sub(r"^package (\S+);", rf"package {code.lower()}_{side}.\1;", text, flags=re.M)


@pytest.fixture(scope="module")
def buf_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], bool]:
    """(code, side, category) -> whether `buf breaking` rejects the pair in that category."""
    root = tmp_path_factory.mktemp("buf-examples")
    for code, pairs in EXAMPLES.items():
        for side, text in zip(SIDES, pairs):
            pair = yaml.safe_load(text)
            for folder, key in (("old", "before"), ("new", "after")):
                (root / folder).mkdir(exist_ok=True)
                (root / folder / _file(code, side)).write_text(
                    _in_own_package(pair[key], code, side), encoding="utf-8"
                )
    by_file = {_file(code, side): (code, side) for code in EXAMPLES for side in SIDES}
    verdicts = {(code, side, c): False for code in EXAMPLES for side in SIDES for c in CATEGORIES}
    for category in CATEGORIES:
        for annotation in buf_breaking(root, category):
            code, side = by_file[annotation["path"]]
            verdicts[(code, side, category)] = True
    return verdicts


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_alternative_passes_every_buf_category(code, buf_verdicts):
    assert [c for c in CATEGORIES if buf_verdicts[(code, "instead", c)]] == []


@pytest.mark.parametrize("code", sorted(REJECTED_BY))
def test_a_buf_example_breaks_exactly_its_categories(code, buf_verdicts):
    rejected = {c for c in CATEGORIES if buf_verdicts[(code, "example", c)]}
    assert rejected == REJECTED_BY[code]
