"""The registries' own verdicts: every case of the shared corpus must agree.

Vectors: tests/data/compat/*.json (copies of the shared corpus, ids and sources kept; see the
README there). When a copy is missing the shared corpus beside the repository is read instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventdesign.compat.jsonschema_diff import COMPATIBLE_CHANGES
from eventdesign.rules.compatibility import check_schemas

REPO_ROOT = Path(__file__).resolve().parents[1]
COPIES = REPO_ROOT / "tests" / "data" / "compat"
SHARED = REPO_ROOT.parent / "shared" / "corpus"


def corpus(name: str) -> list[dict]:
    path = COPIES / name if (COPIES / name).exists() else SHARED / name
    return json.loads(path.read_text(encoding="utf-8"))


JSON_CASES = corpus("jsonschema-backward.json")
AVRO_CASES = corpus("avro-reader-writer.json")
MODE_CASES = corpus("avro-modes.json")

# Cases where the Ruby library (whose verdict the corpus records, marked impl_specific) departs
# from the Avro specification and the Java implementation. We follow the specification, as the
# official Python `avro` package does: case id -> (specification's verdict, reason).
SPECIFICATION_VERDICTS = {
    "ruby:125": (
        False,
        "named types resolve by name: fixed Fixed1 cannot be read as fixed Fixed2; a decimal "
        "logical type does not change resolution",
    ),
    "ruby:127": (
        False,
        "a fixed is exactly `size` bytes: a size-3 reader cannot read size-2 data, decimal or not",
    ),
    "ruby:132": (
        False,
        "resolution uses the underlying types, and bytes cannot read fixed (decimal or not)",
    ),
    "ruby:133": (
        False,
        "resolution uses the underlying types, and fixed cannot read bytes (decimal or not)",
    ),
    "ruby:140": (False, "fixed cannot read bytes; the decimal logical type does not change that"),
    "ruby:141": (False, "bytes cannot read fixed; the decimal logical type does not change that"),
    "ruby:143": (False, "bytes cannot read fixed; the decimal logical type does not change that"),
    "ruby:147": (
        True,
        "the specification matches a union branch by unqualified name (Java: schemaNameEquals), "
        "so written.Point resolves to the reader's Point, whose extra field has a default",
    ),
}


def expected_avro_verdict(case: dict) -> bool:
    if case["id"] in SPECIFICATION_VERDICTS:
        assert case.get("impl_specific"), "only Ruby-specific cases may differ from the corpus"
        return SPECIFICATION_VERDICTS[case["id"]][0]
    return case["compatible"]


@pytest.mark.parametrize("case", JSON_CASES, ids=[c["id"] for c in JSON_CASES])
def test_json_schema_backward_verdict_agrees_with_confluent(case: dict) -> None:
    verdict = check_schemas([case["old"], case["new"]], "BACKWARD")
    assert verdict.compatible is case["compatible_backward"]


@pytest.mark.parametrize(
    "case",
    [c for c in JSON_CASES if c["changes"]],
    ids=[c["id"] for c in JSON_CASES if c["changes"]],
)
def test_json_schema_reports_confluents_incompatible_change_types(case: dict) -> None:
    verdict = check_schemas([case["old"], case["new"]], "BACKWARD")
    reported = {f"{c.code} {c.path}" for c in verdict.checks[0].changes}
    expected = {c for c in case["changes"] if c.split()[0] not in COMPATIBLE_CHANGES}
    assert expected <= reported


@pytest.mark.parametrize(
    "case",
    [c for c in JSON_CASES if c["changes"]],
    ids=[c["id"] for c in JSON_CASES if c["changes"]],
)
def test_json_schema_lists_every_change_confluent_lists(case: dict) -> None:
    verdict = check_schemas([case["old"], case["new"]], "BACKWARD")
    reported = {f"{c.code} {c.path}" for c in verdict.checks[0].changes}
    assert set(case["changes"]) <= reported


def test_json_schema_corpus_agreement_is_complete() -> None:
    agreeing = sum(
        check_schemas([c["old"], c["new"]], "BACKWARD").compatible is c["compatible_backward"]
        for c in JSON_CASES
    )
    assert (agreeing, len(JSON_CASES)) == (136, 136)


@pytest.mark.parametrize("case", AVRO_CASES, ids=[c["id"] for c in AVRO_CASES])
def test_avro_reader_writer_verdict_agrees_with_the_specification(case: dict) -> None:
    # Registry FORWARD checks the previous (reader) against the new (writer) schema.
    verdict = check_schemas([case["reader"], case["writer"]], "FORWARD", "avro")
    assert verdict.compatible is expected_avro_verdict(case)


@pytest.mark.parametrize(
    "case",
    [c for c in AVRO_CASES if c.get("incompatibility")],
    ids=[c["id"] for c in AVRO_CASES if c.get("incompatibility")],
)
def test_avro_names_the_incompatibility_kind_the_suite_expects(case: dict) -> None:
    verdict = check_schemas([case["reader"], case["writer"]], "FORWARD", "avro")
    assert case["incompatibility"] in {c.code for c in verdict.checks[0].errors}


def test_avro_corpus_agrees_except_the_documented_ruby_cases() -> None:
    differing = [
        c["id"]
        for c in AVRO_CASES
        if check_schemas([c["reader"], c["writer"]], "FORWARD", "avro").compatible
        is not c["compatible"]
    ]
    assert sorted(differing) == sorted(SPECIFICATION_VERDICTS)


@pytest.mark.parametrize("case", MODE_CASES, ids=[c["id"] for c in MODE_CASES])
def test_avro_registry_mode_verdict_agrees_with_confluent(case: dict) -> None:
    verdict = check_schemas([*case["previous"], case["new"]], case["mode"], "avro")
    assert verdict.compatible is case["compatible"]
