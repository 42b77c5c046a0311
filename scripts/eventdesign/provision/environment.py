"""The private environment in the data folder: when it is ready, and how it is built atomically.

Layout of the data folder:
    runtime/                    the environment; runtime/bin/python runs grimoire
    runtime/requirements.lock   copy of the lock file it was built from (the "ready" stamp)
    runtime.lock                held while one process builds; others wait for it
    .runtime-build-*            a build in progress; renamed to runtime/ when complete
A build happens in a fresh folder beside runtime/ and is renamed into place only when complete,
so a crash, a kill or a failed download leaves the previous state (or nothing) behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from .installers import Installer, InstallFailed, Run

RUNTIME = "runtime"
STAMP = "requirements.lock"
LOCK_FILE = "runtime.lock"
BUILD_PREFIX = ".runtime-build-"
OLD_PREFIX = ".runtime-old-"


def runtime_python(data: Path) -> Path:
    return data / RUNTIME / "bin" / "python"


def is_ready(data: Path, lock: Path) -> bool:
    """The environment exists, runs, and was built from exactly this lock file."""
    stamp = data / RUNTIME / STAMP
    try:
        return os.access(runtime_python(data), os.X_OK) and stamp.read_bytes() == lock.read_bytes()
    except OSError:
        return False


@contextlib.contextmanager
def exclusive(data: Path, waiting: Callable[[float], None]) -> Iterator[None]:
    """Hold the data folder's build lock; call `waiting(seconds)` while another process has it.

    The lock file is removed on release, so a failed build leaves nothing behind; a waiter
    that locked a file removed meanwhile retries on the new one.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no concurrent builds are guarded there.
        yield
        return
    path = data / LOCK_FILE
    started = time.monotonic()
    while True:
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waiting(time.monotonic() - started)
                time.sleep(0.2)
        try:
            current = os.stat(path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(descriptor)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(descriptor)


def remove_leftovers(data: Path) -> None:
    """Delete builds that a killed process left (call with the lock held)."""
    for leftover in data.iterdir():
        if leftover.name.startswith((BUILD_PREFIX, OLD_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)


def build(
    data: Path,
    lock: Path,
    python: str,
    installers: list[Installer],
    run: Run,
    trying: Callable[[Installer], None],
) -> None:
    """Build the environment with the first installer that works and swap it into place.

    Raises the first installer's InstallFailed when none works; stops at once when the
    failure is the network or the hashes, since every other installer would meet it too.
    Call with the lock held.
    """
    remove_leftovers(data)
    first_failure = None
    for installer in installers:
        trying(installer)
        target = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=data))
        try:
            installer.install(python, lock, target / "env", run)
            shutil.copyfile(lock, target / "env" / STAMP)
            _swap_in(data, target / "env")
            return
        except InstallFailed as failure:
            first_failure = first_failure or failure
            if failure.reason != "other":
                raise failure from None
        finally:
            shutil.rmtree(target, ignore_errors=True)
    if first_failure is not None:
        raise first_failure


def _swap_in(data: Path, built: Path) -> None:
    current = data / RUNTIME
    if current.exists():
        old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX, dir=data))
        current.rename(old / RUNTIME)
        built.rename(current)
        shutil.rmtree(old, ignore_errors=True)
    else:
        built.rename(current)
