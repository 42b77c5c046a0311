"""Event store on PostgreSQL with psycopg 3: append with an expected version, catch-up reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from psycopg import Connection, errors
from psycopg.pq import TransactionStatus


class NewEvent(NamedTuple):
    event_id: str  # derive it from the command, e.g. uuid5(command_id, str(index))
    event_type: str
    data: Any
    metadata: dict | None = None


class ConcurrencyError(Exception):
    """The stream moved on since it was read: reload it, decide again, append new events."""


class DuplicateEventError(Exception):
    """An event id is already stored at another place: ids were reused for other events."""


NEW_STREAM = "INSERT INTO streams VALUES (%s, %s) ON CONFLICT DO NOTHING"
ADVANCE_STREAM = "UPDATE streams SET version = %s WHERE stream_id = %s AND version = %s"
STORED_IDS = """
SELECT event_id FROM events WHERE stream_id = %s AND stream_version > %s
ORDER BY stream_version LIMIT %s
"""
TAKE_POSITIONS = """
UPDATE event_log_head SET last_position = last_position + %s RETURNING last_position
"""
INSERT_EVENTS = """
INSERT INTO events
  (global_position, stream_id, stream_version, event_id, event_type, data, metadata)
SELECT %(last)s - %(count)s + e.n, %(stream)s, %(expected)s + e.n, e.id, e.type, e.data, e.meta
FROM unnest(%(ids)s::text[], %(types)s::text[], %(datas)s::jsonb[], %(metas)s::jsonb[])
     WITH ORDINALITY AS e(id, type, data, meta, n)
"""
READ_AFTER = """
SELECT global_position, stream_id, stream_version, event_id, event_type, data, metadata
FROM events WHERE global_position > %s ORDER BY global_position LIMIT %s
"""
RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)  # 40001, 40P01


def append(
    conn: Connection, stream_id: str, expected_version: int, events: Sequence[NewEvent], attempts=5
) -> int:
    """Append events if the stream is at expected_version (0: new stream); return the new version.

    Appending the same event ids at the same expected version again (a retry after a lost commit
    acknowledgement) returns the same version and stores nothing twice. Run it in its own
    transaction to have serialization failures retried; inside yours they propagate to you.
    """
    if not events:
        raise ValueError("nothing to append")
    owns_transaction = conn.info.transaction_status == TransactionStatus.IDLE
    for attempt in range(1, attempts + 1):
        try:
            with conn.transaction():
                return _append(conn, stream_id, expected_version, events)
        except RETRYABLE:
            if not owns_transaction or attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _append(conn: Connection, stream_id: str, expected: int, events: Sequence[NewEvent]) -> int:
    count, new_version = len(events), expected + len(events)
    if expected == 0:
        moved = conn.execute(NEW_STREAM, (stream_id, new_version)).rowcount
    else:
        moved = conn.execute(ADVANCE_STREAM, (new_version, stream_id, expected)).rowcount
    if moved != 1:  # the stream is not at `expected` (its row lock made us wait for any writer)
        stored = [row[0] for row in conn.execute(STORED_IDS, (stream_id, expected, count))]
        if stored == [event.event_id for event in events]:
            return new_version  # this very append committed before: a retry
        raise ConcurrencyError(f"{stream_id} is not at version {expected}")
    # Last step before commit: the head row stays locked until then, so positions follow commits.
    (last,) = conn.execute(TAKE_POSITIONS, (count,)).fetchone()
    params = {
        "last": last,
        "count": count,
        "stream": stream_id,
        "expected": expected,
        "ids": [event.event_id for event in events],
        "types": [event.event_type for event in events],
        "datas": [json.dumps(event.data) for event in events],
        "metas": [json.dumps(event.metadata or {}) for event in events],
    }
    try:
        conn.execute(INSERT_EVENTS, params)
    except errors.UniqueViolation as exc:  # only event_id can clash: the stream row is ours
        raise DuplicateEventError(str(exc.diag.message_detail)) from exc
    return new_version


def read_after(conn: Connection, position: int, limit: int = 500) -> list[tuple]:
    """Committed events after a global position, in order; none can appear later below them."""
    return conn.execute(READ_AFTER, (position, limit)).fetchall()
