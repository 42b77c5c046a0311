"""Real public AsyncAPI documents survive `import asyncapi` then `export asyncapi`.

The documents are the examples the AsyncAPI CLI ships (2.6 and 3.0; the specification's and
vendors' such as ADEO's Kafka service, Slack, Gitter, Gemini and Kraken), unpacked by
tests/tools/install.sh. For each, in both export versions, every fact a consumer relies on
(channel addresses, message names, payloads, header names, Kafka keys, group ids, server hosts
and protocols, security scheme names, operation ids with their direction) must come back, and
the official parser must report no error. `python tests/asyncapi_fidelity.py` prints the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from asyncapi_facts import FACTS, compare, read_facts
from asyncapi_fidelity import EXAMPLES, example_documents, label, round_trip
from eventdesign.render.asyncapi import dump_asyncapi
from test_export_asyncapi import validate_with_parser

DOCUMENTS = example_documents()
# 2.x documents whose own non-Kafka bindings (no bindingVersion) break the binding schemas
# 3.0 validates (2.6 does not validate bindings): kept as they are, the 3.0 export inherits
# the errors. Known gap, listed so the test fails when fixed.
INVALID_2X_BINDINGS = {
    "0.58.10/gitter-streaming.yml",
    "0.58.10/operation-security.yml",
    "0.58.10/rpc-client.yml",
    "0.58.10/rpc-server.yml",
}
# Kraken's examples do not match their own payload schemas; only the 2.6 schema checks that.
INVALID_EXAMPLES_IN_SOURCE = {
    f"2.17.0/kraken-websocket-request-reply-{kind}-asyncapi.yml"
    for kind in ("message-filter-in-reply", "multiple-channels")
}
# 2.x allows one operation per action on a channel: a 3.0 channel that several operations of
# one action share keeps only the first one's id in a 2.6 export (the others ride along in
# `x-grimoire.operations`, which `import asyncapi` reads, but 2.x tools do not see them).
ONE_OPERATION_PER_ACTION_IN_2X = {
    ("2.17.0/kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml", "2.6"),
    ("2.17.0/slack-rtm-asyncapi.yml", "2.6"),
}


def test_the_example_documents_are_installed() -> None:
    assert len(DOCUMENTS) >= 30, f"run `bash tests/tools/install.sh` to unpack {EXAMPLES}"


@pytest.fixture(scope="module")
def round_trips() -> dict[tuple[str, str], tuple[dict, dict]]:
    results = {}
    for path in DOCUMENTS:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in ("3.0", "2.6"):
            results[label(path), version] = (document, round_trip(document, str(path), version))
    return results


@pytest.mark.parametrize("version", ["3.0", "2.6"])
@pytest.mark.parametrize("path", DOCUMENTS, ids=label)
def test_every_fact_survives_import_then_export(
    round_trips: dict, path: Path, version: str
) -> None:
    source, copy = round_trips[label(path), version]
    counts = compare(read_facts(source), read_facts(copy))
    lost = {name: counts[name] for name in FACTS if counts[name][0] != counts[name][1]}
    if (label(path), version) in ONE_OPERATION_PER_ACTION_IN_2X:
        assert set(lost) == {"operations"}
        return
    assert lost == {}


def test_official_parser_accepts_every_round_trip(
    round_trips: dict, node_modules: Path, tmp_path: Path
) -> None:
    files = {}
    for (name, version), (source, copy) in round_trips.items():
        if '"$ref": "http' in json.dumps(source):
            continue  # payloads the parser would fetch from the network; tests run offline
        path = tmp_path / f"{name.replace('/', '_')}.{version}.yaml"
        path.write_text(dump_asyncapi(copy, "yaml"), encoding="utf-8")
        files[path] = (name, version)
    diagnostics = validate_with_parser(node_modules, list(files))
    errors = {}
    for file, found in diagnostics.items():
        name, version = files[Path(file)]
        found = [d for d in found if d["severity"] == 0]
        if name in INVALID_2X_BINDINGS and version == "3.0":
            assert found and all("bindings" in d["path"] for d in found), name
            continue
        if name in INVALID_EXAMPLES_IN_SOURCE and version == "2.6":
            assert found and all("examples" in d["path"] for d in found), name
            continue
        errors[name, version] = [f"{d['path']}: {d['message']}" for d in found]
    failing = {key: found for key, found in errors.items() if found}
    assert not failing, "\n".join(f"{k}: {m}" for k, v in failing.items() for m in v)
