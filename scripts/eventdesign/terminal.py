"""Text fit for a terminal: control characters escaped, huge echoed values shortened.

A name, key, path or flag can hold ESC, BEL, NUL or a newline; printed raw they would move the
cursor, ring the bell or forge extra lines of output. Every message the CLI prints goes
through `printable`.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 2_000
# C0 and C1 controls, DEL, lone surrogates, and the bidirectional overrides that reorder text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape(match: re.Match) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character written as a visible escape (\\e, \\n, \\x07)."""
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)


def shorten(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut in the middle when longer than `limit`; the end (what to do) is kept."""
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 3
    return f"{text[:head]}[... {len(text) - head - tail:,} characters cut ...]{text[-tail:]}"


def printable(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One message line: controls escaped, then shortened to `limit` characters."""
    return shorten(escape_controls(text), limit)
