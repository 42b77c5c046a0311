"""A property added beside patternProperties (CMP094) warns only when it may reject old data.

Confluent counts an object with patternProperties as partially open: a new property no pattern
matches is an OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, compatible whatever its schema
(json-schema-provider ObjectSchemaDiff.compareProperties). Without `additionalProperties: false`
the writer could still send any value under that name, so grimoire warns, unless the new
property's schema accepts anything (`{}`, `true`, only annotations), which the rule's hint
recommends.

Vectors written for grimoire: loan applications (tests/data/compat/lending) and inline IoT
and ride-hailing schemas below.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from eventdesign.cli import main
from eventdesign.rules.compatibility import check_schemas

LENDING = Path(__file__).resolve().parent / "data" / "compat" / "lending"


def load(name: str) -> dict:
    return json.loads((LENDING / name).read_text(encoding="utf-8"))


def warning_codes(old: object, new: object) -> list[str]:
    verdict = check_schemas([old, new], "BACKWARD")
    return [c.code for check in verdict.checks for c in check.warnings + check.errors]


def telemetry(added: dict) -> dict:
    return {
        "type": "object",
        "properties": {"deviceId": {"type": "string"}, **added},
        "patternProperties": {"^metric_": {"type": "number"}},
    }


ACCEPTS_ANYTHING = {
    "empty schema": {},
    "true": True,
    "annotations only": {"description": "raw payload from the gateway", "title": "Raw"},
}


@pytest.mark.parametrize("name", ACCEPTS_ANYTHING)
def test_a_property_whose_schema_accepts_anything_is_not_reported(name: str) -> None:
    old = telemetry({})
    new = telemetry({"gatewayPayload": ACCEPTS_ANYTHING[name]})
    assert warning_codes(old, new) == []


def test_a_reference_to_a_schema_that_accepts_anything_is_not_reported() -> None:
    old = telemetry({})
    new = telemetry({"gatewayPayload": {"$ref": "#/definitions/Raw"}})
    new["definitions"] = {"Raw": {"description": "kept as sent"}}
    assert warning_codes(old, new) == []


@pytest.mark.parametrize(
    "schema", [{"type": "string"}, {"type": "object"}, False, {"not": {"type": "null"}}]
)
def test_a_property_whose_schema_constrains_its_value_warns(schema: object) -> None:
    old = telemetry({})
    new = telemetry({"firmware": schema})
    assert warning_codes(old, new) == ["PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES"]


def test_a_required_property_that_accepts_anything_is_still_an_error() -> None:
    # The writer never had to send it: Confluent's own REQUIRED_PROPERTY_ADDED rule applies.
    old = telemetry({})
    new = telemetry({"gatewayPayload": {}})
    new["required"] = ["gatewayPayload"]
    assert warning_codes(old, new) == ["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"]


def test_a_closed_writer_gives_no_warning_for_a_constrained_property() -> None:
    # A ride's surcharges: the writer rejected undeclared names, so none were ever sent.
    old = {
        "type": "object",
        "properties": {"rideId": {"type": "string"}},
        "patternProperties": {"^surcharge_": {"type": "number"}},
        "additionalProperties": False,
    }
    new = json.loads(json.dumps(old))
    new["properties"]["tip"] = {"type": "number", "minimum": 0}
    assert warning_codes(old, new) == []


# The lending files: both verdicts, through the command line and a real validator ------------

OLD_APPLICATION = {"applicationId": "A-1", "amount": 5000, "brokerNotes": {"channel": 7}}
OLD_APPLICATION_WITH_CODE = {"applicationId": "A-2", "amount": 900, "brokerCode": 42}


def compat(capsys: pytest.CaptureFixture, old: str, new: str) -> tuple[int, str]:
    code = main(["compat", str(LENDING / old), str(LENDING / new)])
    return code, capsys.readouterr().out


def test_sound_application_adding_free_form_broker_notes_is_clean(capsys) -> None:
    code, out = compat(capsys, "application-v1.json", "application-v2-broker-notes-any.json")
    assert code == 0
    assert "compat: 0 errors, 0 warnings, 0 info" in out
    jsonschema.validate(OLD_APPLICATION, load("application-v1.json"))
    jsonschema.validate(OLD_APPLICATION, load("application-v2-broker-notes-any.json"))


def test_flawed_application_adding_a_typed_broker_code_warns(capsys) -> None:
    code, out = compat(capsys, "application-v1.json", "application-v2-broker-code-string.json")
    assert code == 0
    assert "warning CMP094 PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES at #/properties/brokerCode" in (
        out
    )
    # Why: data the old schema accepted fails the new one.
    jsonschema.validate(OLD_APPLICATION_WITH_CODE, load("application-v1.json"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            OLD_APPLICATION_WITH_CODE, load("application-v2-broker-code-string.json")
        )
