"""Run a function with room to recurse: deeply nested or recursive schemas are compared, not
crashed on. The work runs in a thread with a large stack and a raised recursion limit; the
caller gets the result, or the exception the function raised (RecursionError included).
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, TypeVar

RECURSION_LIMIT = 40_000
STACK_BYTES = (256 * 1024 * 1024, 64 * 1024 * 1024)

T = TypeVar("T")

_lock = threading.Lock()


def call_with_deep_stack(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` on a thread whose stack and recursion limit are large."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    with _lock:
        previous_stack = threading.stack_size()
        previous_limit = sys.getrecursionlimit()
        thread = None
        for size in STACK_BYTES:
            try:
                threading.stack_size(size)
                thread = threading.Thread(target=target, name="grimoire-compat", daemon=True)
                break
            except (ValueError, RuntimeError):
                continue
        try:
            if thread is None:
                return function(*args, **kwargs)
            sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
            thread.start()
            thread.join()
        finally:
            sys.setrecursionlimit(previous_limit)
            threading.stack_size(previous_stack)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
