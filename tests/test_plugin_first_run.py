"""The skill's first command in a real Claude Code session on a new user's machine.

A fresh HOME with the plugin installed from its marketplace; `python3` lacks grimoire's
packages and is marked externally managed; no network (`unshare -n`), only a local folder of
the pinned wheels. The session talks to a fake Messages API on loopback (fake_anthropic.py)
that invokes the skill's first command as the model would, `grimoire check design.yaml`, and
Claude Code runs it under the skill's permission rule: provisioning happens on that call (or
in the SessionStart hook's background build it waits for), and the command succeeds with no
permission prompt. The speed of later runs is measured by bench/bench_launcher.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import EXAMPLE_DIR, REPO_ROOT, offline_command
from new_user import copy_plugin, externally_managed_python, offline_index, uv_dir, wheelhouse

FAKE_API = REPO_ROOT / "tests" / "fake_anthropic.py"
SKILL_PROMPT = "/grimoire:design-event-driven-system check the design in design.yaml"
FIRST_COMMAND = "grimoire check design.yaml"
SYSTEM_PATH = ["/usr/local/bin", "/usr/bin", "/bin"]
SESSION_TIMEOUT = 300


@dataclass
class NewUser:
    """A machine as above, with the plugin installed; `data` is the plugin's data folder."""

    home: Path
    repo: Path
    env: dict[str, str]

    @property
    def data(self) -> Path:
        return self.home / ".claude" / "plugins" / "data" / "grimoire-grimoire"


def claude_env(home: Path, path: list[Path], wheels: bool) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": ":".join([*map(str, path), *SYSTEM_PATH]),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "SHELL": "/bin/bash",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        **(offline_index(wheelhouse()) if wheels else {}),
    }


def run_offline(command: list, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        offline_command([str(part) for part in command]),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SESSION_TIMEOUT,
        check=False,
    )


def new_user(claude_bin: Path, base: Path, uv: bool = False, wheels: bool = True) -> NewUser:
    home = base / "home"
    home.mkdir()
    python = externally_managed_python(base / "python")
    env = claude_env(home, [python, *([uv_dir()] if uv else [])], wheels)
    plugin = copy_plugin(base / "grimoire")
    for args in (["marketplace", "add", "./"], ["install", "grimoire@grimoire"]):
        result = run_offline([claude_bin, "plugin", *args], env, plugin)
        assert result.returncode == 0, result.stdout + result.stderr
    repo = base / "shop"
    shutil.copytree(EXAMPLE_DIR, repo)
    return NewUser(home, repo, env)


def session(claude_bin: Path, user: NewUser, *commands: str) -> list[dict]:
    """Run `claude -p` with the skill's prompt; the fake model calls `commands` in Bash."""
    bash = [arg for command in commands for arg in ("--bash", command)]
    claude = [claude_bin, "-p", "--output-format", "stream-json", "--verbose", SKILL_PROMPT]
    result = run_offline([sys.executable, FAKE_API, *bash, "--", *claude], user.env, user.repo)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def tool_results(lines: list[dict]) -> list[dict]:
    """Every tool_result block Claude Code sent back to the model, in order."""
    found = []
    for line in lines:
        if line.get("type") == "user":
            content = line["message"]["content"]
            found += [b for b in content if isinstance(b, dict) and b["type"] == "tool_result"]
    return found


def result_text(block: dict) -> str:
    content = block["content"]
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content)
    return content


def assert_session_start_hook_was_silent(lines: list[dict]) -> None:
    """The plugin's SessionStart hook ran, succeeded and said nothing (to the user or model)."""
    hooks = [line for line in lines if line.get("subtype") == "hook_response"]
    ours = [line for line in hooks if line.get("hook_event") == "SessionStart"]
    assert ours, hooks
    for line in ours:
        assert (line["exit_code"], line["stdout"], line["stderr"]) == (0, "", ""), line


