"""The ways to install the pinned packages into a new folder: uv, venv + pip, pip --target.

Each installer fills `target` so that `target/bin/python` runs an interpreter that imports the
packages of the lock file, installed with their hashes checked and nothing else resolved.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

# Output that means the packages could not be fetched: another installer would fail the same way.
NETWORK_SIGNS = (
    "no matching distribution found",
    "could not find a version that satisfies",
    "failed to establish a new connection",
    "network is unreachable",
    "temporary failure in name resolution",
    "name or service not known",
    "connection refused",
    "read timed out",
    "failed to fetch",
    "error sending request",
    "dns error",
    "network connectivity is disabled",
    "because there is no version of",
    "not found in the package registry",
)
HASH_SIGNS = ("do not match the hashes", "hash mismatch")
PIP_OPTIONS = (
    "--require-hashes",
    "--no-deps",
    "--disable-pip-version-check",
    "--no-input",
    "--progress-bar",
    "off",
    "--retries",
    "1",
    "--timeout",
    "20",
)
# A user's pip settings that would make every install here fail: a --user install (refused
# inside a venv, and clashing with --target) and a virtualenv requirement (pip --target has none).
# Index, mirror and proxy settings are left as the user set them.
OVERRIDDEN_SETTINGS = {"PIP_USER": "0", "PIP_REQUIRE_VIRTUALENV": "0"}
# pip --target leaves no interpreter in the folder: this one runs the chosen Python with it.
TARGET_PYTHON = """#!/bin/sh
# Runs {python} with the packages of this folder's site/ (installed by pip --target).
PYTHONPATH="${{0%/bin/python}}/site${{PYTHONPATH:+:$PYTHONPATH}}" exec '{python}' "$@"
"""

Run = Callable[[list], "subprocess.CompletedProcess[str]"]


class InstallFailed(Exception):
    """An installer did not finish; `output` holds what it printed."""

    def __init__(self, installer: str, output: str) -> None:
        super().__init__(f"{installer} failed")
        self.installer = installer
        self.output = output

    @property
    def reason(self) -> str:
        """`network`, `hashes` or `other`: what the installer's output says went wrong."""
        text = self.output.lower()
        if any(sign in text for sign in HASH_SIGNS):
            return "hashes"
        if any(sign in text for sign in NETWORK_SIGNS):
            return "network"
        return "other"

    @property
    def last_error(self) -> str:
        """The installer's most telling output line."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        for line in reversed(lines):
            if line.lower().startswith(("error", "×", "x ", "╰─▶", "caused by")):
                return line.lstrip("×╰─▶ ")
        return lines[-1] if lines else "no output"


@dataclass(frozen=True)
class Installer:
    """One way to install: its name as users read it and the steps it takes."""

    name: str
    install: Callable[[str, Path, Path, Run], None]


def _checked(run: Run, installer: str, command: list) -> None:
    result = run([str(part) for part in command])
    if result.returncode != 0:
        raise InstallFailed(installer, result.stdout or "")


def _with_uv(python: str, lock: Path, target: Path, run: Run) -> None:
    uv = [shutil.which("uv"), "--quiet", "--no-python-downloads"]
    _checked(run, "uv", [*uv, "venv", "--python", python, target])
    install = ["pip", "install", "--python", target / "bin" / "python", "--require-hashes"]
    _checked(run, "uv", [*uv, *install, "--no-deps", "--compile-bytecode", "-r", lock])


def _with_venv(python: str, lock: Path, target: Path, run: Run) -> None:
    _checked(run, "venv + pip", [python, "-m", "venv", target])
    pip = [target / "bin" / "python", "-m", "pip", "install", *PIP_OPTIONS]
    _checked(run, "venv + pip", [*pip, "-r", lock])


def _with_pip_target(python: str, lock: Path, target: Path, run: Run) -> None:
    # --target is exempt from PEP 668's externally-managed refusal: it leaves the system alone.
    pip = [python, "-m", "pip", "install", "--target", target / "site", *PIP_OPTIONS]
    _checked(run, "pip --target", [*pip, "-r", lock])
    launcher = target / "bin" / "python"
    launcher.parent.mkdir()
    launcher.write_text(TARGET_PYTHON.format(python=python.replace("'", "'\\''")))
    launcher.chmod(0o755)


UV = Installer("uv", _with_uv)
VENV = Installer("venv + pip", _with_venv)
PIP_TARGET = Installer("pip --target", _with_pip_target)


def _importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def available(which: Callable[[str], Optional[str]] = shutil.which) -> list[Installer]:
    """The installers this machine offers, fastest first, for the running interpreter."""
    found = []
    if which("uv"):
        found.append(UV)
    if _importable("venv") and _importable("ensurepip"):
        found.append(VENV)
    if _importable("pip"):
        found.append(PIP_TARGET)
    return found


def debian_like() -> bool:
    return Path("/etc/debian_version").exists() and sys.platform.startswith("linux")
