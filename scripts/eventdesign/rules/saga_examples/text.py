"""Saga examples are made from one sound saga by replacing text."""

from __future__ import annotations

# The services both sagas need beside the base model's `lending` and `notices`.
SERVICES = """\
services:
  members: {context: Lending, outbox: transactional, idempotency: inbox}
  holds: {context: Lending, outbox: transactional, idempotency: inbox}
  fines: {context: Lending, outbox: transactional, idempotency: inbox}
"""


def variant(sound: str, *changes: tuple[str, str]) -> str:
    """`sound` with each (old, new) text replaced; each `old` must occur exactly once."""
    text = sound
    for old, new in changes:
        if text.count(old) != 1:
            raise ValueError(f"a saga example changes text found {text.count(old)} times: {old!r}")
        text = text.replace(old, new)
    return text
