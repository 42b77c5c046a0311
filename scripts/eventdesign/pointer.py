"""JSON pointers (RFC 6901): the one place their tokens are escaped and unescaped."""

from __future__ import annotations

from collections.abc import Iterable


def escape_token(token: object) -> str:
    """A key or index as a pointer token: `~` becomes `~0`, `/` becomes `~1`."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """The key a pointer token names (`~1` is `/`, `~0` is `~`, in that order)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(path: Iterable[object]) -> str:
    """The JSON pointer for a path of keys and indexes ('' for the root)."""
    return "".join("/" + escape_token(part) for part in path)
