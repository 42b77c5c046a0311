"""Run several grimoire command lines in one process, as the hostile-input tests need.

    python tests/hostile_driver.py FOLDER COMMANDS.json

COMMANDS.json maps a label to [argv, outputs]. Each command line runs through
`eventdesign.cli.main` in FOLDER with stdout and stderr captured; the folder is snapshotted
before and after each, so every result says which paths changed. Prints one JSON list:
label, exit code, stdout, stderr, the traceback of anything that escaped `main` (None when
nothing did), and the changed paths. One process for many commands keeps the suite fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from eventdesign.cli import main


def snapshot(folder: Path) -> dict[str, list]:
    """Every entry under `folder` (symlinks not followed): type, size, mtime and mode."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            status = path.lstat()
            found[str(path.relative_to(folder))] = [
                stat.S_IFMT(status.st_mode),
                status.st_size,
                status.st_mtime_ns,
                stat.S_IMODE(status.st_mode),
            ]
    return found


def run(folder: Path, commands: dict[str, list]) -> list[dict]:
    os.chdir(folder)
    results = []
    for label, (argv, _outputs) in commands.items():
        before = snapshot(folder)
        out, err = io.StringIO(), io.StringIO()
        escaped = None
        code = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code
            except BaseException:
                escaped = traceback.format_exc()
        after = snapshot(folder)
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        results.append(
            {
                "label": label,
                "exit": code,
                "stdout": out.getvalue(),
                "stderr": err.getvalue(),
                "escaped": escaped,
                "changed": changed,
                "after": sorted(after),
            }
        )
    return results


if __name__ == "__main__":
    folder, commands = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    print(json.dumps(run(folder, commands)))
