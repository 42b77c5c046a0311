"""Probable renames are one finding with safe alternatives; hints fit the failing direction.

Vectors written for grimoire: hotel booking (`qty` -> `quantity`), ride hailing (Avro fields),
insurance claims (a nested object), banking (a removal and an unrelated addition).
"""

from __future__ import annotations

import pytest

from eventdesign.report.compat_findings import findings_for
from eventdesign.rules.compatibility import check_schemas


def booking(**properties: dict) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": {"bookingId": {"type": "string"}, **properties},
    }


QTY = {"type": "integer", "minimum": 1}


def rules(findings) -> list[str]:
    return sorted(f.rule for f in findings)


@pytest.mark.parametrize("mode", ["BACKWARD", "FORWARD", "FULL", "FULL_TRANSITIVE"])
def test_a_renamed_property_is_one_finding_in_every_mode(mode: str) -> None:
    verdict = check_schemas([booking(qty=QTY), booking(quantity=QTY)], mode)
    [finding] = findings_for(verdict)
    assert finding.rule == "CMP004"
    assert "`qty` renamed to `quantity`" in finding.message
    assert "same schema" in finding.message
    assert finding.location.pointer == "/properties/quantity"


def test_rename_under_backward_says_new_readers_need_the_new_name() -> None:
    [finding] = findings_for(check_schemas([booking(qty=QTY), booking(quantity=QTY)], "BACKWARD"))
    assert "v2 requires `quantity`, which data written with v1 lacks" in finding.message
    assert "data written with v1 carries `qty`, which v2 rejects" in finding.message
    assert "Keep `qty` and add `quantity` beside it" in finding.hint
    assert "FORWARD" not in finding.hint


def test_rename_under_full_says_old_readers_lack_the_old_name_and_reject_the_new() -> None:
    [finding] = findings_for(check_schemas([booking(qty=QTY), booking(quantity=QTY)], "FULL"))
    assert "FORWARD: v1 requires `qty`, which data written with v2 lacks" in finding.message
    assert "FORWARD: data written with v2 carries `quantity`, which v1 rejects" in finding.message
    assert "partially open" in finding.hint


def test_a_similar_name_with_the_same_type_is_a_probable_rename() -> None:
    old = booking(guestName={"type": "string", "maxLength": 80})
    new = booking(guestFullName={"type": "string", "maxLength": 120})
    [finding] = findings_for(check_schemas([old, new], "BACKWARD"))
    assert "`guestName` renamed to `guestFullName`" in finding.message
    assert "similar name" in finding.message


def test_a_rename_inside_a_nested_object_is_found_where_it_happened() -> None:
    def claim(field: str) -> dict:
        vehicle = {
            "type": "object",
            "additionalProperties": False,
            "properties": {field: {"type": "string", "pattern": "^[A-Z0-9]{17}$"}},
        }
        return {"type": "object", "properties": {"vehicle": vehicle}}

    [finding] = findings_for(
        check_schemas([claim("vin"), claim("vehicleIdentification")], "BACKWARD")
    )
    assert finding.rule == "CMP004"
    assert "in #/properties/vehicle" in finding.message


def test_an_unrelated_removal_and_addition_are_not_a_rename() -> None:
    old = booking(amount={"type": "number"})
    new = booking(memo={"type": "string"})
    found = findings_for(check_schemas([old, new], "BACKWARD"))
    assert "CMP004" not in rules(found)
    assert len(found) == 2


def ride(*fields: dict) -> dict:
    return {
        "type": "record",
        "name": "RideRequested",
        "fields": [{"name": "rideId", "type": "string"}, *fields],
    }


def pickup_renamed(mode: str):
    old = ride({"name": "pickup", "type": "string"})
    new = ride({"name": "pickupPoint", "type": "string"})
    return check_schemas([old, new], mode, "avro")


def test_a_renamed_avro_field_is_one_finding_with_an_alias_hint() -> None:
    [finding] = findings_for(pickup_renamed("BACKWARD"))
    assert finding.rule == "CMP004"
    assert "`pickup` renamed to `pickupPoint`" in finding.message
    assert '"aliases": ["pickup"]' in finding.hint
    assert "Readers of the old schema" not in finding.hint


def test_a_renamed_avro_field_under_full_tells_that_old_readers_need_the_old_name() -> None:
    [finding] = findings_for(pickup_renamed("FULL"))
    assert "FORWARD: v1 requires `pickup`, which data written with v2 lacks" in finding.message
    assert "Readers of the old schema only know `pickup`" in finding.hint


def test_an_avro_rename_with_an_alias_is_backward_compatible() -> None:
    renamed = {"name": "pickupPoint", "type": "string", "aliases": ["pickup"]}
    verdict = check_schemas(
        [ride({"name": "pickup", "type": "string"}), ride(renamed)], "BACKWARD", "avro"
    )
    assert verdict.compatible
    assert findings_for(verdict) == []


def test_a_field_added_under_forward_says_old_readers_reject_it() -> None:
    old = booking()
    new = dict(booking(), properties={**booking()["properties"], "note": {"type": "string"}})
    [finding] = findings_for(check_schemas([old, new], "FORWARD"))
    assert finding.rule == "CMP055"
    assert "readers still on the old schema have a closed content model" in finding.message
    assert "Old readers reject it until they upgrade" in finding.hint
    assert "Keep the property declared" not in finding.hint


def test_a_field_removed_under_forward_says_old_readers_require_it() -> None:
    old = booking(nights={"type": "integer"})
    [finding] = findings_for(check_schemas([old, booking()], "FORWARD"))
    assert "no longer has a property that readers on the old schema require" in finding.message
    assert "Add the property as optional" not in finding.hint


def test_an_avro_field_removed_under_forward_says_old_readers_need_it() -> None:
    verdict = check_schemas([ride({"name": "fare", "type": "double"}), ride()], "FORWARD", "avro")
    [finding] = findings_for(verdict)
    assert "no longer writes a field that readers on the old schema need" in finding.message
