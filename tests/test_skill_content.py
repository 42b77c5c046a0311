"""The skill's text: frontmatter rules, links, budgets, and every documented command runs.

Budgets count tokens as ceil(characters / 4). Run with `-s` to see the figures per file.
"""

from __future__ import annotations

import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE_DIR, REPO_ROOT

SKILL_DIR = REPO_ROOT / "skills" / "design-event-driven-system"
SKILL_FILE = SKILL_DIR / "SKILL.md"
REFERENCES_DIR = REPO_ROOT / "references"
REFERENCE_DOCS = sorted(REFERENCES_DIR.glob("*.md"))
DOCUMENTS = [SKILL_FILE, *REFERENCE_DOCS]

COMMAND_PREFIX = "grimoire"
ENTRY_SCRIPT = REPO_ROOT / "scripts" / "grimoire.py"
SKILL_MAX_LINES = 400
SKILL_MAX_TOKENS = 5000
REFERENCE_MAX_TOKENS = 6000
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED_EXIT = re.compile(r"\s+#\s*exits?\s+(\d+)\s*$")


# Subcommands other parts of the CLI provide; their commands may fail until those land.
def tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def frontmatter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path} must start with YAML frontmatter"
    block = text[4 : text.index("\n---\n", 4)]
    return yaml.safe_load(block)


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path == SKILL_FILE:
        return text[text.index("\n---\n", 4) + 5 :]
    return text


