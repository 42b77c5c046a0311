"""The plugin's manifests and the skill's frontmatter follow the Claude Code plugin format.

Facts checked on Claude Code 2.1.197 (test_plugin_claude.py runs them): Claude Code substitutes
exactly `${CLAUDE_PLUGIN_ROOT}` in SKILL.md, puts the plugin's `bin/` on the Bash tool's PATH, and
the Bash permission rule in `allowed-tools` only matches a command spelled the same way;
`claude plugin validate` checks neither the skill's name rules nor its description length, so
these tests do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT
from eventdesign import __version__

PLUGIN_JSON = REPO_ROOT / ".claude-plugin" / "plugin.json"
MARKETPLACE_JSON = REPO_ROOT / ".claude-plugin" / "marketplace.json"
SKILLS_DIR = REPO_ROOT / "skills"
SKILL_NAME = "design-event-driven-system"
SKILL_DIR = SKILLS_DIR / SKILL_NAME
SKILL_FILE = SKILL_DIR / "SKILL.md"

SCRIPT_COMMAND = "grimoire"
LAUNCHER = REPO_ROOT / "bin" / SCRIPT_COMMAND
ALLOWED_TOOLS = f"Bash({SCRIPT_COMMAND} *)"
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
PLUGIN_ROOT_PATH = re.compile(r"\$\{CLAUDE_PLUGIN_ROOT\}/([^\s\"'`)\]>]+)")
SKILL_DIR_PATH = re.compile(r"\$\{CLAUDE_SKILL_DIR\}/([^\s\"'`)\]>]+)")
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN_PATH = re.compile(r"`((?:references|scripts|examples|skills)/[^`\s]+)`")
FENCE = re.compile(r"^```[ \t]*(\S*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELL_FENCES = {"", "bash", "sh", "shell", "console", "zsh"}


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def skill_text() -> str:
    return SKILL_FILE.read_text(encoding="utf-8")


def split_frontmatter(text: str) -> tuple[dict, str]:
    """The YAML frontmatter (between the first two `---` lines) and the body after it."""
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n(.*)", text, re.DOTALL)
    assert match, "SKILL.md must start with a `---` frontmatter block"
    frontmatter = yaml.safe_load(match.group(1))
    assert isinstance(frontmatter, dict), "the frontmatter must be a YAML mapping"
    return frontmatter, match.group(2)


@pytest.fixture(scope="module")
def frontmatter() -> dict:
    return split_frontmatter(skill_text())[0]


@pytest.fixture(scope="module")
def body() -> str:
    return split_frontmatter(skill_text())[1]


# --- plugin.json ---------------------------------------------------------------------------


def test_plugin_json_names_the_plugin_grimoire() -> None:
    assert load_json(PLUGIN_JSON)["name"] == "grimoire"


def test_plugin_json_has_a_semantic_version() -> None:
    assert SEMVER.match(load_json(PLUGIN_JSON)["version"])


def test_plugin_version_matches_the_marketplace_the_package_and_the_cli() -> None:
    version = load_json(PLUGIN_JSON)["version"]
    [entry] = load_json(MARKETPLACE_JSON)["plugins"]
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert entry.get("version", version) == version
    assert re.search(rf'^version = "{re.escape(version)}"$', pyproject, re.MULTILINE)
    assert __version__ == version


def test_plugin_json_has_a_description() -> None:
    description = load_json(PLUGIN_JSON)["description"]
    assert isinstance(description, str) and description.strip()
    assert "event-driven" in description


def test_plugin_json_names_an_author() -> None:
    author = load_json(PLUGIN_JSON)["author"]
    assert isinstance(author, dict) and author.get("name", "").strip()


def test_plugin_json_license_is_mit_and_the_license_file_says_so() -> None:
    assert load_json(PLUGIN_JSON)["license"] == "MIT"
    assert "MIT License" in (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")


def test_plugin_json_has_keywords() -> None:
    keywords = load_json(PLUGIN_JSON)["keywords"]
    assert isinstance(keywords, list) and keywords
    assert all(isinstance(k, str) and k == k.strip() and k for k in keywords)
    assert len(set(keywords)) == len(keywords)
    assert "event-driven" in keywords


@pytest.mark.parametrize("field", ["homepage", "repository"])
def test_plugin_json_links_are_https_urls(field: str) -> None:
    assert re.match(r"^https://[^\s]+$", load_json(PLUGIN_JSON)[field])


# --- marketplace.json ----------------------------------------------------------------------


def test_marketplace_is_named_grimoire_with_an_owner() -> None:
    marketplace = load_json(MARKETPLACE_JSON)
    assert marketplace["name"] == "grimoire"
    assert marketplace["owner"]["name"].strip()


def test_marketplace_lists_exactly_the_grimoire_plugin_from_the_repo_root() -> None:
    plugins = load_json(MARKETPLACE_JSON)["plugins"]
    assert len(plugins) == 1
    assert plugins[0]["name"] == "grimoire"
    assert plugins[0]["source"] == "./"


# --- the skill's frontmatter ---------------------------------------------------------------


def test_the_plugin_ships_exactly_one_skill_folder_holding_skill_md() -> None:
    folders = sorted(p.name for p in SKILLS_DIR.iterdir() if p.is_dir())
    assert folders == [SKILL_NAME]
    assert SKILL_FILE.is_file()


def test_skill_name_equals_its_folder_name(frontmatter: dict) -> None:
    assert frontmatter["name"] == SKILL_DIR.name


def test_skill_name_is_lowercase_words_joined_by_hyphens(frontmatter: dict) -> None:
    name = frontmatter["name"]
    assert NAME_PATTERN.match(name)
    assert 1 <= len(name) <= 64


def test_skill_description_is_present_and_at_most_1024_characters(frontmatter: dict) -> None:
    description = frontmatter["description"]
    assert isinstance(description, str) and description.strip()
    assert len(description) <= 1024


def test_skill_description_says_when_to_use_the_skill(frontmatter: dict) -> None:
    assert re.search(r"\bUse (it )?when\b", frontmatter["description"])


def test_allowed_tools_is_exactly_the_one_script_rule(frontmatter: dict) -> None:
    allowed = frontmatter["allowed-tools"]
    if isinstance(allowed, list):
        assert allowed == [ALLOWED_TOOLS]
    else:
        assert allowed == ALLOWED_TOOLS


# Frontmatter keys Claude Code reads (its skill frontmatter schema, checked on 2.1.197).
SKILL_KEYS = {
    "name", "description", "allowed-tools", "argument-hint", "when_to_use", "model", "effort",
    "disable-model-invocation", "user-invocable", "context", "agent", "paths", "hooks", "shell",
}  # fmt: skip


def test_skill_frontmatter_uses_only_keys_claude_code_reads(frontmatter: dict) -> None:
    assert set(frontmatter) <= SKILL_KEYS


def test_skill_has_an_argument_hint_for_the_slash_command(frontmatter: dict) -> None:
    hint = frontmatter["argument-hint"]
    assert isinstance(hint, str) and hint.startswith("[") and hint.endswith("]")


# --- the skill's body ----------------------------------------------------------------------


def shell_lines(text: str) -> list[str]:
    """Every non-empty line of SKILL.md's shell code blocks."""
    lines = []
    for language, block in FENCE.findall(text):
        if language.lower() in SHELL_FENCES:
            lines += [line.strip().removeprefix("$ ") for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_permitted_command_is_the_plugins_bin_launcher() -> None:
    """Claude Code puts the plugin's bin/ on the Bash PATH: `grimoire` is an executable there."""
    assert LAUNCHER.is_file()
    assert LAUNCHER.stat().st_mode & 0o111


def test_skill_runs_the_command_somewhere() -> None:
    assert any(line.startswith(SCRIPT_COMMAND + " ") for line in shell_lines(skill_text()))


def test_skill_never_runs_the_entry_script_directly() -> None:
    """`python3 .../grimoire.py` would need a permission prompt and the user's own packages."""
    assert "grimoire.py" not in skill_text()


def test_every_shell_line_starts_with_the_permitted_command() -> None:
    """A prefix such as `cd x &&` or `VAR=1` would make the permission rule miss."""
    wrong = [
        line for line in shell_lines(skill_text()) if not line.startswith(SCRIPT_COMMAND + " ")
    ]
    assert not wrong, "\n".join(wrong)


def test_plugin_root_is_always_written_braced() -> None:
    text = skill_text()
    assert "$CLAUDE_PLUGIN_ROOT" not in text.replace("${CLAUDE_PLUGIN_ROOT}", "")
    assert "${CLAUDE_PLUGIN_ROOT:" not in text


def placeholder_free(relative: str) -> str:
    """The part of a path before any placeholder (`<topic>`, `*`, `{name}`)."""
    cut = re.split(r"[<*{]", relative, maxsplit=1)[0]
    return cut.rstrip("/") if cut != relative else relative


def named_paths(text: str) -> list[tuple[str, Path]]:
    """Every file the skill names, as (as written, resolved path)."""
    named = []
    for relative in PLUGIN_ROOT_PATH.findall(text):
        named.append(
            (f"${{CLAUDE_PLUGIN_ROOT}}/{relative}", REPO_ROOT / placeholder_free(relative))
        )
    for relative in SKILL_DIR_PATH.findall(text):
        named.append((f"${{CLAUDE_SKILL_DIR}}/{relative}", SKILL_DIR / placeholder_free(relative)))
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "$")):
            continue
        named.append((target, SKILL_DIR / target.split("#", 1)[0]))
    for relative in CODE_SPAN_PATH.findall(text):
        named.append((relative, REPO_ROOT / placeholder_free(relative)))
    return named


def test_skill_names_some_files() -> None:
    assert named_paths(skill_text())


def test_every_path_the_skill_names_exists_in_the_plugin() -> None:
    missing = [written for written, path in named_paths(skill_text()) if not path.exists()]
    assert not missing, "SKILL.md names files that do not exist:\n" + "\n".join(missing)


def test_every_path_the_skill_names_stays_inside_the_plugin() -> None:
    """Only the plugin folder is copied on install; a path out of it breaks there."""
    root = REPO_ROOT.resolve()
    outside = []
    for written, path in named_paths(skill_text()):
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            outside.append(written)
    assert not outside, "\n".join(outside)
