"""Compiled jinja2 templates kept on disk between runs, next to Python's own bytecode.

Compiling the catalog's and the diagrams' templates costs more than rendering a thousand
pages with them, and every CLI run is a new process. The compiled code goes where Python puts
this package's bytecode (`render/__pycache__/`, or its mirror under `sys.pycache_prefix`), is
written only when Python writes bytecode (not under PYTHONDONTWRITEBYTECODE), and is used
only for the same template source, jinja2 version, Python version and environment settings.
Anything else, including a cache that cannot be read or written, compiles as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import jinja2

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_directory() -> Path:
    """Where Python keeps this package's bytecode, and so the compiled templates."""
    prefix = getattr(sys, "pycache_prefix", None)
    if prefix:
        return Path(prefix, *PACKAGE_DIR.parts[1:])
    return PACKAGE_DIR / "__pycache__"


def attach_cache(environment: jinja2.Environment, directory: Path | None = None) -> None:
    """Make `environment` load and keep its compiled templates in `directory`."""
    environment.bytecode_cache = TemplateBytecodeCache(
        cache_directory() if directory is None else directory,
        environment_fingerprint(environment),
        write=not sys.dont_write_bytecode,
    )


def environment_fingerprint(environment: jinja2.Environment) -> str:
    """What besides a template's source decides the code jinja2 compiles it to."""
    autoescape = environment.autoescape
    settings = (
        jinja2.__version__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        autoescape if isinstance(autoescape, bool) else getattr(autoescape, "__qualname__", "?"),
        environment.optimized,
        environment.finalize is not None,
        environment.is_async,
        environment.undefined.__name__,
        tuple(sorted(environment.extensions)),
    )
    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()[:16]


class TemplateBytecodeCache(jinja2.BytecodeCache):
    """jinja2 bytecode in one directory, one file per template and environment fingerprint."""

    def __init__(self, directory: Path, fingerprint: str, write: bool = True) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.write = write

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{self.fingerprint}|{name}|{filename or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def _path(self, bucket: Any) -> Path:
        return self.directory / f"template-{bucket.key}.jinja2"

    def load_bytecode(self, bucket: Any) -> None:
        try:
            with open(self._path(bucket), "rb") as stream:
                # Checks jinja2's magic (its bytecode and Python versions) and the source's
                # checksum, and leaves the bucket empty when they differ.
                bucket.load_bytecode(stream)
        except FileNotFoundError:
            return
        except Exception:  # an unreadable or damaged cache file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        if not self.write:
            return
        target = self._path(bucket)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=self.directory
            )
        except OSError:
            return  # a read-only install: compile again next time
        try:
            with os.fdopen(handle, "wb") as stream:
                bucket.write_bytecode(stream)
            os.replace(temporary, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
