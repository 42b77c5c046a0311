"""JSON pointers (RFC 6901): the one place their tokens are escaped and unescaped."""

from __future__ import annotations

from collections.abc import Iterable


def escape_token(token: object) -> str:
    """A key or index as a pointer token: `~` becomes `~0`, `/` becomes `~1`."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """The key a pointer token names (`~1` is `/`, `~0` is `~`, in that order)."""
    return token.replace("~1", "/").replace("~0", "~")


def list_index(token: str) -> int | None:
    """The array index a JSON pointer token names (ASCII digits, no leading zero), or None.

    `str.isdigit` also accepts digits such as '²' or '٣' that are no index, and an int of
    thousands of digits cannot even be converted: neither may reach `int()`.
    """
    if not (0 < len(token) <= 18 and token.isascii() and token.isdigit()):
        return None
    if token[0] == "0" and token != "0":
        return None
    return int(token)


def pointer_of(path: Iterable[object]) -> str:
    """The JSON pointer for a path of keys and indexes ('' for the root)."""
    return "".join("/" + escape_token(part) for part in path)
