"""allOf/anyOf/oneOf branches are paired with their closest compatible counterpart.

Confluent's CombinedSchemaDiff pairs old and new subschemas by a maximum matching of compatible
pairs; any such matching gives its verdict. grimoire's warnings (changes Confluent accepts that
may still reject data) depend on which pairs are compared, so an unchanged branch must meet its
unchanged counterpart, not a sibling it is only compatible with under a warning.

Vectors written for grimoire: IoT telemetry (tests/data/compat/telemetry) and the inline
ride-hailing and lending schemas below.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventdesign.cli import main
from eventdesign.compat.jsonschema_diff import _closest_matching, _distance
from eventdesign.rules.compatibility import check_schemas

TELEMETRY = Path(__file__).resolve().parent / "data" / "compat" / "telemetry"

# A ride is booked for a rider account or for a guest phone number; neither is declared, so
# pairing one branch with the other would report a newly required undeclared property.
IDENTIFIED_BY = [
    {"type": "object", "required": ["riderId"]},
    {"type": "object", "required": ["guestPhone"]},
]


def ride_request(criterion: str, branches: list, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {"pickup": {"type": "string"}},
        criterion: branches,
    }


def findings(old: object, new: object) -> list[str]:
    verdict = check_schemas([old, new], "BACKWARD")
    check = verdict.checks[0]
    return [f"{c.code} {c.path}" for c in check.errors + check.warnings]


@pytest.mark.parametrize("criterion", ["anyOf", "oneOf", "allOf"])
def test_an_unchanged_combinator_reports_nothing_when_only_the_description_changes(
    criterion: str,
) -> None:
    old = ride_request(criterion, IDENTIFIED_BY, "A ride request.")
    new = ride_request(criterion, IDENTIFIED_BY, "A ride request from the app.")
    assert findings(old, new) == []


@pytest.mark.parametrize("criterion", ["anyOf", "oneOf", "allOf"])
def test_reordered_branches_still_find_their_counterparts(criterion: str) -> None:
    old = ride_request(criterion, IDENTIFIED_BY, "A ride request.")
    new = ride_request(criterion, IDENTIFIED_BY[::-1], "A ride request.")
    assert findings(old, new) == []


def test_many_reordered_branches_all_find_their_counterparts() -> None:
    names = ["riderId", "guestPhone", "corporateAccount", "voucherCode", "hotelRoom", "kioskId"]
    branches = [{"type": "object", "required": [name]} for name in names]
    old = ride_request("anyOf", branches, "A ride request.")
    new = ride_request("anyOf", branches[3:] + branches[:3], "A ride request.")
    assert findings(old, new) == []


@pytest.mark.parametrize("criterion", ["anyOf", "oneOf", "allOf"])
def test_a_branch_that_really_gains_an_undeclared_requirement_still_warns(
    criterion: str,
) -> None:
    old = ride_request(criterion, IDENTIFIED_BY, "A ride request.")
    changed = [{"type": "object", "required": ["riderId", "paymentMethod"]}, IDENTIFIED_BY[1]]
    new = ride_request(criterion, changed[::-1], "A ride request.")
    warnings = [f for f in findings(old, new) if f.startswith("REQUIRED_UNDECLARED")]
    assert warnings == [
        f"REQUIRED_UNDECLARED_PROPERTY_ADDED #/allOf/0/{criterion}/0/required/paymentMethod"
    ]


def test_a_branch_whose_only_compatible_counterparts_warn_still_warns() -> None:
    # A loan application names its applicant by customer number or by national id; both
    # branches now also require a credit score nobody declared: each pairing warns.
    old = {
        "anyOf": [
            {"type": "object", "required": ["customerNumber"]},
            {"type": "object", "required": ["nationalId"]},
        ]
    }
    new = {
        "anyOf": [
            {"type": "object", "required": ["customerNumber", "creditScore"]},
            {"type": "object", "required": ["nationalId", "creditScore"]},
        ]
    }
    assert findings(old, new) == [
        "REQUIRED_UNDECLARED_PROPERTY_ADDED #/anyOf/0/required/creditScore",
        "REQUIRED_UNDECLARED_PROPERTY_ADDED #/anyOf/1/required/creditScore",
    ]


def test_a_plain_schema_widened_to_a_union_is_compared_with_its_closest_branch() -> None:
    # The first branch accepts the old payloads only under a warning, the second one exactly.
    old = {"type": "object", "properties": {"riderId": {"type": "string"}}}
    new = {
        "anyOf": [
            {"type": "object", "required": ["guestPhone"]},
            {"type": "object", "properties": {"riderId": {"type": "string"}}},
        ]
    }
    verdict = check_schemas([old, new], "BACKWARD")
    assert verdict.compatible
    assert findings(old, new) == []


def test_an_allof_narrowed_to_a_plain_schema_is_compared_with_its_closest_part() -> None:
    old = {
        "allOf": [
            {"type": "object", "required": ["guestPhone"]},
            {"type": "object", "properties": {"riderId": {"type": "string"}}},
        ]
    }
    new = {"type": "object", "properties": {"riderId": {"type": "string"}}}
    assert check_schemas([old, new], "BACKWARD").compatible
    assert findings(old, new) == []


def test_incompatible_branches_are_still_reported() -> None:
    old = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    new = {"anyOf": [{"type": "string", "maxLength": 8}, {"type": "integer"}]}
    verdict = check_schemas([old, new], "BACKWARD")
    assert not verdict.compatible
    assert "COMBINED_TYPE_SUBSCHEMAS_CHANGED #/" in findings(old, new)


# The telemetry files, through the command line -----------------------------------------------


def compat(capsys: pytest.CaptureFixture, old: str, new: str) -> tuple[int, str]:
    code = main(["compat", str(TELEMETRY / old), str(TELEMETRY / new)])
    return code, capsys.readouterr().out


def test_sound_reading_with_a_reworded_description_and_reordered_branches_is_clean(
    capsys,
) -> None:
    code, out = compat(capsys, "reading-v1.json", "reading-v2-description.json")
    assert code == 0
    assert "compat: 0 errors, 0 warnings, 0 info" in out


def test_flawed_reading_that_requires_an_undeclared_firmware_version_warns_once(
    capsys,
) -> None:
    code, out = compat(capsys, "reading-v1.json", "reading-v2-firmware-required.json")
    assert code == 0
    assert out.count("warning CMP090 REQUIRED_UNDECLARED_PROPERTY_ADDED") == 1
    assert "#/allOf/0/anyOf/0/required/firmwareVersion" in out


# The matching itself, against every possible matching -----------------------------------------

INCOMPATIBLE = ("TYPE_CHANGED", None, "", "", "")
WARNING = ("CONSTRAINT_NOT_COMPARED", None, "", "", "")
COMPATIBLE = ("DESCRIPTION_CHANGED", None, "", "", "")
PAIR_RESULTS = st.one_of(
    st.just([INCOMPATIBLE]),
    st.builds(
        lambda warnings, others: [WARNING] * warnings + [COMPATIBLE] * others,
        st.integers(0, 2),
        st.integers(0, 3),
    ),
)


def every_matching(old_count: int, new_count: int):
    """Every set of disjoint (old, new) pairs, as old -> new."""
    for size in range(min(old_count, new_count) + 1):
        for olds in itertools.combinations(range(old_count), size):
            for news in itertools.permutations(range(new_count), size):
                yield dict(zip(olds, news))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_branches_are_matched_as_often_as_possible_then_as_closely_as_possible(
    old_count: int, new_count: int, data: st.DataObject
) -> None:
    pairs = [(i, j) for i in range(old_count) for j in range(new_count)]
    results = {pair: data.draw(PAIR_RESULTS) for pair in pairs}

    def rank(matching: dict) -> tuple[int, int]:
        return -len(matching), sum(_distance(results[pair]) for pair in matching.items())

    found = _closest_matching(results, old_count, new_count)
    assert len(set(found.values())) == len(found)
    assert all(INCOMPATIBLE not in results[pair] for pair in found.items())
    possible = [
        m
        for m in every_matching(old_count, new_count)
        if all(INCOMPATIBLE not in results[pair] for pair in m.items())
    ]
    assert rank(found) == min(rank(m) for m in possible)
