"""Checks that the third-party packages a command needs are importable, without importing them."""

from __future__ import annotations

import importlib.util
import shlex
import sys

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


def require(*import_names: str) -> None:
    """Raise MissingDependency naming every absent package and the install command."""
    missing = [PACKAGES.get(n, n) for n in import_names if importlib.util.find_spec(n) is None]
    if missing:
        raise MissingDependency(
            f"grimoire needs the Python package{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; install with: {install_command()}  (or run it with: uv run)"
        )
