"""references/patterns/outbox.{sql,py} against a real PostgreSQL: writers, relays, failover."""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict

import psycopg
import pytest

from postgres_cluster import Outcome, blocked_or_finished, create_pattern_tables, pattern_module

outbox = pattern_module("outbox")
LEASE_SECONDS = 0.6  # short, so failover happens within the test


@pytest.fixture
def conninfo(postgres: str) -> str:
    create_pattern_tables(postgres, "outbox")
    return postgres


def connect(conninfo: str) -> psycopg.Connection:
    return psycopg.connect(conninfo, autocommit=True)


class Broker:
    """Records what relays publish, in the order the broker received it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []  # (relay, key, event id)
        self.lock = threading.Lock()

    def publisher(self, relay: str, fail_on=frozenset(), pause: threading.Event | None = None):
        def publish(topic, key, event_id, event_type, payload, headers):
            if event_id in fail_on:
                raise RuntimeError("broker rejected the record: too large")
            with self.lock:
                self.received.append((relay, key, event_id))
            if pause is not None:
                pause.wait(10)  # a relay stuck in a publish call (GC pause, network)

        return publish

    def per_key(self) -> dict[str, list[str]]:
        """Each key's event ids as a consumer that drops repeated ids sees them."""
        seen, ordered = set(), defaultdict(list)
        for _, key, event_id in self.received:
            if event_id not in seen:
                seen.add(event_id)
                ordered[key].append(event_id)
        return dict(ordered)


def write_events(conn, keys: list[str], per_key: int) -> dict[str, list[str]]:
    """Each key's events in the order its transactions committed."""
    expected = defaultdict(list)
    for index in range(per_key):
        for key in keys:
            event_id = f"{key}-{index}-{uuid.uuid4().hex[:6]}"
            with conn.transaction():
                outbox.add_to_outbox(conn, "rides", key, event_id, "RideUpdated", {"n": index})
            expected[key].append(event_id)
    return dict(expected)


def drain(relays, rounds: int = 200) -> None:
    for _ in range(rounds):
        if sum(relay.run_once() for relay in relays) == 0 and not unsent(relays[0].conn):
            return
        time.sleep(0.02)
    raise AssertionError("relays did not drain the outbox")


def unsent(conn) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]


def test_rows_of_one_key_are_published_in_commit_order_not_insert_order(conninfo):
    broker = Broker()
    with connect(conninfo) as first, connect(conninfo) as second, connect(conninfo) as relay_conn:
        with first.transaction():  # takes the lower row id, commits last
            outbox.add_to_outbox(first, "rides", "ride-1", "first", "RideRequested", {})
            other = Outcome(_add_and_commit, second, "ride-1", "second")
            second_waited = blocked_or_finished(first, second.info.backend_pid, other)
        other.outcome()
        commit_order = ["first", "second"] if second_waited else ["second", "first"]
        outbox.Relay(relay_conn, "relay-a", broker.publisher("a")).run_once()
    assert broker.per_key() == {"ride-1": commit_order}


def _add_and_commit(conn, key: str, event_id: str) -> None:
    with conn.transaction():
        outbox.add_to_outbox(conn, "rides", key, event_id, "RideRequested", {})


def test_two_relays_share_the_keys_and_a_dead_relays_keys_pass_to_the_survivor(conninfo):
    broker = Broker()
    with connect(conninfo) as writer, connect(conninfo) as conn_a, connect(conninfo) as conn_b:
        expected = write_events(writer, [f"ride-{n}" for n in range(40)], per_key=3)
        relay_a = outbox.Relay(conn_a, "relay-a", broker.publisher("a"), LEASE_SECONDS)
        relay_b = outbox.Relay(conn_b, "relay-b", broker.publisher("b"), LEASE_SECONDS)
        for _ in range(3):  # both alive: the buckets are split between them
            relay_a.refresh_leases()
            relay_b.refresh_leases()
        assert len(relay_a.fences) == len(relay_b.fences) == 8
        relay_a.rows_per_key = 1
        relay_a.run_once()
        conn_a.close()  # relay a dies without a word
        drain([relay_b])
    assert {relay for relay, _, _ in broker.received} == {"a", "b"}
    assert broker.per_key() == expected


def test_a_relay_cut_off_mid_publish_publishes_nothing_after_its_successor_starts(conninfo):
    broker, stuck = Broker(), threading.Event()
    with connect(conninfo) as writer, connect(conninfo) as conn_a, connect(conninfo) as conn_b:
        expected = write_events(writer, ["ride-1"], per_key=3)
        relay_a = outbox.Relay(conn_a, "relay-a", broker.publisher("a", pause=stuck), LEASE_SECONDS)
        relay_b = outbox.Relay(conn_b, "relay-b", broker.publisher("b"), LEASE_SECONDS)
        paused = Outcome(relay_a.run_once)  # publishes one record, then hangs in the call
        while not broker.received:
            time.sleep(0.01)
        # The network drops relay a's session while it hangs; the server ends it.
        writer.execute("SELECT pg_terminate_backend(%s)", (conn_a.info.backend_pid,))
        drain([relay_b])  # relay b takes over once relay a's lease has expired
        stuck.set()
        paused.outcome()
        relay_a.conn = connect(conninfo)  # relay a's supervisor reconnects it
        with relay_a.conn:
            assert relay_a.run_once() == 0  # nothing left to send
    assert broker.received[0][0] == "a"
    assert [relay for relay, _, _ in broker.received[1:]] == ["b"] * 3
    assert broker.per_key() == expected


def test_a_poison_row_parks_its_own_key_and_every_other_key_flows(conninfo):
    broker = Broker()
    with connect(conninfo) as writer, connect(conninfo) as relay_conn:
        poisoned = write_events(writer, ["ride-poison"], per_key=300)
        expected = write_events(writer, [f"ride-{n}" for n in range(10)], per_key=2)
        head = poisoned["ride-poison"][0]
        relay = outbox.Relay(relay_conn, "relay-a", broker.publisher("a", fail_on={head}))
        relay.max_attempts, relay.backoff_base = 3, 0.0
        for _ in range(5):
            relay.run_once()
        assert broker.per_key() == expected  # nothing of the poisoned key, everything else
        parked = relay_conn.execute(
            "SELECT event_id, attempts, last_error FROM outbox WHERE parked_at IS NOT NULL"
        ).fetchall()
    assert parked == [(head, 3, "RuntimeError('broker rejected the record: too large')")]


def test_relays_behind_pgbouncer_in_transaction_mode_never_share_a_bucket(through_pgbouncer):
    direct, pooled = through_pgbouncer
    create_pattern_tables(direct, "outbox")
    broker = Broker()
    with connect(direct) as writer:
        expected = write_events(writer, [f"ride-{n}" for n in range(20)], per_key=3)

    def pooled_connection() -> psycopg.Connection:
        # Behind transaction pooling a session is not yours between transactions.
        return psycopg.connect(pooled, autocommit=True, prepare_threshold=None)

    with pooled_connection() as conn_a, pooled_connection() as conn_b:
        relay_a = outbox.Relay(conn_a, "relay-a", broker.publisher("a"))
        relay_b = outbox.Relay(conn_b, "relay-b", broker.publisher("b"))
        for _ in range(3):
            relay_a.refresh_leases()
            relay_b.refresh_leases()
            assert not set(relay_a.fences) & set(relay_b.fences)
        drain([relay_a, relay_b])
    assert len(broker.received) == 60
    assert broker.per_key() == expected
