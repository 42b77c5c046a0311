"""references/patterns/event_store.{sql,py} against a real PostgreSQL, races made deterministic."""

from __future__ import annotations

import socket
import threading
import uuid

import psycopg
import pytest
from psycopg import IsolationLevel

from postgres_cluster import Outcome, blocked_or_finished, create_pattern_tables, pattern_module

store = pattern_module("event_store")


@pytest.fixture
def conninfo(postgres: str) -> str:
    create_pattern_tables(postgres, "event_store")
    return postgres


def connect(conninfo: str, isolation=None) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    if isolation is not None:
        conn.isolation_level = isolation
    return conn


def event(kind: str, **data) -> object:
    return store.NewEvent(str(uuid.uuid4()), kind, data)


def stream_versions(conn, stream_id: str) -> list[int]:
    rows = store.read_after(conn, 0, 10_000)
    return [version for _, stream, version, *_ in rows if stream == stream_id]


@pytest.mark.parametrize(
    "isolation",
    [IsolationLevel.READ_COMMITTED, IsolationLevel.SERIALIZABLE],
    ids=lambda level: level.name,
)
def test_concurrent_appenders_on_one_stream_one_wins_the_other_gets_a_concurrency_error(
    conninfo, isolation
):
    with connect(conninfo, isolation) as first, connect(conninfo, isolation) as second:
        store.append(first, "room-101", 0, [event("RoomBooked", guest="ada")])
        with first.transaction():
            store.append(first, "room-101", 1, [event("RoomCheckedIn")])
            loser = Outcome(store.append, second, "room-101", 1, [event("RoomCancelled")])
            blocked_or_finished(first, second.info.backend_pid, loser)
        _, error = loser.outcome()
        assert isinstance(error, store.ConcurrencyError), repr(error)
        kinds = [row[4] for row in store.read_after(first, 0)]
        assert kinds == ["RoomBooked", "RoomCheckedIn"]


class LostCommitAcknowledgement:
    """A loopback proxy to the server that forwards one COMMIT, then cuts the client off.

    The server commits; the client sees its connection break and cannot know the outcome.
    """

    COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.commit_sent = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        client, _ = self.listener.accept()
        server = socket.socket(socket.AF_UNIX)
        server.connect(self.socket_path)
        threading.Thread(target=self.to_server, args=(client, server), daemon=True).start()
        while data := server.recv(65536):
            if self.commit_sent.is_set():  # the server answered COMMIT: it has committed
                break
            client.sendall(data)
        for end in (client, server):  # shutdown wakes the other pump and sends the FIN
            end.shutdown(socket.SHUT_RDWR)
            end.close()

    def to_server(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while data := client.recv(65536):
                if self.COMMIT in data:
                    self.commit_sent.set()
                server.sendall(data)
        except OSError:
            pass


def test_a_retried_append_after_a_lost_commit_acknowledgement_is_stored_once(
    conninfo, postgres_server
):
    socket_path = f"{postgres_server.socket_dir}/.s.PGSQL.5432"
    proxy = LostCommitAcknowledgement(socket_path)
    through_proxy = conninfo.replace(f"host={postgres_server.socket_dir}", "host=127.0.0.1")
    through_proxy = through_proxy.replace("port=5432", f"port={proxy.port}")
    events = [event("ClaimFiled", amount=1200), event("ClaimAssessed", payout=900)]

    with connect(through_proxy) as doomed, pytest.raises(psycopg.OperationalError):
        store.append(doomed, "claim-7", 0, events)
    assert proxy.commit_sent.is_set()

    with connect(conninfo) as retry:  # the writer retries the same append with the same ids
        assert store.append(retry, "claim-7", 0, events) == 2
        assert [row[3] for row in store.read_after(retry, 0)] == [e.event_id for e in events]


def test_reusing_an_event_id_elsewhere_is_not_a_concurrency_conflict(conninfo):
    with connect(conninfo) as conn:
        booked = event("RoomBooked")
        store.append(conn, "room-1", 0, [booked])
        with pytest.raises(store.DuplicateEventError):
            store.append(conn, "room-2", 0, [booked])
        with pytest.raises(store.ConcurrencyError):
            store.append(conn, "room-1", 0, [event("RoomBooked")])
        assert stream_versions(conn, "room-2") == []


def test_catch_up_never_skips_a_late_commit_and_keeps_each_streams_order(conninfo):
    with connect(conninfo) as early, connect(conninfo) as late, connect(conninfo) as reader:
        with pytest.raises(RuntimeError), late.transaction():
            store.append(late, "meter-0", 0, [event("ReadingTaken", kwh=0)])
            raise RuntimeError("the command failed after appending: all of it rolls back")
        store.append(late, "meter-9", 0, [event("ReadingTaken", kwh=1)])
        with early.transaction():
            early.execute("SELECT pg_current_xact_id()")  # this transaction's id is now older
            store.append(late, "meter-9", 1, [event("ReadingTaken", kwh=2)])
            store.append(early, "meter-9", 2, [event("ReadingTaken", kwh=3)])
            other = Outcome(store.append, late, "meter-4", 0, [event("ReadingTaken", kwh=4)])
            blocked_or_finished(early, late.info.backend_pid, other)
            seen = store.read_after(reader, 0)  # while one append is still uncommitted
        other.outcome()
        checkpoint = seen[-1][0] if seen else 0
        seen += store.read_after(reader, checkpoint)

        assert sorted(row[5]["kwh"] for row in seen) == [1, 2, 3, 4]
        assert [row[0] for row in seen] == [1, 2, 3, 4]  # gap-free, rollback included
        assert stream_versions(reader, "meter-9") == [1, 2, 3]
        assert [row[2] for row in seen if row[1] == "meter-9"] == [1, 2, 3]
