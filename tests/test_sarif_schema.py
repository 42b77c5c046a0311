"""Every SARIF document grimoire writes validates against the SARIF 2.1.0 JSON schema.

The schema is OASIS's (release rtm.5), unpacked by tests/tools/install.sh from the npm
package of Microsoft's SARIF test matchers; it is never fetched at test time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from conftest import EXAMPLE_MODEL, REPO_ROOT, TOOLS_DIR, run_grimoire
from real_clients import missing

SCHEMA = TOOLS_DIR / "sarif-schema" / "1.0.0-beta.0" / "sarif-2.1.0-rtm.5.json"
DATA = REPO_ROOT / "tests" / "data"
COMPAT_FILES = DATA / "compat" / "files"
PRICE_AS_STRING = COMPAT_FILES / "order-v2-price-string.json"


@pytest.fixture(scope="module")
def sarif_validator():
    if not SCHEMA.is_file():
        missing(f"the SARIF 2.1.0 schema ({SCHEMA})")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


RUNS = [
    ("check", str(DATA / "check" / "domains" / "banking-ledger.flawed.yaml")),
    ("check", str(DATA / "check" / "domains" / "iot-telemetry.flawed.yaml")),
    ("check", str(EXAMPLE_MODEL)),
    ("saga", "verify", str(DATA / "saga" / "clearing-pivot.yaml")),
    ("saga", "verify", str(DATA / "saga" / "hostile-names.yaml")),
    (
        "compat",
        str(COMPAT_FILES / "order-v1.json"),
        str(COMPAT_FILES / "order-v2-price-string.json"),
    ),
    ("compat", str(COMPAT_FILES / "order-v1.avsc"), str(COMPAT_FILES / "order-v2.avsc")),
]


@pytest.mark.parametrize("command", RUNS, ids=[" ".join(Path(a).name for a in r) for r in RUNS])
def test_sarif_output_validates_against_the_sarif_2_1_0_schema(sarif_validator, command):
    result = run_grimoire(*command, "--format", "sarif")
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator.iter_errors(document)
    ]
    assert errors == []
    assert document["version"] == "2.1.0"


def test_the_schema_rejects_a_result_without_a_message(sarif_validator):
    result = run_grimoire("check", str(RUNS[0][1]), "--format", "sarif")
    document = json.loads(result.stdout)
    assert document["runs"][0]["results"], "the flawed model has findings"
    del document["runs"][0]["results"][0]["message"]
    assert not sarif_validator.is_valid(document)
