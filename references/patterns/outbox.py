"""Transactional outbox with psycopg 3: the writer's insert and a relay that keeps per-key order.

Several relays share the keys through leased hash buckets; a dead relay's buckets pass to the
others when its lease expires; a relay stops publishing before its lease can expire, and its
writes are fenced; a row that keeps failing parks its own key only. No session state is used
(no advisory locks), so it works behind PgBouncer in transaction mode.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import timedelta
from itertools import groupby

from psycopg import Connection

ADD = """
WITH seq AS (
  INSERT INTO outbox_keys VALUES (%(key)s, 1)
  ON CONFLICT (partition_key) DO UPDATE SET last_seq = outbox_keys.last_seq + 1
  RETURNING last_seq
)
INSERT INTO outbox (partition_key, key_seq, event_id, topic, event_type, payload, headers)
SELECT %(key)s, last_seq, %(id)s, %(topic)s, %(type)s, %(payload)s, %(headers)s FROM seq
"""
HEARTBEAT = """
INSERT INTO outbox_relays VALUES (%(me)s, now())
ON CONFLICT (relay_id) DO UPDATE SET seen_at = now()
RETURNING (SELECT count(*) FROM outbox_leases),
  (SELECT count(*) FROM outbox_relays WHERE relay_id <> %(me)s AND seen_at > now() - %(ttl)s)
"""
RENEW = """
UPDATE outbox_leases SET expires_at = now() + %(ttl)s
WHERE owner = %(me)s AND expires_at > now() RETURNING bucket, fence
"""
RELEASE = "UPDATE outbox_leases SET owner = NULL, expires_at = '-infinity' WHERE bucket = ANY(%s)"
CLAIM = """
UPDATE outbox_leases SET owner = %(me)s, fence = fence + 1, expires_at = now() + %(ttl)s
WHERE bucket IN (SELECT bucket FROM outbox_leases WHERE expires_at <= now()
                 ORDER BY bucket LIMIT %(wanted)s FOR UPDATE SKIP LOCKED)
RETURNING bucket, fence
"""
READY = """
WITH heads AS (
  SELECT DISTINCT ON (partition_key) partition_key, id, next_attempt_at, parked_at
  FROM outbox WHERE sent_at IS NULL AND bucket = ANY(%(buckets)s)
  ORDER BY partition_key, key_seq
), ready AS (
  SELECT partition_key FROM heads WHERE parked_at IS NULL AND next_attempt_at <= now()
  ORDER BY id LIMIT %(keys)s
)
SELECT o.id, o.bucket, o.partition_key, o.event_id, o.topic, o.event_type, o.payload, o.headers
FROM ready CROSS JOIN LATERAL (
  SELECT * FROM outbox o WHERE o.partition_key = ready.partition_key AND o.sent_at IS NULL
  ORDER BY o.key_seq LIMIT %(per_key)s
) o
ORDER BY o.partition_key, o.key_seq
"""
FENCED = """
FROM outbox_leases l WHERE o.id = ANY(%(ids)s) AND l.bucket = o.bucket
AND l.owner = %(me)s AND l.fence = (%(fences)s::jsonb ->> o.bucket::text)::bigint
"""
MARK_SENT = "UPDATE outbox o SET sent_at = now()" + FENCED
RECORD_FAILURE = (
    """
UPDATE outbox o SET attempts = attempts + 1, last_error = %(error)s,
  next_attempt_at = now() + random() * least(%(cap)s, %(base)s * 2 ^ attempts) * interval '1s',
  parked_at = CASE WHEN attempts + 1 >= %(max)s THEN now() END
"""
    + FENCED
)

Publish = Callable[[str, str, str, str, dict, dict], None]  # topic, key, id, type, payload, headers


def add_to_outbox(conn: Connection, topic, key, event_id, event_type, payload, headers=None):
    """Queue an event inside the business transaction, after every earlier event of its key.

    The key's counter row stays locked until commit: call this last, after locking the aggregate.
    """
    params = {"key": key, "id": event_id, "topic": topic, "type": event_type}
    params.update(payload=json.dumps(payload), headers=json.dumps(headers or {}))
    conn.execute(ADD, params)


class LeaseLost(Exception):
    """Another relay owns a bucket now: stop and claim again."""


class Relay:
    """One relay process. Call run_once() in a loop; sleep a little when it returns 0."""

    def __init__(self, conn: Connection, relay_id: str, publish: Publish, lease_seconds=10.0):
        self.conn, self.me, self.publish = conn, relay_id, publish  # conn: autocommit=True
        self.ttl = lease_seconds
        self.margin = lease_seconds / 5  # publish calls must time out well within this
        self.fences: dict[int, int] = {}
        self.deadline = 0.0
        self.keys_per_round, self.rows_per_key = 50, 100
        self.max_attempts, self.backoff_base, self.backoff_cap = 10, 1.0, 300.0

    def run_once(self) -> int:
        """Renew and claim leases, publish what is ready in my buckets; return rows sent."""
        self.refresh_leases()
        params = {"buckets": list(self.fences), "keys": self.keys_per_round}
        rows = self.conn.execute(READY, {**params, "per_key": self.rows_per_key}).fetchall()
        sent = 0
        for _, key_rows in groupby(rows, key=lambda row: row[2]):
            try:
                sent += self.publish_key(list(key_rows))
            except LeaseLost:
                self.fences.clear()
                break
        return sent

    def refresh_leases(self) -> None:
        started = time.monotonic()  # before the server's now(): the deadline errs early
        ttl = timedelta(seconds=self.ttl)
        with self.conn.transaction():
            buckets, others = self.conn.execute(HEARTBEAT, {"me": self.me, "ttl": ttl}).fetchone()
            share = math.ceil(buckets / (others + 1))
            held = dict(self.conn.execute(RENEW, {"me": self.me, "ttl": ttl}).fetchall())
            if len(held) > share:  # a relay joined: hand buckets over
                extra = sorted(held)[share:]
                self.conn.execute(RELEASE, (extra,))
                held = {bucket: held[bucket] for bucket in sorted(held)[:share]}
            wanted = {"me": self.me, "ttl": ttl, "wanted": share - len(held)}
            held.update(self.conn.execute(CLAIM, wanted).fetchall() if share > len(held) else [])
        self.fences, self.deadline = held, started + self.ttl - self.margin

    def publish_key(self, rows: list) -> int:
        """Publish one key's rows in order; stop at the first failure or near the deadline."""
        published = []
        for row_id, bucket, key, event_id, topic, event_type, payload, headers in rows:
            if time.monotonic() >= self.deadline:
                break  # the lease may be gone: another relay may be publishing this key
            try:
                self.publish(topic, key, event_id, event_type, payload, headers)  # awaits the ack
            except Exception as error:
                failure = {"error": repr(error), "max": self.max_attempts}
                failure.update(base=self.backoff_base, cap=self.backoff_cap)
                self.fenced(RECORD_FAILURE, [row_id], [bucket], failure)
                break
            published.append(row_id)
        if published:  # a crash before this re-sends them: consumers deduplicate by event id
            self.fenced(MARK_SENT, published, [bucket] * len(published))
        if len(published) < len(rows) and time.monotonic() >= self.deadline:
            raise LeaseLost(self.me)
        return len(published)

    def fenced(self, statement: str, ids: list, buckets: list, extra=None) -> None:
        fences = json.dumps({str(b): self.fences[b] for b in buckets})
        params = {"ids": ids, "me": self.me, "fences": fences, **(extra or {})}
        if self.conn.execute(statement, params).rowcount != len(ids):
            raise LeaseLost(self.me)
