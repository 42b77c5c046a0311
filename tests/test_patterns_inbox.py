"""references/patterns/inbox.{sql,py} against a real PostgreSQL: duplicates and real failures."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import errors

from postgres_cluster import Outcome, blocked_or_finished, create_pattern_tables, pattern_module

inbox = pattern_module("inbox")
CONSUMER = "claims-ledger"


@pytest.fixture
def conninfo(postgres: str) -> str:
    create_pattern_tables(postgres, "inbox")
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute("CREATE TABLE payouts (claim_id text PRIMARY KEY, amount integer NOT NULL)")
    return postgres


def pay(claim_id: str, amount: int):
    def apply_effects(conn) -> None:
        conn.execute("INSERT INTO payouts VALUES (%s, %s)", (claim_id, amount))

    return apply_effects


def payouts(conn) -> list[tuple]:
    return conn.execute("SELECT claim_id, amount FROM payouts ORDER BY claim_id").fetchall()


def test_a_redelivered_message_is_applied_once(conninfo):
    ulid = "01JE8ZQ3M6K9W4X7Y2B5C8D1FG"
    with psycopg.connect(conninfo, autocommit=True) as first:
        with psycopg.connect(conninfo, autocommit=True) as second:
            with first.transaction():
                assert inbox.handle_once(first, CONSUMER, "/claims", ulid, pay("c-1", 900))
                copy = Outcome(inbox.handle_once, second, CONSUMER, "/claims", ulid, pay("c-1", 1))
                assert blocked_or_finished(first, second.info.backend_pid, copy)
            assert copy.outcome() == (False, None)
        assert payouts(first) == [("c-1", 900)]


def test_the_same_id_from_two_sources_is_two_messages(conninfo):
    ulid = "01JE8ZQ3M6K9W4X7Y2B5C8D1FG"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert inbox.handle_once(conn, CONSUMER, "/claims/eu", ulid, pay("c-eu", 100))
        assert inbox.handle_once(conn, CONSUMER, "/claims/us", ulid, pay("c-us", 200))
        assert payouts(conn) == [("c-eu", 100), ("c-us", 200)]


def test_a_unique_violation_raised_by_the_effect_is_not_mistaken_for_a_duplicate(conninfo):
    with psycopg.connect(conninfo, autocommit=True) as conn:
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        assert inbox.handle_once(conn, CONSUMER, "/claims", first, pay("c-1", 900))
        with pytest.raises(errors.UniqueViolation):  # a second payout for the claim: a bug
            inbox.handle_once(conn, CONSUMER, "/claims", second, pay("c-1", 500))
        recorded = conn.execute("SELECT event_id::text FROM inbox").fetchall()
    assert recorded == [(first,)]  # the second was not marked processed: it comes back
