"""bin/grimoire on a new user's machine: it builds its own environment once, then just runs.

Each test gives the launcher a fresh HOME, a `python3` without grimoire's packages that pip
refuses to install into (externally managed), no network (`unshare -n`), and at most a local
folder of the pinned wheels instead of a package index. The Claude Code side (bin/ on PATH,
the SessionStart hook, no permission prompt) is in test_plugin_claude.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import EXAMPLE_MODEL, REPO_ROOT, offline_command
from eventdesign import __version__
from new_user import copy_plugin, externally_managed_python, offline_index, uv_dir, wheelhouse

LAUNCHER = REPO_ROOT / "bin" / "grimoire"
HOOK = REPO_ROOT / "hooks" / "session-start"
LOCK = REPO_ROOT / "requirements.lock"
SYSTEM_PATH = ["/usr/local/bin", "/usr/bin", "/bin"]


@dataclass
class Machine:
    """A new user's machine: HOME, PATH and the environment variables the launcher sees."""

    home: Path
    path: list[str]
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        """The fallback data folder outside Claude Code."""
        return self.home / ".cache" / "grimoire"

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "PATH": os.pathsep.join(self.path),
            "LANG": "C.UTF-8",
            **self.extra,
        }

    def run(self, *args: str, launcher: Path = LAUNCHER, cwd: Path | None = None):
        return subprocess.run(
            offline_command([str(launcher), *args]),
            cwd=cwd or self.home,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def new_machine(
    tmp_path: Path, ensurepip: bool = True, wheels: bool = True, uv: bool = False, pip: bool = True
) -> Machine:
    """`uv` puts uv on PATH: quicker builds for the tests that are not about the installer."""
    home = tmp_path / "home"
    home.mkdir()
    python = externally_managed_python(tmp_path / "python", ensurepip=ensurepip, pip=pip)
    extra = offline_index(wheelhouse()) if wheels else {}
    path = [str(python), *([str(uv_dir())] if uv else []), *SYSTEM_PATH]
    return Machine(home, path, extra)


def check_example(machine: Machine, launcher: Path = LAUNCHER) -> subprocess.CompletedProcess:
    return machine.run("check", str(EXAMPLE_MODEL), launcher=launcher)


def assert_checked_clean(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: 0 errors" in result.stdout


def python_with_the_packages(folder: Path) -> Path:
    """A folder whose `python3` is the test environment's Python, which has every package."""
    folder.mkdir()
    wrapper = folder / "python3"
    wrapper.write_text(f'#!/bin/sh\nexec "{REPO_ROOT / ".venv" / "bin" / "python"}" "$@"\n')
    wrapper.chmod(0o755)
    return folder


def leftovers(data: Path) -> list[str]:
    return sorted(p.name for p in data.iterdir() if p.name != "runtime") if data.exists() else []


# --- the lock file ---------------------------------------------------------------------------


def locked_pins() -> dict[str, int]:
    """`name==version ; marker` -> how many hashes requirements.lock gives it."""
    pins: dict[str, int] = {}
    current = None
    for line in LOCK.read_text().splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            current = line.rstrip(" \\")
            pins[current] = 0
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current] += 1
    return pins


def test_the_lock_pins_every_requirement_to_one_version_with_hashes() -> None:
    pins = locked_pins()
    assert pins and all("==" in pin for pin in pins)
    assert all(count >= 1 for count in pins.values()), pins
    pinned = {re.split(r"==", pin)[0].lower() for pin in pins}
    wanted = {
        re.split(r"[<>=!~ ]", line)[0].lower()
        for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert wanted <= pinned


def test_the_lock_has_wheels_for_other_platforms_too() -> None:
    """Hashes of every file of a release: macOS, Windows and Linux wheels of pyyaml, at least."""
    pyyaml = [count for pin, count in locked_pins().items() if pin.startswith("pyyaml==")]
    assert pyyaml and min(pyyaml) >= 10


# --- the new user's Python -------------------------------------------------------------------


def test_the_users_python_lacks_the_packages_and_refuses_pip_install(tmp_path: Path) -> None:
    """The situation the launcher exists for: the old advice, pip install --user, fails."""
    machine = new_machine(tmp_path)
    python = Path(machine.path[0]) / "python3"
    missing = subprocess.run(
        [python, "-c", "import yaml"], env=machine.env(), capture_output=True, text=True
    )
    assert "No module named 'yaml'" in missing.stderr
    refused = subprocess.run(
        offline_command([str(python), "-m", "pip", "install", "--user", "pyyaml"]),
        env=machine.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stderr


def test_the_entry_script_on_that_python_points_to_the_launcher_and_it_works(
    tmp_path: Path,
) -> None:
    """`python3 scripts/grimoire.py` cannot work there; its one-line error names what does."""
    machine = new_machine(tmp_path)
    python = Path(machine.path[0]) / "python3"
    direct = subprocess.run(
        [python, REPO_ROOT / "scripts" / "grimoire.py", "check", EXAMPLE_MODEL],
        env=machine.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert direct.returncode == 2
    [line] = direct.stderr.splitlines()
    assert "externally managed" in line and "pip install" not in line
    named = re.search(r"; run (\S+) instead", line)
    assert named and Path(named.group(1)) == LAUNCHER
    assert_checked_clean(check_example(machine, Path(named.group(1))))


# --- first run, second run -------------------------------------------------------------------


def test_first_run_builds_the_environment_with_venv_and_pip_and_runs(tmp_path: Path) -> None:
    machine = new_machine(tmp_path)
    result = check_example(machine)
    assert_checked_clean(result)
    assert f"first run: preparing its Python environment in {machine.data}" in result.stderr
    assert "installing with venv + pip" in result.stderr
    assert f"environment ready in {machine.data / 'runtime'}" in result.stderr
    assert (machine.data / "runtime" / "requirements.lock").read_bytes() == LOCK.read_bytes()
    assert leftovers(machine.data) == []


@pytest.mark.parametrize("ensurepip", [True, False], ids=["venv-pip", "pip-target"])
def test_pip_settings_for_user_installs_do_not_break_the_build(
    tmp_path: Path, ensurepip: bool
) -> None:
    machine = new_machine(tmp_path, ensurepip=ensurepip)
    machine.extra.update(PIP_USER="1", PIP_REQUIRE_VIRTUALENV="1")
    assert_checked_clean(check_example(machine))


def test_second_run_uses_the_environment_silently(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    assert_checked_clean(check_example(machine))
    again = check_example(machine)
    assert_checked_clean(again)
    assert again.stderr == ""


def test_uv_builds_the_environment_when_on_path(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    result = check_example(machine)
    assert_checked_clean(result)
    assert "installing with uv" in result.stderr
    assert "uv = " in (machine.data / "runtime" / "pyvenv.cfg").read_text()


def test_a_broken_uv_falls_back_to_venv_and_pip(tmp_path: Path) -> None:
    """An installer failing for its own reasons (not the network) hands over to the next one."""
    machine = new_machine(tmp_path)
    broken = tmp_path / "broken-uv"
    broken.mkdir()
    (broken / "uv").write_text("#!/bin/sh\necho 'error: uv cannot run here' >&2\nexit 1\n")
    (broken / "uv").chmod(0o755)
    machine.path.insert(1, str(broken))
    result = check_example(machine)
    assert_checked_clean(result)
    tried = [line for line in result.stderr.splitlines() if "installing with" in line]
    assert [line.split("installing with ")[1].split(" (")[0] for line in tried] == [
        "uv",
        "venv + pip",
    ]
    assert leftovers(machine.data) == []


def test_pip_target_builds_it_when_python_has_no_ensurepip(tmp_path: Path) -> None:
    """Debian's python3 without python3-venv: pip --target still works (PEP 668 allows it)."""
    machine = new_machine(tmp_path, ensurepip=False)
    result = check_example(machine)
    assert_checked_clean(result)
    assert "installing with pip --target" in result.stderr
    assert (machine.data / "runtime" / "site" / "yaml").is_dir()
    assert_checked_clean(check_example(machine))


# --- provisioning impossible -----------------------------------------------------------------


@pytest.mark.parametrize("uv", [False, True], ids=["venv-pip", "uv"])
def test_offline_without_wheels_fails_with_one_message_exit_2_and_leaves_nothing(
    tmp_path: Path, uv: bool
) -> None:
    machine = new_machine(tmp_path, wheels=False, uv=uv)
    result = check_example(machine)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    failure = [line for line in result.stderr.splitlines() if "cannot set up" in line]
    assert len(failure) == 1
    assert "could not download the pinned packages" in failure[0]
    fix = result.stderr.splitlines()[-1]
    assert fix.startswith("grimoire: to fix it, connect to the network")
    assert fix.endswith(f"then run again: grimoire check {EXAMPLE_MODEL}")
    assert not machine.data.exists()


def test_a_tampered_wheel_is_refused_and_nothing_is_installed(tmp_path: Path) -> None:
    """A mirror serving a file other than the pinned one: the hashes stop it."""
    machine = new_machine(tmp_path)
    tampered = tmp_path / "wheels"
    shutil.copytree(wheelhouse(), tampered)
    [wheel] = tampered.glob("jinja2-*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    machine.extra.update(offline_index(tampered))
    result = check_example(machine)
    assert result.returncode == 2
    assert "do not match the hashes pinned in requirements.lock" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("grimoire: to fix it, check the package index")
    assert not machine.data.exists()


def test_no_installer_at_all_says_what_to_install(tmp_path: Path) -> None:
    """No uv, no ensurepip, no pip: Debian's python3 without python3-venv and python3-pip."""
    machine = new_machine(tmp_path, ensurepip=False, pip=False)
    result = check_example(machine)
    assert result.returncode == 2
    assert "neither venv with ensurepip nor pip, and uv is not installed" in result.stderr
    fix = result.stderr.splitlines()[-1]
    assert fix.startswith("grimoire: to fix it, install ")
    assert fix.endswith(f"grimoire check {EXAMPLE_MODEL}")
    assert not machine.data.exists()


def test_no_python_at_all_says_what_to_install(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("cmp", "readlink"):
        (tools / tool).symlink_to(f"/usr/bin/{tool}")
    machine = Machine(tmp_path, [str(tools)])
    result = machine.run("--version")
    assert result.returncode == 2
    assert "needs Python 3.9 or newer" in result.stderr
    assert "install Python" in result.stderr


# --- rebuilds and leftovers ------------------------------------------------------------------


def test_a_new_pinned_set_rebuilds_the_environment(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    plugin = copy_plugin(tmp_path / "plugin")
    launcher = plugin / "bin" / "grimoire"
    assert_checked_clean(check_example(machine, launcher))
    lock = plugin / "requirements.lock"
    lock.write_text(lock.read_text() + "# a new plugin version\n")
    result = check_example(machine, launcher)
    assert_checked_clean(result)
    assert "the pinned packages changed: rebuilding" in result.stderr
    assert (machine.data / "runtime" / "requirements.lock").read_bytes() == lock.read_bytes()
    assert leftovers(machine.data) == []


def test_a_build_a_killed_process_left_is_removed(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    stale = machine.data / ".runtime-build-killed" / "env"
    stale.mkdir(parents=True)
    (stale / "half-written").write_text("x")
    assert_checked_clean(check_example(machine))
    assert leftovers(machine.data) == []


def test_a_python_that_has_the_packages_runs_grimoire_without_an_environment(
    tmp_path: Path,
) -> None:
    """The test environment's own Python has every package: nothing is built."""
    python = python_with_the_packages(tmp_path / "python")
    machine = Machine(tmp_path, [str(python), *SYSTEM_PATH])
    assert_checked_clean(check_example(machine))
    assert not machine.data.exists()


def test_the_launcher_runs_through_a_symlink_and_ignores_cdpath(tmp_path: Path) -> None:
    """Linked into a folder on the user's PATH, or run by a relative path with CDPATH set (whose
    folder also has a bin/), it still finds its own plugin folder."""
    python = python_with_the_packages(tmp_path / "python")
    user_bin = tmp_path / "bin"
    user_bin.mkdir()
    (user_bin / "grimoire").symlink_to(LAUNCHER)
    machine = Machine(tmp_path, [str(user_bin), str(python), *SYSTEM_PATH])
    machine.extra["CDPATH"] = str(tmp_path)
    for command, cwd in ((["grimoire"], tmp_path), (["bin/grimoire"], REPO_ROOT)):
        result = subprocess.run(
            [*command, "--version"],
            cwd=cwd,
            env=machine.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, result.stdout) == (0, f"grimoire {__version__}\n"), result


# --- the SessionStart hook -------------------------------------------------------------------


def run_hook(machine: Machine, data: Path, env_file: Path) -> subprocess.CompletedProcess:
    env = {**machine.env(), "CLAUDE_PLUGIN_DATA": str(data), "CLAUDE_ENV_FILE": str(env_file)}
    return subprocess.run(
        offline_command([str(HOOK)]), env=env, capture_output=True, text=True, timeout=60
    )


def wait_until_ready(data: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (data / "runtime" / "requirements.lock").exists() and leftovers(data) == []:
            return
        time.sleep(0.2)
    pytest.fail(f"the background build did not finish: {leftovers(data)}")


def test_hook_exports_the_data_folder_and_builds_in_the_background(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    data, env_file = tmp_path / "plugin data" / "it's here", tmp_path / "env.sh"
    started = time.monotonic()
    result = run_hook(machine, data, env_file)
    returned_after = time.monotonic() - started
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert returned_after < 10, "the hook waited for the build"
    exported = subprocess.run(
        ["sh", "-c", f'. "{env_file}" && printf %s "$GRIMOIRE_DATA_DIR"'],
        capture_output=True,
        text=True,
    )
    assert exported.stdout == str(data)
    wait_until_ready(data)
    machine.extra["GRIMOIRE_DATA_DIR"] = str(data)
    again = check_example(machine)
    assert_checked_clean(again)
    assert again.stderr == ""


def test_first_command_waits_for_the_build_the_hook_started(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    data = tmp_path / "data"
    assert run_hook(machine, data, tmp_path / "env.sh").returncode == 0
    machine.extra["GRIMOIRE_DATA_DIR"] = str(data)
    assert_checked_clean(check_example(machine))
    assert (data / "runtime" / "requirements.lock").exists()


def test_hook_is_silent_and_starts_nothing_when_ready(tmp_path: Path) -> None:
    machine = new_machine(tmp_path, uv=True)
    data = tmp_path / "data"
    machine.extra["GRIMOIRE_DATA_DIR"] = str(data)
    assert_checked_clean(check_example(machine))
    before = (data / "runtime").stat().st_mtime_ns
    result = run_hook(machine, data, tmp_path / "env.sh")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert sorted(p.name for p in data.iterdir()) == ["runtime"]
    assert (data / "runtime").stat().st_mtime_ns == before
