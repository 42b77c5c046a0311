"""Inbox with psycopg 3: apply a message's effects once per (consumer, source, event id)."""

from __future__ import annotations

from collections.abc import Callable

from psycopg import Connection

RECORD = """
INSERT INTO inbox (consumer, source, event_id) VALUES (%s, %s, %s)
ON CONFLICT (consumer, source, event_id) DO NOTHING
"""


def handle_once(
    conn: Connection, consumer: str, source: str, event_id: str, apply_effects: Callable
) -> bool:
    """Run apply_effects(conn) unless this message was processed; False means a duplicate.

    Acknowledge the message after this returns, either way. Any error, including a unique
    violation raised by the effects, rolls both back and propagates: do not acknowledge.
    """
    with conn.transaction():
        # A concurrent copy of the message waits here until the first commits or rolls back.
        if conn.execute(RECORD, (consumer, source, event_id)).rowcount == 0:
            return False
        apply_effects(conn)
    return True
