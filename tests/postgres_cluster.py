"""A throwaway PostgreSQL cluster for the pattern tests: one per session, one schema per test.

The server is Debian's `postgresql` (installed by tests/tools/install.sh). PostgreSQL refuses to
run as root, so under root the cluster belongs to the `postgres` user. It listens only on a unix
socket inside its own temporary folder, so parallel runs never collide on a port.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PORT = 5432  # only names the socket file inside the cluster's own folder
BOUNCER_PORT = 6432  # likewise, for PgBouncer's socket in its own folder
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",  # a throwaway cluster: speed over durability
    "full_page_writes": "off",
    "max_connections": "50",
    "max_prepared_transactions": "10",
    "deadlock_timeout": "100ms",
}


def server_bin_dir() -> Path:
    """The newest installed server's bin folder (Debian keeps them per major version)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL is not installed: run `bash tests/tools/install.sh` first")


def as_cluster_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class Cluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.socket_dir = root

    def conninfo(self, dbname: str = "postgres", **options: str) -> str:
        parts = [f"host={self.socket_dir}", f"port={PORT}", "user=postgres", f"dbname={dbname}"]
        if options:
            flags = " ".join(f"-c {k}={v}" for k, v in options.items())
            parts.append(f"options='{flags}'")
        return " ".join(parts)


def start_cluster() -> Cluster:
    bindir = server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="grimoire-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(root)
    subprocess.run(
        as_cluster_owner(
            [str(bindir / "initdb"), "-D", str(cluster.data), "-U", "postgres", "-A", "trust"]
            + ["--no-sync", "--encoding=UTF8", "--locale=C"]
        ),
        check=True,
        capture_output=True,
    )
    settings = " ".join(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())
    options = f"-p {PORT} -k {cluster.socket_dir} {settings}"
    subprocess.run(
        as_cluster_owner(
            [str(bindir / "pg_ctl"), "-D", str(cluster.data), "-l", str(root / "server.log")]
            + ["-o", options, "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    subprocess.run(
        as_cluster_owner(
            [str(server_bin_dir() / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"]
        ),
        check=False,
        capture_output=True,
    )
    shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@pytest.fixture
def postgres(postgres_server: Cluster) -> Iterator[str]:
    """Conninfo of a fresh, empty schema that every connection made with it uses."""
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield postgres_server.conninfo(search_path=schema)
    finally:
        with psycopg.connect(postgres_server.conninfo(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def through_pgbouncer(postgres_server: Cluster) -> Iterator[tuple[str, str]]:
    """(direct, pooled) conninfo of a fresh database; pooled goes through PgBouncer in
    transaction mode with one server connection, so consecutive transactions of one client may
    run on different sessions and different clients share one."""
    import psycopg

    pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(pgbouncer).exists():
        raise RuntimeError("PgBouncer is not installed: run `bash tests/tools/install.sh` first")
    dbname = f"pooled_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {dbname}")
    home = postgres_server.root / dbname
    home.mkdir()
    (home / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    settings = {
        "listen_port": str(BOUNCER_PORT),
        "unix_socket_dir": str(home),
        "auth_type": "trust",
        "auth_file": str(home / "users.txt"),
        "pool_mode": "transaction",
        "default_pool_size": "1",
        "pidfile": str(home / "pgbouncer.pid"),
        "logfile": str(home / "pgbouncer.log"),
    }
    config = "[databases]\n* = host={} port={}\n[pgbouncer]\n{}\n".format(
        postgres_server.socket_dir, PORT, "\n".join(f"{k} = {v}" for k, v in settings.items())
    )
    (home / "pgbouncer.ini").write_text(config, encoding="utf-8")
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (home, *home.iterdir()):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        as_cluster_owner([pgbouncer, "-d", str(home / "pgbouncer.ini")]),
        check=True,
        capture_output=True,
    )
    pooled = f"host={home} port={BOUNCER_PORT} user=postgres dbname={dbname}"
    try:
        yield postgres_server.conninfo(dbname), pooled
    finally:
        pid = int((home / "pgbouncer.pid").read_text(encoding="utf-8"))
        os.kill(pid, signal.SIGTERM)  # the PgBouncer this fixture started, nothing else
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.02)
        with psycopg.connect(postgres_server.conninfo(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {dbname} WITH (FORCE)")


# --- the pattern files the references include ----------------------------------------------

PATTERNS_DIR = Path(__file__).resolve().parents[1] / "references" / "patterns"


def pattern_module(name: str):
    """Import references/patterns/NAME.py as a module, exactly as the references show it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"pattern_{name}", PATTERNS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_pattern_tables(conninfo: str, name: str) -> None:
    """Run references/patterns/NAME.sql in the test's schema."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute((PATTERNS_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def blocked_or_finished(conn, pid: int, thread, timeout: float = 10.0) -> bool:
    """Wait until backend `pid` waits for a lock (True) or `thread` has finished (False)."""
    deadline = time.monotonic() + timeout
    query = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s"
    while time.monotonic() < deadline:
        if not thread.is_alive():
            return False
        row = conn.execute(query, (pid,)).fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.01)
    raise TimeoutError(f"backend {pid} neither waited for a lock nor finished")


class Outcome(threading.Thread):
    """Run a call in a thread and keep its result or exception for the test to inspect."""

    def __init__(self, call, *args) -> None:
        super().__init__(daemon=True)
        self.call, self.args = call, args
        self.result = self.error = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.call(*self.args)
        except BaseException as error:  # the test inspects whatever happened
            self.error = error

    def outcome(self, timeout: float = 10.0):
        self.join(timeout)
        assert not self.is_alive(), "the concurrent call never finished"
        return self.result, self.error
