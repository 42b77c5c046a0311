"""transport-selection.md carries a table generated from transports.yaml; they never disagree."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, run_grimoire
from eventdesign.errors import InputError
from eventdesign.transport.matrix import load_matrix
from eventdesign.transport.reference import (
    BEGIN_MARKER,
    END_MARKER,
    REFERENCE_PATH,
    current_block,
    render_table,
    splice,
)

TOOL = REPO_ROOT / "tests" / "tools" / "transport_reference.py"


def test_the_reference_table_equals_the_table_generated_from_the_data():
    text = REFERENCE_PATH.read_text(encoding="utf-8")
    assert current_block(text) == render_table(load_matrix()).strip("\n"), (
        "references/transport-selection.md is stale: run "
        "`python3 tests/tools/transport_reference.py --write references/transport-selection.md`"
    )


def test_the_generated_table_has_one_row_per_transport():
    matrix = load_matrix()
    table = render_table(matrix)
    for transport in matrix.transports:
        assert f"(`{transport.id}`)" in table


def test_splice_replaces_only_the_block_between_the_markers():
    text = f"before\n{BEGIN_MARKER}\nold\n{END_MARKER}\nafter\n"
    assert splice(text, "new\n", "x.md") == f"before\n{BEGIN_MARKER}\nnew\n{END_MARKER}\nafter\n"


def test_splice_without_markers_is_an_input_error():
    with pytest.raises(InputError, match="markers"):
        splice("no markers here", "table", "x.md")


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_maintainer_tool_check_passes_on_the_committed_reference():
    result = run_tool("--check", str(REFERENCE_PATH))
    assert result.returncode == 0, result.stderr


def test_maintainer_tool_writes_only_the_guide_it_is_given(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"intro\n{BEGIN_MARKER}\nstale\n{END_MARKER}\noutro\n", encoding="utf-8")
    assert run_tool("--check", str(guide)).returncode == 1
    result = run_tool("--write", str(guide))
    assert result.returncode == 0, result.stderr
    assert run_tool("--check", str(guide)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.md"]


def test_maintainer_tool_needs_an_explicit_path():
    assert run_tool().returncode == 2


@pytest.mark.parametrize("flag", ["--write-reference", "--check-reference"])
def test_the_user_command_cannot_write_into_the_installed_plugin(flag):
    before = REFERENCE_PATH.stat().st_mtime_ns
    result = run_grimoire("transport", flag)
    assert result.returncode == 2
    assert REFERENCE_PATH.stat().st_mtime_ns == before


def test_the_worked_sizing_example_shows_what_the_command_prints():
    text = REFERENCE_PATH.read_text(encoding="utf-8")
    section = text[text.index("## 2. Size each channel") : text.index("## 3. ")]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    words = shlex.split(command)
    # after the entry, spelled `grimoire` or `python3 .../grimoire.py`
    entry = next(i for i, w in enumerate(words) if w.endswith(("grimoire", "grimoire.py")))
    arguments = words[entry + 1 :]
    result = run_grimoire(*arguments)
    assert result.returncode == 0, result.stderr
    assert result.stdout == shown


def test_the_worked_example_quotes_the_advisor_numbers_it_prints():
    result = run_grimoire(
        "transport", "--ordering", "per-key", "--throughput", "200000", "--message-bytes", "500",
        "--retention-days", "30", "--fan-out",
    )  # fmt: skip
    assert "200,000 msgs/s x 500 B x 30 days = 259.2 TB of RAM" in result.stdout
    assert "needs 200,000 msgs/s in, over the documented 100,000 per channel" in result.stdout
    assert "needs 100,000,000 B/s in, over the documented 20,000,000 per channel" in result.stdout
