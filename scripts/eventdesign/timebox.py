"""A wall-clock bound for work that runs users' regular expressions.

Python's `re` backtracks: a pattern such as `^(a+)+$` on forty `a`s and a `!` would run for
hours. The engine checks for signals as it goes, so a real-time timer (SIGALRM) stops it; the
handler raises TimeLimitExceeded, which callers turn into a finding or a clear refusal. Where
no timer is available (not the main thread, no SIGALRM, or a timer already running) the work
runs unbounded rather than disturbing someone else's timer.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

PATTERN_SECONDS = 1.0  # far above any sane pattern on one value; a runaway one stops here


class TimeLimitExceeded(Exception):
    """The bounded work ran past its time limit."""


def _expired(signum: int, frame: object) -> None:
    raise TimeLimitExceeded


@contextlib.contextmanager
def time_limit(seconds: float = PATTERN_SECONDS) -> Iterator[None]:
    """Raise TimeLimitExceeded in the block once `seconds` of wall-clock time have passed."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
