"""Every compatibility rule's finding, pinned: file, line, column and message, as a user sees it.

Each rule's smallest case (tests/data/compat/rule_cases.json) is written out as files (JSON
Schema and Avro pretty-printed, Protobuf as written) and run through `compat --format json`;
tests/data/compat/rule_cases.located.json holds what each must report, so a change in where a
finding points or in what it says is a visible change to this file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventdesign.cli import main

DATA = Path(__file__).resolve().parent / "data" / "compat"
CASES = json.loads((DATA / "rule_cases.json").read_text(encoding="utf-8"))["cases"]
LOCATED = json.loads((DATA / "rule_cases.located.json").read_text(encoding="utf-8"))
SUFFIX = {"jsonschema": ".json", "avro": ".avsc", "protobuf": ".proto"}


def write_case(folder: Path, rule_id: str) -> tuple[Path, Path]:
    """The case's old and new schema as files named old/new with the language's suffix."""
    case = CASES[rule_id]
    paths = []
    for side in ("old", "new"):
        path = folder / f"{side}{SUFFIX[case['language']]}"
        body = case[side]
        path.write_text(body if isinstance(body, str) else json.dumps(body, indent=2) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def located_findings(folder: Path, rule_id: str, capsys: pytest.CaptureFixture) -> list[list]:
    old, new = write_case(folder, rule_id)
    main(["compat", str(old), str(new), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return [
        [Path(f["file"]).name, f["line"], f["column"], f["message"].replace(str(folder) + "/", "")]
        for f in report["findings"]
        if f["rule"] == rule_id
    ]


def test_every_case_is_pinned():
    assert sorted(LOCATED) == sorted(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_finding_is_where_and_what_is_pinned(tmp_path, capsys, rule_id):
    assert located_findings(tmp_path, rule_id, capsys) == LOCATED[rule_id]


@pytest.mark.parametrize(
    "rule_id", sorted(r for r, case in CASES.items() if case["language"] == "jsonschema")
)
def test_a_json_schema_finding_points_at_the_changed_member(tmp_path, capsys, rule_id):
    """Independent of the pinned table: the line named holds the pointer's last member."""
    old, new = write_case(tmp_path, rule_id)
    main(["compat", str(old), str(new), "--format", "json"])
    for finding in json.loads(capsys.readouterr().out)["findings"]:
        if finding["rule"] != rule_id:
            continue
        line = Path(finding["file"]).read_text().splitlines()[finding["line"] - 1]
        last = finding["pointer"].rpartition("/")[2]
        if last and not last.isdigit():
            assert f'"{last}"' in line, (finding["pointer"], line)
        elif not last:
            assert finding["line"] == 1
