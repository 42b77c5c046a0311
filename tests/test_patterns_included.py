"""The references show the pattern files verbatim: a copy that drifts from its file fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO_ROOT

REFERENCES_DIR = REPO_ROOT / "references"
PATTERNS_DIR = REFERENCES_DIR / "patterns"
MARKER = re.compile(r"^<!-- include: (\S+) -->$", re.MULTILINE)
INCLUDED_BLOCK = re.compile(
    r"^<!-- include: (\S+) -->\n```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL
)
LANGUAGE = {".py": "python", ".sql": "sql"}


def included_blocks() -> list[tuple[Path, str, str, str]]:
    """(reference, included path, fence language, fenced text) for every include marker."""
    blocks = []
    for reference in sorted(REFERENCES_DIR.glob("*.md")):
        text = reference.read_text(encoding="utf-8")
        found = INCLUDED_BLOCK.findall(text)
        assert len(found) == len(MARKER.findall(text)), f"{reference.name}: marker without a fence"
        blocks += [(reference, target, language, body) for target, language, body in found]
    return blocks


BLOCKS = included_blocks()


@pytest.mark.parametrize(
    "reference, target, language, body", BLOCKS, ids=[f"{b[0].name}:{b[1]}" for b in BLOCKS]
)
def test_each_included_copy_is_the_file_verbatim(reference, target, language, body):
    source = (reference.parent / target).resolve()
    assert PATTERNS_DIR in source.parents, f"{reference.name}: {target} is not a pattern file"
    assert language == LANGUAGE[source.suffix]
    assert body == source.read_text(encoding="utf-8"), (
        f"{reference.name} shows an outdated copy of {target}: paste the file again"
    )


def test_every_pattern_file_is_shown_by_a_reference():
    shown = {(reference.parent / target).resolve() for reference, target, _, _ in BLOCKS}
    files = {path.resolve() for path in PATTERNS_DIR.iterdir() if path.suffix in LANGUAGE}
    assert sorted(p.name for p in files - shown) == []
