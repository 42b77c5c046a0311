"""How fast this machine is right now, for reading benchmark figures side by side."""

from __future__ import annotations

import subprocess
import sys
import time


def reference_seconds() -> float:
    """Wall time of a fixed pure-Python loop in a fresh process: how fast the machine is now.

    On a shared machine this varies by half from minute to minute; compare figures taken at
    similar reference times."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "sum(range(3 * 10**7))"], check=True)
    return time.perf_counter() - started
