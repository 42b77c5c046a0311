"""Which property names the schemas' `patternProperties` patterns match, found with a time bound.

The comparison runs on a worker thread (for its deep stack), where no timer can stop a
regular expression that backtracks catastrophically. So before it starts, the main thread
matches every pattern of the schemas against every property name they declare, each search
under `timebox.time_limit`; the comparison then looks the answers up. A pattern that runs
past the limit makes the schema unusable input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import InputError
from ..timebox import PATTERN_SECONDS, TimeLimitExceeded, time_limit

MAX_SEARCHES = 200_000  # patterns x names; beyond it the comparison searches unbounded

_known: dict[tuple[str, str], bool] = {}


def _patterns_and_names(data: Any) -> tuple[set[str], set[str]]:
    patterns: set[str] = set()
    names: set[str] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for keyword, found in (("patternProperties", patterns), ("properties", names)):
                members = node.get(keyword)
                if isinstance(members, dict):
                    found.update(key for key in members if isinstance(key, str))
            required = node.get("required")
            if isinstance(required, list):
                names.update(name for name in required if isinstance(name, str))
            stack.extend(node.values())
    return patterns, names


def precompute(documents: Iterable[tuple[Any, str]]) -> None:
    """Match every pattern of the (data, shown) documents against every name of any of them,
    each search time-bounded; InputError names the document of a pattern that runs away."""
    documents = list(documents)
    found = [_patterns_and_names(data) for data, _shown in documents]
    names = set().union(*(names for _patterns, names in found))
    searches = sum(len(patterns) for patterns, _names in found) * len(names)
    if not searches or searches > MAX_SEARCHES:
        return
    for (patterns, _names), (_data, shown) in zip(found, documents):
        for pattern in sorted(patterns):
            try:
                compiled = re.compile(pattern)
            except (re.error, OverflowError, RecursionError):
                continue  # the schema loader reports it
            for name in sorted(names):
                if (pattern, name) not in _known:
                    _known[pattern, name] = _bounded_search(compiled, pattern, name, shown)


def _bounded_search(compiled: re.Pattern, pattern: str, name: str, shown: str) -> bool:
    try:
        with time_limit():
            return compiled.search(name) is not None
    except TimeLimitExceeded:
        raise InputError(
            f"the patternProperties pattern '{pattern}' took over {PATTERN_SECONDS:g} s on the "
            f"property name '{name}' (catastrophic backtracking); rewrite it without nested "
            "quantifiers",
            shown,
        ) from None


def matches(pattern: str, compiled: re.Pattern, name: str) -> bool:
    """Whether `compiled` (the pattern `pattern`) finds a match in `name`."""
    known = _known.get((pattern, name))
    if known is not None:
        return known
    return compiled.search(name) is not None
