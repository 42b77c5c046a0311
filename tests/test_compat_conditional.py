"""`if`/`then`/`else`: added, changed and removed, as Confluent's registry judges them.

everit (which Confluent's registry loads schemas with) reads `if`/`then`/`else` as a conditional
schema; beside other keywords the object becomes a synthetic allOf of the plain schema and the
conditional. Confluent's SchemaDiff has no rule for conditional schemas
(json-schema-provider diff/SchemaDiff.compareTypes), so:

- added where there was none: a plain schema against an allOf is a TYPE_CHANGED (an allOf
  gaining the conditional, PRODUCT_TYPE_EXTENDED, when the old schema was already an allOf).
  Incompatible either way; grimoire reports PRODUCT_TYPE_EXTENDED, which says what happened,
  and names Confluent's TYPE_CHANGED in the detail;
- changed: two conditional schemas are never compared, so Confluent accepts any edit and
  grimoire warns (CONSTRAINT_NOT_COMPARED);
- removed: the allOf drops a part, a compatible PRODUCT_TYPE_NARROWED.

Vectors written for grimoire: ride hailing (tests/data/compat/rides) and inline schemas.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from eventdesign.cli import main
from eventdesign.rules.compatibility import check_schemas

RIDES = Path(__file__).resolve().parent / "data" / "compat" / "rides"

RIDE = {
    "type": "object",
    "properties": {"vehicleClass": {"type": "string"}, "seats": {"type": "integer"}},
}
XL_NEEDS_SEATS = {
    "if": {"properties": {"vehicleClass": {"const": "XL"}}},
    "then": {"required": ["seats"]},
}


def changes(old: object, new: object) -> list[tuple[str, str]]:
    verdict = check_schemas([old, new], "BACKWARD")
    check = verdict.checks[0]
    return [(c.code, c.path) for c in check.errors + check.warnings]


def errors(old: object, new: object) -> list:
    return check_schemas([old, new], "BACKWARD").checks[0].errors


@pytest.mark.parametrize(
    "added",
    [
        XL_NEEDS_SEATS,
        {**XL_NEEDS_SEATS, "else": {"properties": {"seats": {"maximum": 4}}}},
        {"if": XL_NEEDS_SEATS["if"], "else": {"not": {"required": ["seats"]}}},
    ],
    ids=["if/then", "if/then/else", "if/else"],
)
def test_adding_a_conditional_to_a_typed_object_is_an_allof_gaining_a_part(added: dict) -> None:
    assert changes(RIDE, {**RIDE, **added}) == [("PRODUCT_TYPE_EXTENDED", "#/")]


def test_the_finding_names_the_keywords_added_and_confluents_own_change_type() -> None:
    (change,) = errors(RIDE, {**RIDE, **XL_NEEDS_SEATS})
    assert change.detail == (
        "if/then added; Confluent reports TYPE_CHANGED, object -> object+conditional"
    )
    assert change.reader_pointer == "/if"


def test_adding_a_conditional_to_a_schema_without_keywords_is_reported_the_same_way() -> None:
    (change,) = errors({}, XL_NEEDS_SEATS)
    assert change.code == "PRODUCT_TYPE_EXTENDED"
    assert change.detail == "if/then added; Confluent reports TYPE_CHANGED, any -> conditional"


def test_adding_a_conditional_beside_an_enum_is_confluents_product_type_extended() -> None:
    # `{"type": "string", "enum": [...]}` is already an allOf for everit: it gains a third part.
    old = {"type": "string", "enum": ["STANDARD", "XL"]}
    new = {**old, "if": {"const": "XL"}, "then": {"maxLength": 2}}
    assert changes(old, new) == [("PRODUCT_TYPE_EXTENDED", "#/")]
    assert errors(old, new)[0].detail == "if/then added (2 -> 3 schemas)"


def test_a_conditional_added_to_an_explicit_allof_is_named_too() -> None:
    old = {"allOf": [{"type": "string"}]}
    new = {"allOf": [{"type": "string"}, {"if": {"const": "XL"}, "else": {"maxLength": 2}}]}
    (change,) = errors(old, new)
    assert (change.code, change.detail) == (
        "PRODUCT_TYPE_EXTENDED",
        "if/else added (1 -> 2 schemas)",
    )


def test_a_type_change_beside_an_added_conditional_is_reported_too() -> None:
    old = {"type": "object", "properties": {"seats": {"type": "integer"}}}
    new = {"type": "object", "properties": {"seats": {"type": "string"}}, **XL_NEEDS_SEATS}
    assert changes(old, new) == [
        ("TYPE_CHANGED", "#/properties/seats"),
        ("PRODUCT_TYPE_EXTENDED", "#/"),
    ]


def test_removing_a_conditional_is_compatible() -> None:
    assert changes({**RIDE, **XL_NEEDS_SEATS}, RIDE) == []
    assert changes(XL_NEEDS_SEATS, {}) == []


@pytest.mark.parametrize(
    "edited",
    [
        {**XL_NEEDS_SEATS, "then": {"required": ["seats", "vehicleClass"]}},
        {**XL_NEEDS_SEATS, "else": {"required": ["seats"]}},
    ],
    ids=["then changed", "else added to an existing if"],
)
def test_editing_an_existing_conditional_warns_that_confluent_does_not_compare_it(
    edited: dict,
) -> None:
    assert changes({**RIDE, **XL_NEEDS_SEATS}, {**RIDE, **edited}) == [
        ("CONSTRAINT_NOT_COMPARED", "#/allOf/1")
    ]


def test_an_unchanged_conditional_reports_nothing() -> None:
    old = {**RIDE, **XL_NEEDS_SEATS, "description": "A ride request."}
    new = {**RIDE, **XL_NEEDS_SEATS, "description": "A ride request from the app."}
    assert changes(old, new) == []


# The ride files: both verdicts, through the command line and a real validator ---------------

OLD_XL_RIDE = {"rideId": "r-7", "vehicleClass": "XL"}


def load(name: str) -> dict:
    return json.loads((RIDES / name).read_text(encoding="utf-8"))


def compat(capsys: pytest.CaptureFixture, old: str, new: str) -> tuple[int, str]:
    code = main(["compat", str(RIDES / old), str(RIDES / new)])
    return code, capsys.readouterr().out


def test_sound_ride_adding_an_optional_seat_count_is_compatible(capsys) -> None:
    code, out = compat(capsys, "ride-requested-v1.json", "ride-requested-v2-seats-optional.json")
    assert code == 0
    assert "compat: 0 errors, 0 warnings, 0 info" in out
    jsonschema.validate(OLD_XL_RIDE, load("ride-requested-v2-seats-optional.json"))


def test_flawed_ride_requiring_seats_for_xl_rides_is_incompatible(capsys) -> None:
    code, out = compat(capsys, "ride-requested-v1.json", "ride-requested-v2-seats-if-xl.json")
    assert code == 1
    assert (
        "ride-requested-v2-seats-if-xl.json:12:3: error CMP080 PRODUCT_TYPE_EXTENDED at #/ "
        "(if/then added; Confluent reports TYPE_CHANGED, object -> object+conditional)"
    ) in out
    # Why: an XL ride written before the change has no seat count, which the reader now needs.
    jsonschema.validate(OLD_XL_RIDE, load("ride-requested-v1.json"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(OLD_XL_RIDE, load("ride-requested-v2-seats-if-xl.json"))
