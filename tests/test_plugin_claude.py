"""The plugin as the real Claude Code CLI sees it: validation, install, and the loaded skill.

Every call runs offline (`unshare -n`), with a throwaway HOME and no login, as in CI. The pinned
Claude Code version is in tests/tools/package.json.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO_ROOT, offline_command
from new_user import copy_plugin

SKILL = "grimoire:design-event-driven-system"
SKILL_FILE = Path("skills") / "design-event-driven-system" / "SKILL.md"
CLAUDE_TIMEOUT = 120
PLUGIN_VERSION = json.loads((REPO_ROOT / ".claude-plugin" / "plugin.json").read_text())["version"]
EXAMPLE = Path("examples") / "order-flow" / "design.yaml"


def claude(claude_bin: Path, *args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run Claude Code with no network, a clean environment and `home` as HOME."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run(
        offline_command([str(claude_bin), *args]),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLAUDE_TIMEOUT,
        check=False,
    )


def assert_clean_validation(result: subprocess.CompletedProcess) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Validation passed" in output, output
    assert not re.search(r"warning|error|⚠|✘", output, re.IGNORECASE), output
    return output


# --- claude plugin validate --------------------------------------------------------------------


def test_validate_repo_strict_passes(claude_bin: Path, tmp_path: Path) -> None:
    result = claude(claude_bin, "plugin", "validate", ".", "--strict", home=tmp_path, cwd=REPO_ROOT)
    output = assert_clean_validation(result)
    assert "marketplace.json" in output


def test_validate_plugin_manifest_strict_passes(claude_bin: Path, tmp_path: Path) -> None:
    result = claude(
        claude_bin,
        "plugin",
        "validate",
        ".claude-plugin/plugin.json",
        "--strict",
        home=tmp_path,
        cwd=REPO_ROOT,
    )
    assert_clean_validation(result)


def test_validate_fails_on_a_broken_skill_frontmatter(claude_bin: Path, tmp_path: Path) -> None:
    """Validating plugin.json also validates the skill (a folder with a marketplace does not)."""
    plugin = copy_plugin(tmp_path / "plugin")
    skill = plugin / SKILL_FILE
    skill.write_text(skill.read_text().replace("name: ", "name: [", 1))
    result = claude(
        claude_bin,
        "plugin",
        "validate",
        ".claude-plugin/plugin.json",
        "--strict",
        home=tmp_path / "home",
        cwd=plugin,
    )
    assert result.returncode != 0
    assert "frontmatter" in result.stdout + result.stderr


# --- claude plugin marketplace add + install -------------------------------------------------


@dataclass
class Installed:
    home: Path
    plugin: Path
    add: subprocess.CompletedProcess
    install: subprocess.CompletedProcess
    listing: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def installed(claude_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A copy of the repo added as a marketplace and grimoire installed from it."""
    base = tmp_path_factory.mktemp("install")
    home = base / "home"
    home.mkdir()
    plugin = copy_plugin(base / "grimoire")
    add = claude(claude_bin, "plugin", "marketplace", "add", "./", home=home, cwd=plugin)
    install = claude(claude_bin, "plugin", "install", "grimoire@grimoire", home=home, cwd=plugin)
    listing = claude(claude_bin, "plugin", "list", "--json", home=home, cwd=base)
    return Installed(home, plugin, add, install, listing)


def installed_entry(installed: Installed) -> dict:
    assert installed.listing.returncode == 0, installed.listing.stderr
    entries = [e for e in json.loads(installed.listing.stdout) if e["id"] == "grimoire@grimoire"]
    assert len(entries) == 1, installed.listing.stdout
    return entries[0]


def test_marketplace_add_succeeds(installed: Installed) -> None:
    assert installed.add.returncode == 0, installed.add.stdout + installed.add.stderr
    assert "Successfully added marketplace: grimoire" in installed.add.stdout


def test_install_succeeds(installed: Installed) -> None:
    output = installed.install.stdout + installed.install.stderr
    assert installed.install.returncode == 0, output
    assert "Successfully installed plugin: grimoire@grimoire" in output


