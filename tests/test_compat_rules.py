"""Every compatibility rule: its smallest triggering change, and the rule catalogue itself.

Vectors: tests/data/compat/rule_cases.json (written for grimoire; one BACKWARD change per rule).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import eventdesign.compat
from eventdesign.compat.jsonschema_diff import (
    COMPATIBLE_CHANGES,
    CONFLUENT_COMPATIBLE_CHANGES,
    WARNING_CODES,
)
from eventdesign.protobuf.confluent_diff import COMPATIBLE_CHANGES as PROTOBUF_COMPATIBLE_CHANGES
from eventdesign.rules.compat_catalogue import KINDS, KINDS_BY_CODE, KINDS_BY_RULE
from eventdesign.rules.compatibility import check_schemas
from eventdesign.rules.registry import all_rules, find_rule

DATA = Path(__file__).resolve().parent / "data" / "compat"
RULE_CASES = json.loads((DATA / "rule_cases.json").read_text(encoding="utf-8"))["cases"]
SCHEMA_KINDS = [k for k in KINDS if k.language != "model"]

# Confluent's Difference.Type (json-schema-provider, diff/Difference.java). Not reported by
# grimoire: the deprecated PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL (no longer emitted) and the
# reserved-property checks, which need registry metadata a design model does not have.
CONFLUENT_TYPES = [
    "ID_CHANGED",
    "DESCRIPTION_CHANGED",
    "TITLE_CHANGED",
    "DEFAULT_CHANGED",
    "SCHEMA_ADDED",
    "SCHEMA_REMOVED",
    "TYPE_EXTENDED",
    "TYPE_NARROWED",
    "TYPE_CHANGED",
    "MAX_LENGTH_ADDED",
    "MAX_LENGTH_REMOVED",
    "MAX_LENGTH_INCREASED",
    "MAX_LENGTH_DECREASED",
    "MIN_LENGTH_ADDED",
    "MIN_LENGTH_REMOVED",
    "MIN_LENGTH_INCREASED",
    "MIN_LENGTH_DECREASED",
    "PATTERN_ADDED",
    "PATTERN_REMOVED",
    "PATTERN_CHANGED",
    "MAXIMUM_ADDED",
    "MAXIMUM_REMOVED",
    "MAXIMUM_INCREASED",
    "MAXIMUM_DECREASED",
    "MINIMUM_ADDED",
    "MINIMUM_REMOVED",
    "MINIMUM_INCREASED",
    "MINIMUM_DECREASED",
    "EXCLUSIVE_MAXIMUM_ADDED",
    "EXCLUSIVE_MAXIMUM_REMOVED",
    "EXCLUSIVE_MAXIMUM_INCREASED",
    "EXCLUSIVE_MAXIMUM_DECREASED",
    "EXCLUSIVE_MINIMUM_ADDED",
    "EXCLUSIVE_MINIMUM_REMOVED",
    "EXCLUSIVE_MINIMUM_INCREASED",
    "EXCLUSIVE_MINIMUM_DECREASED",
    "MULTIPLE_OF_ADDED",
    "MULTIPLE_OF_REMOVED",
    "MULTIPLE_OF_EXPANDED",
    "MULTIPLE_OF_REDUCED",
    "MULTIPLE_OF_CHANGED",
    "REQUIRED_ATTRIBUTE_ADDED",
    "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    "REQUIRED_ATTRIBUTE_REMOVED",
    "MAX_PROPERTIES_ADDED",
    "MAX_PROPERTIES_REMOVED",
    "MAX_PROPERTIES_INCREASED",
    "MAX_PROPERTIES_DECREASED",
    "MIN_PROPERTIES_ADDED",
    "MIN_PROPERTIES_REMOVED",
    "MIN_PROPERTIES_INCREASED",
    "MIN_PROPERTIES_DECREASED",
    "ADDITIONAL_PROPERTIES_ADDED",
    "ADDITIONAL_PROPERTIES_REMOVED",
    "ADDITIONAL_PROPERTIES_EXTENDED",
    "ADDITIONAL_PROPERTIES_NARROWED",
    "DEPENDENCY_ARRAY_ADDED",
    "DEPENDENCY_ARRAY_REMOVED",
    "DEPENDENCY_ARRAY_EXTENDED",
    "DEPENDENCY_ARRAY_NARROWED",
    "DEPENDENCY_ARRAY_CHANGED",
    "DEPENDENCY_SCHEMA_ADDED",
    "DEPENDENCY_SCHEMA_REMOVED",
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "UNEVALUATED_PROPERTIES_ADDED",
    "UNEVALUATED_PROPERTIES_REMOVED",
    "UNEVALUATED_PROPERTIES_EXTENDED",
    "UNEVALUATED_PROPERTIES_NARROWED",
    "MAX_ITEMS_ADDED",
    "MAX_ITEMS_REMOVED",
    "MAX_ITEMS_INCREASED",
    "MAX_ITEMS_DECREASED",
    "MIN_ITEMS_ADDED",
    "MIN_ITEMS_REMOVED",
    "MIN_ITEMS_INCREASED",
    "MIN_ITEMS_DECREASED",
    "MAX_CONTAINS_ADDED",
    "MAX_CONTAINS_REMOVED",
    "MAX_CONTAINS_INCREASED",
    "MAX_CONTAINS_DECREASED",
    "MIN_CONTAINS_ADDED",
    "MIN_CONTAINS_REMOVED",
    "MIN_CONTAINS_INCREASED",
    "MIN_CONTAINS_DECREASED",
    "UNIQUE_ITEMS_ADDED",
    "UNIQUE_ITEMS_REMOVED",
    "ADDITIONAL_ITEMS_ADDED",
    "ADDITIONAL_ITEMS_REMOVED",
    "ADDITIONAL_ITEMS_EXTENDED",
    "ADDITIONAL_ITEMS_NARROWED",
    "UNEVALUATED_ITEMS_ADDED",
    "UNEVALUATED_ITEMS_REMOVED",
    "UNEVALUATED_ITEMS_EXTENDED",
    "UNEVALUATED_ITEMS_NARROWED",
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ENUM_ARRAY_EXTENDED",
    "ENUM_ARRAY_NARROWED",
    "ENUM_ARRAY_CHANGED",
    "COMBINED_TYPE_EXTENDED",
    "COMBINED_TYPE_CHANGED",
    "PRODUCT_TYPE_EXTENDED",
    "PRODUCT_TYPE_NARROWED",
    "SUM_TYPE_EXTENDED",
    "SUM_TYPE_NARROWED",
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
    "NOT_TYPE_EXTENDED",
    "NOT_TYPE_NARROWED",
]

# Confluent's Protobuf Difference.Type (protobuf-provider, diff/Difference.java).
PROTOBUF_DIFFERENCE_TYPES = [
    "PACKAGE_CHANGED",
    "MESSAGE_ADDED",
    "MESSAGE_REMOVED",
    "MESSAGE_MOVED",
    "ENUM_ADDED",
    "ENUM_REMOVED",
    "ENUM_CONST_ADDED",
    "ENUM_CONST_CHANGED",
    "ENUM_CONST_REMOVED",
    "FIELD_ADDED",
    "FIELD_REMOVED",
    "FIELD_NAME_CHANGED",
    "FIELD_KIND_CHANGED",
    "FIELD_SCALAR_KIND_CHANGED",
    "FIELD_NAMED_TYPE_CHANGED",
    "FIELD_NUMERIC_LABEL_CHANGED",
    "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
    "REQUIRED_FIELD_ADDED",
    "REQUIRED_FIELD_REMOVED",
    "ONEOF_ADDED",
    "ONEOF_REMOVED",
    "ONEOF_FIELD_ADDED",
    "ONEOF_FIELD_REMOVED",
    "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
    "FIELD_MOVED_TO_EXISTING_ONEOF",
]


@pytest.mark.parametrize("kind", SCHEMA_KINDS, ids=[k.rule_id for k in SCHEMA_KINDS])
def test_rule_fires_on_its_smallest_change(kind) -> None:
    case = RULE_CASES[kind.rule_id]
    assert case["code"] == kind.code
    verdict = check_schemas([case["old"], case["new"]], "BACKWARD", case["language"])
    fired = {(c.code, c.path) for c in verdict.checks[0].reported}
    assert (kind.code, case["path"]) in fired


@pytest.mark.parametrize("kind", SCHEMA_KINDS, ids=[k.rule_id for k in SCHEMA_KINDS])
def test_rule_severity_decides_the_verdict(kind) -> None:
    case = RULE_CASES[kind.rule_id]
    verdict = check_schemas([case["old"], case["new"]], "BACKWARD", case["language"])
    assert verdict.compatible is (kind.severity != "error")


# buf's categories judge how a file evolved (older to newer), not which side reads the other.
READER_WRITER_KINDS = [k for k in SCHEMA_KINDS if not k.code.startswith("BUF_")]


@pytest.mark.parametrize("kind", READER_WRITER_KINDS, ids=[k.rule_id for k in READER_WRITER_KINDS])
def test_reverting_the_rules_change_is_checked_by_forward_mode(kind) -> None:
    case = RULE_CASES[kind.rule_id]
    backward = check_schemas([case["old"], case["new"]], "BACKWARD", case["language"])
    forward = check_schemas([case["new"], case["old"]], "FORWARD", case["language"])
    assert {c.code for c in forward.checks[0].reported} == {
        c.code for c in backward.checks[0].reported
    }


def test_every_schema_rule_has_a_case() -> None:
    assert sorted(RULE_CASES) == sorted(k.rule_id for k in SCHEMA_KINDS)


def test_every_kind_is_registered_as_a_compatibility_rule() -> None:
    registered = {r.id: r for r in all_rules() if r.family == "compatibility"}
    assert sorted(registered) == sorted(KINDS_BY_RULE)
    for kind in KINDS:
        rule = find_rule(kind.rule_id)
        assert (rule.name, rule.severity, rule.summary) == (
            kind.rule_name,
            kind.severity,
            kind.summary,
        )


def test_rule_ids_are_stable_compatibility_codes() -> None:
    assert all(k.rule_id.startswith("CMP") and len(k.rule_id) == 6 for k in KINDS)
    assert len(KINDS_BY_RULE) == len(KINDS) == len(KINDS_BY_CODE)


def test_every_confluent_incompatible_change_type_has_an_error_rule() -> None:
    unreported = {
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "RESERVED_PROPERTY_REMOVED",
        "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
    }
    incompatible = {t for t in CONFLUENT_TYPES if t not in CONFLUENT_COMPATIBLE_CHANGES}
    errors = {k.code for k in KINDS if k.language == "jsonschema" and k.severity == "error"}
    assert incompatible - unreported == errors


def test_warnings_never_make_a_change_incompatible() -> None:
    warnings = {k.code for k in KINDS if k.severity == "warning" and k.language == "jsonschema"}
    assert warnings <= COMPATIBLE_CHANGES
    assert warnings - CONFLUENT_COMPATIBLE_CHANGES == WARNING_CODES
    assert warnings & CONFLUENT_COMPATIBLE_CHANGES == {
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    }


def test_every_confluent_incompatible_protobuf_change_has_an_error_rule() -> None:
    errors = {k.code for k in KINDS if k.language == "protobuf" and k.severity == "error"}
    assert errors == set(PROTOBUF_DIFFERENCE_TYPES) - PROTOBUF_COMPATIBLE_CHANGES


def test_every_rule_explains_why_and_what_to_do() -> None:
    for kind in KINDS:
        assert kind.why.endswith(".") and len(kind.why) > 40, kind.code
        assert kind.hint.endswith(".") and len(kind.hint) > 20, kind.code


def test_the_compat_analyses_import_no_rule_text() -> None:
    """compat/ reports codes; ids, severities and text are the rules layer's (imports run one
    way: commands -> report -> rules -> compat)."""
    package = Path(eventdesign.compat.__file__).parent
    upward = ("rules", "report", "commands")
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] not in upward, (module.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                parts = (node.module or "").split(".")
                assert parts[:1] != ["eventdesign"] or parts[1] not in upward, module.name


def test_a_compatible_verdict_depends_on_the_severities_given() -> None:
    """The analysis reports what the caller's severities list, and only errors break."""
    from eventdesign.compat.history import check_data

    old, new = {"type": "string"}, {"type": "string", "maxLength": 3}
    strict = check_data([old, new], "BACKWARD", severities={"MAX_LENGTH_ADDED": "error"})
    lenient = check_data([old, new], "BACKWARD", severities={"MAX_LENGTH_ADDED": "warning"})
    silent = check_data([old, new], "BACKWARD", severities={})
    assert (strict.compatible, strict.error_count) == (False, 1)
    assert (lenient.compatible, lenient.warning_count) == (True, 1)
    assert (silent.compatible, silent.checks[0].reported) == (True, [])
