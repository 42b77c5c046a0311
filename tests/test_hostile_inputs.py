"""Every command on every class of hostile input: a verdict or a refusal, never a crash or hang.

Each command asserts what the README promises: exit 0, 1 or 2; no traceback; no raw control
character printed and no message line longer than the echo limit; nothing created, changed or
removed outside the output the command was given; no staging left behind; and each case's
commands together finish within the time limit. The corpus is in hostile_corpus.py; the
commands of one case run in one process (hostile_driver.py), which keeps the suite fast. The
installed entry point itself (signals, closed streams, encodings) is tested in test_safe_io.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_corpus import Case, all_cases

DRIVER = Path(__file__).parent / "hostile_driver.py"
TIME_LIMIT = 60  # seconds for all commands of a case; a hang (regex, recursion, size) blows it
MAX_LINE = 2_500  # the CLI shortens echoed values to 2,000 characters
RAW_CONTROLS = ("\x1b", "\x07", "\x00", "\x9b")
CASES = all_cases()


def lay_out(folder: Path, case: Case) -> None:
    for relative, content in case.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def run_case(folder: Path, case: Case) -> list[dict]:
    work = folder / "work"
    work.mkdir()
    lay_out(work, case)
    commands = folder / "commands.json"
    commands.write_text(json.dumps(case.commands), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(work), str(commands)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def within(path: str, outputs: tuple[str, ...]) -> bool:
    return any(path == o or path.startswith(o + os.sep) for o in outputs)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_gets_a_verdict_or_a_refusal(tmp_path: Path, case: Case) -> None:
    for run in run_case(tmp_path, case):
        label = run["label"]
        assert run["escaped"] is None, f"{label}: {run['escaped']}"
        assert "Traceback" not in run["stderr"], label
        assert run["exit"] in case.exits, (label, run["exit"], run["stderr"][-2000:])
        if run["exit"] == 2:
            assert run["stderr"].strip(), f"{label}: exit 2 without a message"
        for stream in (run["stdout"], run["stderr"]):
            assert not any(c in stream for c in RAW_CONTROLS), f"{label}: raw control character"
        assert all(len(line) <= MAX_LINE for line in run["stderr"].splitlines()), label
        outputs = case.commands[label][1]
        assert [p for p in run["changed"] if not within(p, outputs)] == [], label
        leftovers = [p for p in run["after"] if ".grimoire-staging-" in p or p.endswith(".tmp")]
        assert leftovers == [], label