def test_plugin_list_shows_grimoire_installed_and_enabled(installed: Installed) -> None:
    entry = installed_entry(installed)
    assert entry["enabled"] is True
    assert entry["version"] == PLUGIN_VERSION


def test_install_copies_the_plugin_into_the_versioned_cache(installed: Installed) -> None:
    expected = installed.home / ".claude/plugins/cache/grimoire/grimoire" / PLUGIN_VERSION
    assert Path(installed_entry(installed)["installPath"]) == expected
    assert (expected / ".claude-plugin" / "plugin.json").is_file()


@pytest.mark.parametrize(
    "needed",
    [
        "scripts/grimoire.py",
        "scripts/eventdesign",
        "references",
        "examples",
        str(SKILL_FILE),
        "bin/grimoire",
        "hooks/hooks.json",
        "requirements.lock",
    ],
)
def test_installed_copy_holds_what_the_skill_uses(installed: Installed, needed: str) -> None:
    assert (Path(installed_entry(installed)["installPath"]) / needed).exists()


def test_every_plugin_root_path_in_the_installed_skill_exists(installed: Installed) -> None:
    root = Path(installed_entry(installed)["installPath"])
    text = (root / SKILL_FILE).read_text(encoding="utf-8")
    named = set(re.findall(r"\$\{CLAUDE_PLUGIN_ROOT\}/([^\s\"'`)\]<>*{]+)", text))
    assert named
    missing = sorted(p for p in named if not (root / p.rstrip("/")).exists())
    assert not missing


def test_cli_runs_from_the_installed_copy(installed: Installed, tmp_path: Path) -> None:
    root = Path(installed_entry(installed)["installPath"])
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "grimoire.py"), "check", str(root / EXAMPLE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_skill_loads_in_a_session(claude_bin: Path, installed: Installed) -> None:
    init = session_init(claude_bin, installed.home, installed.home.parent)
    assert SKILL in init["skills"]
    assert any(p["source"] == "grimoire@grimoire" for p in init["plugins"])


# --- the skill in a session (--plugin-dir) ---------------------------------------------------


def context_lines(claude_bin: Path, home: Path, cwd: Path, *options: str) -> list[dict]:
    """The stream-json lines of `/context`, which runs locally: no login, no network."""
    result = claude(
        claude_bin,
        "-p",
        *options,
        "--output-format",
        "stream-json",
        "--verbose",
        "/context",
        home=home,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def init_line(lines: list[dict]) -> dict:
    """The session's `system/init` line (the plugin's SessionStart hook reports before it)."""
    found = [line for line in lines if (line["type"], line.get("subtype")) == ("system", "init")]
    assert len(found) == 1, lines
    return found[0]


def session_init(claude_bin: Path, home: Path, cwd: Path, *options: str) -> dict:
    return init_line(context_lines(claude_bin, home, cwd, *options))


@pytest.fixture(scope="module")
def plugin_dir_context(claude_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    base = tmp_path_factory.mktemp("context")
    return context_lines(claude_bin, base, base, "--plugin-dir", str(REPO_ROOT))


def test_context_lists_the_skill(plugin_dir_context: list[dict]) -> None:
    assert SKILL in init_line(plugin_dir_context)["skills"]


def test_the_skill_is_a_slash_command(plugin_dir_context: list[dict]) -> None:
    assert SKILL in init_line(plugin_dir_context)["slash_commands"]


def test_the_plugin_loads_from_the_plugin_dir(plugin_dir_context: list[dict]) -> None:
    plugins = init_line(plugin_dir_context)["plugins"]
    assert [p["name"] for p in plugins] == ["grimoire"]
    assert Path(plugins[0]["path"]) == REPO_ROOT


def test_context_usage_counts_the_skill_from_the_plugin(plugin_dir_context: list[dict]) -> None:
    result = plugin_dir_context[-1]
    assert result["type"] == "result" and result["is_error"] is False
    assert re.search(r"design-event-driven-system\s*\|\s*Plugin \(grimoire\)", result["result"])
