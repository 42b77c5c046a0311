"""Registry modes: which versions each mode compares, and their verdicts on real histories.

Vectors: small schemas written for grimoire (the registry's own mode cases are in
test_compat_corpus.py).
"""

from __future__ import annotations

import pytest

from eventdesign.compat.modes import MODES, Comparison, comparisons, normalize_mode
from eventdesign.errors import InputError
from eventdesign.rules.compatibility import check_schemas

CLOSED_V1 = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"id": {"type": "string"}},
    "required": ["id"],
}
CLOSED_V2_OPTIONAL = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"id": {"type": "string"}, "note": {"type": "string"}},
    "required": ["id"],
}
CLOSED_V3_REQUIRED = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"id": {"type": "string"}, "note": {"type": "string"}},
    "required": ["id", "note"],
}

AVRO_V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}
AVRO_V2 = {
    "type": "record",
    "name": "Order",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "note", "type": "string", "default": ""},
    ],
}
AVRO_V3 = {
    "type": "record",
    "name": "Order",
    "fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}],
}


def test_backward_has_the_new_version_read_the_latest_previous_one() -> None:
    assert comparisons("BACKWARD", 3) == [Comparison("BACKWARD", reader=2, writer=1)]


def test_forward_has_the_latest_previous_version_read_the_new_one() -> None:
    assert comparisons("FORWARD", 3) == [Comparison("FORWARD", reader=1, writer=2)]


def test_full_checks_both_directions() -> None:
    assert comparisons("FULL", 2) == [
        Comparison("BACKWARD", reader=1, writer=0),
        Comparison("FORWARD", reader=0, writer=1),
    ]


def test_transitive_modes_check_every_earlier_version() -> None:
    assert comparisons("BACKWARD_TRANSITIVE", 3) == [
        Comparison("BACKWARD", reader=2, writer=0),
        Comparison("BACKWARD", reader=2, writer=1),
    ]
    assert len(comparisons("FULL_TRANSITIVE", 4)) == 6


def test_none_compares_nothing() -> None:
    assert comparisons("NONE", 5) == []


def test_a_single_version_has_nothing_to_compare_with() -> None:
    assert all(comparisons(mode, 1) == [] for mode in MODES)


@pytest.mark.parametrize("text", ["full_transitive", "Full-Transitive", " FULL_TRANSITIVE "])
def test_mode_names_are_read_in_any_case(text: str) -> None:
    assert normalize_mode(text) == "FULL_TRANSITIVE"


def test_unknown_mode_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="BACKWARD_TRANSITIVE"):
        normalize_mode("SIDEWAYS")


def test_adding_an_optional_property_to_a_closed_model_is_backward_compatible() -> None:
    assert check_schemas([CLOSED_V1, CLOSED_V2_OPTIONAL], "BACKWARD").compatible


def test_adding_a_property_to_a_closed_model_is_not_forward_compatible() -> None:
    # The old, closed schema rejects the new property in data written with the new schema.
    verdict = check_schemas([CLOSED_V1, CLOSED_V2_OPTIONAL], "FORWARD")
    assert not verdict.compatible
    assert [c.code for c in verdict.checks[0].errors] == [
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    ]


def test_full_fails_when_either_direction_fails() -> None:
    verdict = check_schemas([CLOSED_V1, CLOSED_V2_OPTIONAL], "FULL")
    assert not verdict.compatible
    assert [bool(c.errors) for c in verdict.checks] == [False, True]


def test_full_passes_when_both_directions_pass() -> None:
    open_v1 = {"type": "object", "properties": {"id": {"type": "string"}}}
    open_v2 = {"type": "object", "properties": {"id": {"type": "string", "description": "key"}}}
    assert check_schemas([open_v1, open_v2], "FULL").compatible


def test_requiring_a_property_declared_optional_before_breaks_backward() -> None:
    # v2 declared `note` as optional, so v2's data may lack it; v3 requires it.
    history = [CLOSED_V1, CLOSED_V2_OPTIONAL, CLOSED_V3_REQUIRED]
    latest = check_schemas(history, "BACKWARD")
    assert [c.code for c in latest.checks[0].errors] == ["REQUIRED_ATTRIBUTE_ADDED"]


def test_transitive_reports_each_earlier_version_separately() -> None:
    history = [CLOSED_V1, CLOSED_V2_OPTIONAL, CLOSED_V3_REQUIRED]
    verdict = check_schemas(history, "BACKWARD_TRANSITIVE")
    by_writer = {c.comparison.writer: [x.code for x in c.errors] for c in verdict.checks}
    assert by_writer == {
        0: ["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"],
        1: ["REQUIRED_ATTRIBUTE_ADDED"],
    }


def test_avro_removing_a_default_is_compatible_but_not_transitively() -> None:
    history = [AVRO_V1, AVRO_V2, AVRO_V3]
    assert check_schemas(history, "BACKWARD", "avro").compatible
    transitive = check_schemas(history, "BACKWARD_TRANSITIVE", "avro")
    assert not transitive.compatible
    assert [c.comparison.writer for c in transitive.checks if c.errors] == [0]


def test_avro_forward_transitive_checks_every_old_reader() -> None:
    history = [AVRO_V3, AVRO_V2, AVRO_V1]
    assert check_schemas(history, "FORWARD", "avro").compatible
    assert not check_schemas(history, "FORWARD_TRANSITIVE", "avro").compatible


def test_none_accepts_any_change_but_still_reads_every_version() -> None:
    verdict = check_schemas([{"type": "string"}, {"type": "number"}], "NONE")
    assert verdict.compatible and verdict.checks == ()
    with pytest.raises(InputError, match="not a valid JSON Schema"):
        check_schemas([{"type": "strin"}, {"type": "number"}], "NONE")