def relative_links(path: Path) -> list[tuple[str, str]]:
    """(text, target) of every link that is not a URL or a pure anchor."""
    links = []
    for text, target in LINK.findall(body(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        links.append((text, target.split("#", 1)[0]))
    return links


def documented_commands() -> list[tuple[str, str, int]]:
    """(where, command, expected exit) for every grimoire invocation in a fenced shell block."""
    found = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1).lower() not in SHELL_LANGUAGES:
                continue
            first_line = text[: match.start(2)].count("\n") + 1
            joined = match.group(2).replace("\\\n", " ")
            for offset, line in enumerate(joined.splitlines()):
                line = line.strip().removeprefix("$ ")
                if not re.search(r"\bgrimoire\b", line.split("#", 1)[0]):
                    continue
                expected = 0
                exit_note = EXPECTED_EXIT.search(line)
                if exit_note:
                    expected = int(exit_note.group(1))
                    line = line[: exit_note.start()]
                where = f"{path.relative_to(REPO_ROOT)}:{first_line + offset}"
                found.append((where, line, expected))
    return found


def subcommand_of(command: str) -> str:
    words = shlex.split(command)
    rest = [w for w in words[1:] if not w.startswith("-")]
    return rest[0] if rest else ""


# --- frontmatter ----------------------------------------------------------------------------


# The frontmatter's format (name, description length, allowed-tools) is
# test_plugin_manifest.py's; here, what the description says.


def test_skill_description_names_the_topics_it_covers():
    description = frontmatter(SKILL_FILE)["description"]
    print(f"\nSKILL.md description: {len(description)} characters")
    for topic in ("event sourcing", "CQRS", "saga", "outbox", "Kafka", "RabbitMQ", "SQS"):
        assert topic.lower() in description.lower(), topic


# --- links ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_plugin(path):
    for _, target in relative_links(path):
        resolved = (path.parent / target).resolve()
        assert resolved.exists(), f"{path.name}: broken link {target}"
        assert REPO_ROOT in resolved.parents, f"{path.name}: {target} leaves the plugin"


def test_skill_links_to_references_name_them_by_plugin_root_path():
    for text, target in relative_links(SKILL_FILE):
        if "references/" in target:
            name = target.split("references/", 1)[1]
            assert target == f"../../references/{name}"
            assert text == f"${{CLAUDE_PLUGIN_ROOT}}/references/{name}"


def test_every_reference_file_is_reachable_from_the_skill():
    reached, pending = set(), [SKILL_FILE]
    while pending:
        current = pending.pop()
        for _, target in relative_links(current):
            resolved = (current.parent / target).resolve()
            if resolved not in reached:
                reached.add(resolved)
                if resolved.suffix == ".md":
                    pending.append(resolved)
    unreachable = [p.name for p in sorted(REFERENCES_DIR.iterdir()) if p.resolve() not in reached]
    assert unreachable == []


# --- budgets --------------------------------------------------------------------------------


def test_skill_stays_within_its_line_and_token_budget():
    text = SKILL_FILE.read_text(encoding="utf-8")
    lines, count = len(text.splitlines()), tokens(text)
    print(f"\nSKILL.md: {lines} lines, ~{count} tokens")
    assert lines <= SKILL_MAX_LINES
    assert count <= SKILL_MAX_TOKENS


@pytest.mark.parametrize("path", REFERENCE_DOCS, ids=lambda p: p.name)
def test_each_reference_stays_within_its_token_budget(path):
    text = path.read_text(encoding="utf-8")
    print(f"\n{path.name}: {len(text.splitlines())} lines, ~{tokens(text)} tokens")
    assert tokens(text) <= REFERENCE_MAX_TOKENS


@pytest.mark.parametrize("path", REFERENCE_DOCS, ids=lambda p: p.name)
def test_each_reference_opens_with_contents_and_ends_with_dated_sources(path):
    text = path.read_text(encoding="utf-8")
    assert "Contents" in "\n".join(text.splitlines()[:4])
    sources = text[text.rindex("Sources") :]
    assert re.search(r"\b(19|20)\d\d\b", sources), f"{path.name}: sources need dates"


# --- commands -------------------------------------------------------------------------------

COMMANDS = documented_commands()


def test_documented_commands_exist_and_cover_the_workflow():
    subcommands = {subcommand_of(command) for _, command, _ in COMMANDS}
    assert {"transport", "check", "saga", "diagram", "export", "compat"} <= subcommands


@pytest.mark.parametrize("where, command, expected", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_documented_command_is_spelled_for_the_permission_rule(where, command, expected):
    assert command.startswith(COMMAND_PREFIX + " "), where


def _command_params():
    return [pytest.param(command, expected, id=where) for where, command, expected in COMMANDS]


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's repo: a copy of the bundled example, committed to git (for `--against HEAD`)."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_DIR, repo)
    git = shutil.which("git")
    if git:
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
        env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        for args in (
            ["init", "-q"],
            ["add", "-A"],
            ["-c", "commit.gpgsign=false", "commit", "-qm", "v1"],
        ):
            subprocess.run([git, *args], cwd=repo, env=env, check=True, capture_output=True)
    return repo


@pytest.mark.parametrize("command, expected", _command_params())
def test_documented_command_runs_with_the_exit_code_the_text_states(command, expected, user_repo):
    """`grimoire` is the bin/ launcher of the entry script; the test runs the script directly."""
    words = shlex.split(command)
    assert words[0] == COMMAND_PREFIX
    result = subprocess.run(
        [sys.executable, str(ENTRY_SCRIPT), *words[1:]],
        cwd=user_repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == expected, (
        f"exit {result.returncode}\nstdout:\n{result.stdout[-2000:]}\n"
        f"stderr:\n{result.stderr[-2000:]}"
    )


def test_no_export_in_the_skill_points_at_a_file_the_user_imports_from():
    """An export that wrote over the imported contract would destroy the team's own file."""
    text = SKILL_FILE.read_text(encoding="utf-8")
    imported = set(re.findall(r"import asyncapi (\S+)", text))
    targets = re.findall(r"export asyncapi \S+(?: [^`\n]*?)? -o (\S+?)`?$", text, re.MULTILINE)
    assert targets, "the skill shows no `export asyncapi ... -o FILE`"
    for target in targets:
        assert target not in imported
        assert target.lower() not in ("asyncapi.yaml", "asyncapi.yml", "asyncapi.json")
