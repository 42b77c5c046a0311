"""Checks that the third-party packages a command needs are importable, without importing them."""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys

# The plugin's launcher, beside scripts/ in a checkout or an installed plugin (not in a wheel).
PLUGIN_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAUNCHER = os.path.join(PLUGIN_ROOT, "bin", "grimoire")

# import name -> distribution name on PyPI
PACKAGES = {"yaml": "pyyaml", "jsonschema": "jsonschema", "jinja2": "jinja2", "avro": "avro"}
INSTALL_SET = ("pyyaml", "jsonschema", "jinja2", "avro")


class MissingDependency(Exception):
    """Raised with the one-line message telling the user exactly what to install."""


def install_command() -> str:
    """The exact command that installs every package grimoire uses into this interpreter."""
    # pip refuses --user inside a virtual environment; elsewhere it keeps system Pythons clean.
    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    user = "" if in_venv else "--user "
    return f"{shlex.quote(sys.executable)} -m pip install {user}{' '.join(INSTALL_SET)}"


def externally_managed() -> bool:
    """pip refuses to install into this interpreter (PEP 668: a system Python, not a venv)."""
    import sysconfig

    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    return not in_venv and os.path.exists(marker)


def require(*import_names: str) -> None:
    """Raise MissingDependency naming every absent package and the install command."""
    missing = [PACKAGES.get(n, n) for n in import_names if importlib.util.find_spec(n) is None]
    if not missing:
        return
    plural = "s" if len(missing) > 1 else ""
    needs = f"grimoire needs the Python package{plural} {', '.join(missing)}"
    if externally_managed() and os.path.exists(LAUNCHER):
        raise MissingDependency(
            f"{needs}, and pip will not install into this externally managed Python; run "
            f"{shlex.quote(LAUNCHER)} instead (it installs them once in its own environment)"
        )
    raise MissingDependency(f"{needs}; install with: {install_command()}  (or run it with: uv run)")
