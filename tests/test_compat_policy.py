"""The compatibility policy the skill recommends is workable: adding an optional field is possible
in each documented combination of format, content model and mode, and impossible in the trap
(closed or open JSON Schema under FULL). The bundled example can gain a field under its own mode.

Vectors written for grimoire: an IoT telemetry payload in JSON Schema (closed, open, partially
open) and in Avro; the bundled order-flow example.
"""

from __future__ import annotations

import copy
import re

import pytest

from conftest import EXAMPLE_MODEL, REPO_ROOT
from eventdesign.compat.impact import impact_of
from eventdesign.model.loader import load_model
from eventdesign.rules.compatibility import check_schemas

SKILL = REPO_ROOT / "skills" / "design-event-driven-system" / "SKILL.md"
REFERENCE = REPO_ROOT / "references" / "schema-versioning.md"


def telemetry(content_model: str, extra: dict | None = None) -> tuple[dict, str]:
    """A reading payload before or after adding `firmware`, and its schema language."""
    added = {"firmware": {"type": "string"}} if extra is None else extra
    if content_model == "avro":
        fields = [{"name": "deviceId", "type": "string"}]
        fields += [{"name": n, "type": s["type"], "default": ""} for n, s in added.items()]
        return {"type": "record", "name": "ReadingTaken", "fields": fields}, "avro"
    schema = {"type": "object", "properties": {"deviceId": {"type": "string"}, **added}}
    if content_model == "closed":
        schema["additionalProperties"] = False
    elif content_model == "partially open":
        schema["additionalProperties"] = {"type": "string"}
    return schema, "jsonschema"


def adding_a_field(content_model: str, mode: str):
    before, language = telemetry(content_model, {})
    after, _ = telemetry(content_model)
    return check_schemas([before, after], mode, language)


# (format and content model, the mode the skill recommends for it, the side that deploys first)
WORKABLE = [
    ("avro", "FULL_TRANSITIVE", "either side"),
    ("closed", "BACKWARD_TRANSITIVE", "consumers"),
    ("open", "FORWARD_TRANSITIVE", "producers"),
    ("partially open", "FULL_TRANSITIVE", "either side"),
]


@pytest.mark.parametrize(("content_model", "mode", "first"), WORKABLE)
def test_adding_an_optional_field_is_compatible_in_each_recommended_combination(
    content_model: str, mode: str, first: str
) -> None:
    assert adding_a_field(content_model, mode).compatible


@pytest.mark.parametrize(("content_model", "mode", "first"), WORKABLE)
def test_the_documented_deploy_order_is_the_one_compat_reports(
    content_model: str, mode: str, first: str
) -> None:
    impact = impact_of(adding_a_field(content_model, "FULL"), "ReadingTaken")
    expected = {
        "either side": "any order",
        "consumers": "consumers first",
        "producers": "the producer first",
    }[first]
    assert impact.deploy_order.startswith(expected)


@pytest.mark.parametrize("content_model", ["closed", "open"])
@pytest.mark.parametrize("mode", ["FULL", "FULL_TRANSITIVE"])
def test_closed_or_open_json_schema_under_full_can_never_gain_a_field(
    content_model: str, mode: str
) -> None:
    assert not adding_a_field(content_model, mode).compatible


def test_a_partially_open_model_only_takes_fields_of_its_own_schema_under_full() -> None:
    before, _ = telemetry("partially open", {})
    after, _ = telemetry("partially open", {"battery": {"type": "number"}})
    assert not check_schemas([before, after], "FULL").compatible


@pytest.mark.parametrize("document", [SKILL, REFERENCE], ids=["SKILL.md", "reference"])
def test_the_guidance_lists_each_workable_combination_with_its_deploy_order(document) -> None:
    text = document.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for content_model, mode, first in WORKABLE:
        label = "Avro" if content_model == "avro" else f"JSON Schema, {content_model}"
        [row] = [r for r in rows if r.startswith(f"| {label}")]
        assert mode.replace("_TRANSITIVE", "") in row
        assert row.rstrip(" |").endswith(first)
    assert re.search(r"under `FULL`(/| or )`FULL_TRANSITIVE`", text, re.IGNORECASE)
    assert "can never gain a field" in text or "no field can ever be added" in text


def test_the_example_can_gain_an_optional_field_in_every_event_under_its_own_mode() -> None:
    model = load_model(str(EXAMPLE_MODEL))
    for name, event in model.events.items():
        if event.schema is None or event.schema_format != "jsonschema":
            continue
        changed = copy.deepcopy(event.schema)
        changed.setdefault("properties", {})["addedLater"] = {"type": "string"}
        verdict = check_schemas([event.schema, changed], model.compatibility_of(event))
        assert verdict.compatible, name
