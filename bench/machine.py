"""What the benchmarks share about the machine: how fast it is now, and an environment in
which fresh Python processes keep their bytecode as on a user's machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def reference_seconds() -> float:
    """Wall time of a fixed pure-Python loop in a fresh process: how fast the machine is now.

    On a shared machine this varies by half from minute to minute; compare figures taken at
    similar reference times."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "sum(range(3 * 10**7))"], check=True)
    return time.perf_counter() - started


def cached_bytecode_environment(folder: Path) -> dict[str, str]:
    """This environment with Python's bytecode (and the compiled templates beside it) kept in
    `folder`, as a user's machine keeps it after the first run; the checkout is left alone."""
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=str(folder))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment
