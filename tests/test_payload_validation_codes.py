"""Payload validation reports problems by its own codes; each code feeds the one rule that
declares it, so the analysis knows nothing of rule IDs and no problem goes unreported."""

from __future__ import annotations

import subprocess
import sys

from conftest import SCRIPTS_DIR
from eventdesign.payload_validation import (
    INVALID_JSON_SCHEMA,
    REMOTE_REF,
    SCHEMA_PROBLEM_CODES,
    jsonschema_problems,
)
from eventdesign.rules.registry import all_rules


def test_every_schema_problem_code_feeds_exactly_one_rule():
    declared = {
        code: [r.id for r in all_rules() if r.code == code] for code in SCHEMA_PROBLEM_CODES
    }
    assert declared == {
        "INVALID_JSON_SCHEMA": ["SCH001"],
        "REMOTE_REF": ["SCH003"],
        "INVALID_AVRO_SCHEMA": ["SCH002"],
        "INVALID_PROTOBUF_SCHEMA": ["SCH013"],
    }


def test_a_schema_problem_carries_a_code_not_a_rule_id():
    # Source: a hotel booking payload written for this test.
    schema = {
        "type": "object",
        "properties": {
            "guest": {"$ref": "https://schemas.example.org/guest.json"},
            "nights": {"type": "integr"},
        },
    }
    problems = [(p.code, p.pointer) for p in jsonschema_problems(schema)]
    assert problems == [
        (INVALID_JSON_SCHEMA, "/properties/nights/type"),
        (REMOTE_REF, "/properties/guest/$ref"),
    ]


def test_payload_validation_does_not_load_the_rules():
    code = "import sys, eventdesign.payload_validation; print('eventdesign.rules' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SCRIPTS_DIR)},
    )
    assert done.stdout.strip() == "False"
