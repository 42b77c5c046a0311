"""Confluent Schema Registry's own Protobuf verdicts: every case of the corpus must agree.

Vectors: tests/data/compat/protobuf-backward.json (a verbatim copy of the shared corpus, from
confluentinc/schema-registry `protobuf-provider/src/test/resources/diff-schema-examples*.json`).
Each case compiles both versions with protoc and compares Confluent's difference types and paths.
The one case whose schemas are files of Confluent's test resources (custom option imports) is
reproduced by schemas written for grimoire with the same shape, in tests/data/protobuf/.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eventdesign.compat.schema_files import read_schema_file
from eventdesign.protobuf.confluent_diff import compare, is_compatible
from eventdesign.protobuf.schema import compile_schema
from eventdesign.protobuf.toolchain import ProtoSource

DATA = Path(__file__).resolve().parent / "data"
CASES = json.loads((DATA / "compat" / "protobuf-backward.json").read_text(encoding="utf-8"))
TEXT_CASES = [case for case in CASES if "\n" in case["old"]]
FILE_CASES = [case for case in CASES if "\n" not in case["old"]]


def _schema(text: str, dependencies: list[dict], shown: str):
    files = {d["name"]: d["dependency"] for d in dependencies if "dependency" in d}
    return compile_schema(ProtoSource("schema.proto", text, shown, None, files))


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda case: case["id"])
def test_protobuf_corpus_case_agrees_with_confluent(case: dict) -> None:
    original = _schema(case["old"], case.get("original_dependencies", []), "old.proto")
    update = _schema(case["new"], case.get("update_dependencies", []), "new.proto")
    differences = compare(original, update)
    assert Counter(f"{d.type} {d.path}" for d in differences) == Counter(case["changes"])
    assert is_compatible(differences) is case["compatible_backward"]


def test_every_corpus_case_is_run() -> None:
    assert len(TEXT_CASES) + len(FILE_CASES) == len(CASES) == 28
    assert [case["description"] for case in FILE_CASES] == ["Ignore changes to custom imports"]


def test_changed_custom_options_are_ignored_like_the_corpus_file_case() -> None:
    (case,) = FILE_CASES
    folder = DATA / "protobuf" / "custom-options"
    original = read_schema_file(str(folder / "old" / "meter_read.proto")).data
    update = read_schema_file(str(folder / "new" / "meter_read.proto")).data
    differences = compare(original, update)
    assert [f"{d.type} {d.path}" for d in differences] == ["ENUM_ADDED #/Quality"]
    assert [d.type for d in differences] == [c.split()[0] for c in case["changes"]]
    assert is_compatible(differences) is case["compatible_backward"]