def wait_for_builds(data: Path, seconds: float = 240) -> None:
    """Wait until no build runs in `data` (the hook may have started one in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not data.exists() or not any(
            p.name == "runtime.lock" or p.name.startswith(".runtime-") for p in data.iterdir()
        ):
            return
        time.sleep(0.2)
    pytest.fail(f"a build still runs in {data}: {sorted(p.name for p in data.iterdir())}")


def assert_first_command_succeeded(lines: list[dict]) -> str:
    [first] = tool_results(lines)
    text = result_text(first)
    assert "requires approval" not in text
    assert first.get("is_error") is not True, text
    assert "check: 0 errors, 0 warnings" in text
    return text


def assert_environment_in_the_plugin_data_folder(user: NewUser) -> None:
    wait_for_builds(user.data)
    runtime = user.data / "runtime"
    assert (runtime / "requirements.lock").read_bytes() == (
        REPO_ROOT / "requirements.lock"
    ).read_bytes()
    assert not (user.home / ".cache" / "grimoire").exists(), "built outside the data folder"
    assert sorted(p.name for p in user.repo.iterdir()) == sorted(
        p.name for p in EXAMPLE_DIR.iterdir()
    ), "wrote into the user's repository"


# --- venv + pip ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_sessions(claude_bin: Path, tmp_path_factory: pytest.TempPathFactory):
    """A new user's first session, then a second one on the same machine."""
    user = new_user(claude_bin, tmp_path_factory.mktemp("first-run"))
    first = session(claude_bin, user, FIRST_COMMAND)
    wait_for_builds(user.data)
    second = session(claude_bin, user, FIRST_COMMAND)
    return user, first, second


def test_first_command_provisions_and_succeeds_without_a_permission_prompt(first_sessions):
    user, first, _ = first_sessions
    assert_session_start_hook_was_silent(first)
    assert_first_command_succeeded(first)
    assert_environment_in_the_plugin_data_folder(user)


def test_the_environment_is_a_venv_of_the_users_python(first_sessions):
    user, _, _ = first_sessions
    config = (user.data / "runtime" / "pyvenv.cfg").read_text()
    assert f"home = {user.env['PATH'].split(':')[0]}" in config


def test_second_session_runs_the_command_with_nothing_about_setup(first_sessions):
    _, _, second = first_sessions
    assert_session_start_hook_was_silent(second)
    text = assert_first_command_succeeded(second)
    assert "grimoire:" not in text, "the second run printed setup messages"


# --- uv --------------------------------------------------------------------------------------


def test_with_uv_on_path_the_first_command_succeeds_and_uv_built_it(
    claude_bin: Path, tmp_path: Path
) -> None:
    user = new_user(claude_bin, tmp_path, uv=True)
    assert_first_command_succeeded(session(claude_bin, user, FIRST_COMMAND))
    assert_environment_in_the_plugin_data_folder(user)
    assert "uv = " in (user.data / "runtime" / "pyvenv.cfg").read_text()
    uninstall = run_offline(
        [claude_bin, "plugin", "uninstall", "grimoire@grimoire"], user.env, user.repo
    )
    assert uninstall.returncode == 0, uninstall.stdout + uninstall.stderr
    assert not user.data.exists(), "uninstalling left the environment behind"


# --- provisioning impossible -----------------------------------------------------------------


def test_without_network_or_wheels_one_message_exit_2_and_nothing_left(
    claude_bin: Path, tmp_path: Path
) -> None:
    user = new_user(claude_bin, tmp_path, wheels=False)
    [result] = tool_results(session(claude_bin, user, FIRST_COMMAND))
    text = result_text(result)
    assert "requires approval" not in text
    assert result.get("is_error") is True
    assert "Exit code 2" in text
    assert "Traceback" not in text
    assert text.count("cannot set up its Python environment") == 1
    assert "could not download the pinned packages" in text
    assert f"then run again: {FIRST_COMMAND}" in text
    wait_for_builds(user.data)
    assert not user.data.exists() or list(user.data.iterdir()) == []
