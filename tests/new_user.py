"""A new user's machine for the launcher tests: the plugin as shipped, and a bare Python.

The Python is this interpreter's base Python seen through a folder of links: its own (empty)
site-packages, so none of the test environment's packages; an EXTERNALLY-MANAGED file in its
standard library, so pip refuses to install into it as on Debian 12 or Homebrew (a virtual
environment cannot play this part: pip ignores the marker inside one); optionally no
ensurepip (Debian without python3-venv) and pip linked in (the system's python3-pip).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from conftest import REPO_ROOT
from real_clients import missing

WHEELHOUSE = REPO_ROOT / ".cache" / "wheelhouse"
UV_DIR = REPO_ROOT / ".cache" / "tools" / "uv" / "bin"
MARKER = """[externally-managed]
Error=This Python is managed by the system. Install packages with the system's package manager.
"""


def externally_managed_python(folder: Path, ensurepip: bool = True, pip: bool = True) -> Path:
    """Make the Python described above in `folder`; returns its bin/ folder (holds python3)."""
    base = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    stdlib = Path(sysconfig.get_path("stdlib"))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    bin_dir, lib = folder / "bin", folder / "lib" / version
    (lib / "site-packages").mkdir(parents=True)
    bin_dir.mkdir()
    # A copy, not a link: Python finds its standard library from its own resolved location.
    shutil.copy2(base, bin_dir / "python3")
    for entry in stdlib.iterdir():
        if entry.name == "site-packages" or (entry.name == "ensurepip" and not ensurepip):
            continue
        (lib / entry.name).symlink_to(entry)
    for shared in (Path(sys.base_prefix) / "lib").glob("libpython*"):
        (folder / "lib" / shared.name).symlink_to(shared)
    (lib / "EXTERNALLY-MANAGED").write_text(MARKER)
    if pip:
        spec = importlib.util.find_spec("pip")
        assert spec and spec.origin, "the test environment has pip"
        (lib / "site-packages" / "pip").symlink_to(Path(spec.origin).parent)
    return bin_dir


def wheelhouse() -> Path:
    """The pinned packages' wheels for this platform, downloaded by tests/tools/install.sh."""
    if not any(WHEELHOUSE.glob("*.whl")):
        missing(f"{WHEELHOUSE} (the wheels)")
    return WHEELHOUSE


def uv_dir() -> Path:
    """A folder holding the `uv` binary (PyPI's uv, installed by tests/tools/install.sh)."""
    if not (UV_DIR / "uv").exists():
        missing(f"{UV_DIR}/uv")
    return UV_DIR


def offline_index(wheels: Path) -> dict[str, str]:
    """Environment that points pip and uv at a local folder of wheels instead of an index."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": str(wheels),
    }


def copy_plugin(target: Path) -> Path:
    """Copy the repo as git would ship it: without .git and what .gitignore names."""
    ignored = [".git"]
    for line in (REPO_ROOT / ".gitignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ignored.append(line.rstrip("/"))
    shutil.copytree(REPO_ROOT, target, ignore=shutil.ignore_patterns(*ignored), symlinks=True)
    return target
