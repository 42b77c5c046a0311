"""Data read and checked from bundled files, kept on disk between runs next to Python's bytecode.

Every CLI run is a new process, and reading and validating a bundled data file (the transport
matrix) can cost more than the work a quick command does with it. The checked data is kept as
JSON where Python keeps the package's bytecode (`__pycache__/` beside the module, or its mirror
under `sys.pycache_prefix`), in a file named by a digest of everything that decides the data:
the data file, its schema and the code that reads and checks them. So an edit to any of them
is a miss, never stale data. It is written only when Python writes bytecode (not under
PYTHONDONTWRITEBYTECODE), written whole or not at all, and a cache that cannot be read,
written or parsed only means reading the files again.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional


def bytecode_folder(package_dir: Path) -> Path:
    """Where Python keeps the bytecode of the modules in `package_dir`."""
    prefix = getattr(sys, "pycache_prefix", None)
    if prefix:
        return Path(prefix, *package_dir.parts[1:])
    return package_dir / "__pycache__"


def cache_file(folder: Path, name: str, inputs: Sequence[Path]) -> Path:
    """The cache file for data named `name` that `inputs` (read here, in full) decide."""
    parts = []
    for path in inputs:
        content = path.read_bytes()
        parts += [f"{path.name}:{len(content)}:".encode(), content]
    # The digest Python checks hash-based .pyc files with: hashlib would cost more to import
    # (it loads OpenSSL) than the cache saves.
    digest = importlib.util.source_hash(b"".join(parts))
    return folder / f"{name}-{digest.hex()}.json"


def load(path: Path) -> Optional[Any]:
    """The cached data, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def store(path: Path, data: Any) -> None:
    """Keep `data` at `path` when Python writes bytecode, in place of the kept data's earlier
    versions (the same name with another digest); a failure only means no cache."""
    if sys.dont_write_bytecode:
        return
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return
    if json.loads(text) != data:  # JSON turned something into another value (an int key)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        name = path.name.rsplit("-", 1)[0]
        for earlier in path.parent.glob(f"{name}-*.json"):
            if earlier != path and earlier.name.rsplit("-", 1)[0] == name:
                earlier.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only install or a full disk: read the files again next time
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
