"""The slow path of bin/grimoire: use, wait for, or build the private environment, then run.

    grimoire_launcher.py run DATA_DIR [GRIMOIRE ARGS...]
    grimoire_launcher.py prepare DATA_DIR [--background]

bin/grimoire runs the environment's Python itself when it is ready; it calls this only when
it is not. Progress goes to stderr; a failure ends with one message, the fix, and exit 2.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import environment, installers, requirements

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements.lock"
REQUIREMENTS = ROOT / "requirements.txt"
ENTRY_SCRIPT = ROOT / "scripts" / "grimoire.py"
TICK_SECONDS = 5.0
EXIT_UNUSABLE = 2


class Progress:
    """Lines on stderr: what is happening, where, and for how long so far."""

    def __init__(self, data: Path, quiet: bool = False) -> None:
        self.data = data
        self.quiet = quiet
        self.started = time.monotonic()
        self.last = self.started

    def say(self, text: str) -> None:
        self.last = time.monotonic()
        if not self.quiet:
            print(f"grimoire: {text} ({self.elapsed()})", file=sys.stderr, flush=True)

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.0f} s"

    def tick(self, text: str) -> None:
        if time.monotonic() - self.last >= TICK_SECONDS:
            self.say(text)


def run_with_ticks(progress: Progress, command: list) -> subprocess.CompletedProcess[str]:
    """Run `command` with its output kept for error messages, ticking progress meanwhile."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **installers.OVERRIDDEN_SETTINGS},
        )
        try:
            while process.poll() is None:
                progress.tick(f"still installing into {progress.data}")
                time.sleep(0.1)
        except BaseException:
            process.kill()
            process.wait()
            raise
        output.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, output.read(), "")


def fix_for(failure: installers.InstallFailed | None, rerun: str) -> tuple[str, str]:
    """(what failed, the one thing to do) for a failed or impossible build."""
    if failure is None:
        if installers.debian_like():
            return (
                "this Python has neither venv with ensurepip nor pip, and uv is not installed",
                "install python3-venv, then run again: sudo apt install python3-venv && " + rerun,
            )
        return (
            "this Python has neither venv with ensurepip nor pip, and uv is not installed",
            "install uv (https://docs.astral.sh/uv/), then run again: " + rerun,
        )
    detail = f"{failure.installer}: {failure.last_error}"
    if failure.reason == "network":
        return (
            f"could not download the pinned packages, no network or no package index ({detail})",
            "connect to the network (or set PIP_INDEX_URL / UV_INDEX_URL to a reachable index), "
            "then run again: " + rerun,
        )
    if failure.reason == "hashes":
        return (
            f"downloaded files do not match the hashes pinned in requirements.lock ({detail})",
            "check the package index you use (PIP_INDEX_URL / UV_INDEX_URL), then run again: "
            + rerun,
        )
    return (f"the installer failed ({detail})", "fix the cause above, then run again: " + rerun)


def provision(data: Path, rerun: str, quiet: bool = False) -> int:
    """Build the environment unless ready; 0 when ready, 2 with one message when it cannot be."""
    progress = Progress(data, quiet)
    # A kill or a closed terminal ends the build through `finally`: nothing half-built stays.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_on_signal)
    created = not data.exists()
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _report(data, f"cannot create the folder ({error.strerror})", f"run again: {rerun}")

    def waiting(seconds: float) -> None:
        progress.tick(f"waiting for its Python environment, being prepared in {data}")

    with environment.exclusive(data, waiting):
        problem = None if environment.is_ready(data, LOCK) else _build(data, rerun, progress)
    if problem is None:
        return 0
    if created:  # leave no trace of a first run that could not finish
        with contextlib.suppress(OSError):
            data.rmdir()
    return _report(data, *problem)


def _build(data: Path, rerun: str, progress: Progress) -> tuple[str, str] | None:
    """Build with the installers at hand; None when ready, else (what failed, the fix)."""
    found = installers.available()
    if not found:
        return fix_for(None, rerun)
    if (data / environment.RUNTIME).exists():
        progress.say(f"the pinned packages changed: rebuilding its Python environment in {data}")
    else:
        progress.say(f"first run: preparing its Python environment in {data}")
    try:
        environment.build(
            data,
            LOCK,
            sys.executable,
            found,
            lambda command: run_with_ticks(progress, command),
            lambda installer: progress.say(f"installing with {installer.name}"),
        )
    except installers.InstallFailed as failure:
        return fix_for(failure, rerun)
    progress.say(f"environment ready in {data / environment.RUNTIME}")
    return None


def _exit_on_signal(number: int, frame: object) -> None:
    sys.exit(128 + number)


def _report(data: Path, what: str, fix: str) -> int:
    print(f"grimoire: cannot set up its Python environment in {data}: {what}", file=sys.stderr)
    print(f"grimoire: to fix it, {fix}", file=sys.stderr)
    return EXIT_UNUSABLE


def run_grimoire(data: Path, arguments: list[str]) -> int:
    """Run grimoire with these arguments: in the environment, or here if this Python suffices."""
    if not environment.is_ready(data, LOCK) and requirements.satisfied(REQUIREMENTS):
        sys.argv = ["grimoire", *arguments]
        from eventdesign.cli import console_main

        console_main()
    rerun = shlex.join(["grimoire", *arguments])
    code = provision(data, rerun)
    if code != 0:
        return code
    python = str(environment.runtime_python(data))
    os.execv(python, [python, str(ENTRY_SCRIPT), *arguments])
    return EXIT_UNUSABLE  # not reached


def prepare_in_background(data: Path) -> int:
    """Start a detached build unless nothing is to be done; return at once, print nothing."""
    if environment.is_ready(data, LOCK) or requirements.satisfied(REQUIREMENTS):
        return 0
    subprocess.Popen(
        [sys.executable, str(Path(__file__).parents[2] / "grimoire_launcher.py"), "prepare", data],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("run", "prepare"):
        print(__doc__, file=sys.stderr)
        return EXIT_UNUSABLE
    verb, data, rest = argv[0], Path(argv[1]), argv[2:]
    if verb == "run":
        return run_grimoire(data, rest)
    if rest == ["--background"]:
        return prepare_in_background(data)
    return provision(data, "grimoire --help", quiet=True)
