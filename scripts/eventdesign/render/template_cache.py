"""Compiled jinja2 templates kept on disk between runs, next to Python's own bytecode.

Compiling the catalog's and the diagrams' templates costs more than rendering a thousand
pages with them, and every CLI run is a new process. The compiled code goes where Python puts
this package's bytecode (`render/__pycache__/`, or its mirror under `sys.pycache_prefix`), is
written only when Python writes bytecode (not under PYTHONDONTWRITEBYTECODE), and is used
only for the same template source, jinja2 version, Python version and environment settings.
Anything else, including a cache that cannot be read or written, compiles as usual.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import jinja2

from ..data_cache import bytecode_folder

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_directory() -> Path:
    """Where Python keeps this package's bytecode, and so the compiled templates."""
    return bytecode_folder(PACKAGE_DIR)


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


class TemplateBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache, one file per template and environment fingerprint, that never
    makes a render fail: nothing is written when `write` is off, a missing or read-only
    directory only means compiling again, and a damaged file is compiled over."""

    def __init__(self, directory: Path, fingerprint: str, write: bool = True) -> None:
        super().__init__(str(directory), pattern="template-%s.jinja2")
        self.fingerprint = fingerprint
        self.write = write

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{self.fingerprint}|{name}|{filename or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def load_bytecode(self, bucket: Any) -> None:
        try:
            # Checks jinja2's magic (its bytecode and Python versions) and the source's
            # checksum, and leaves the bucket empty when they differ.
            super().load_bytecode(bucket)
        except Exception:  # an unreadable or damaged cache file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        if not self.write:
            return
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            return  # a read-only install or a full disk: compile again next time
