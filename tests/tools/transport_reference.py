#!/usr/bin/env python3
"""Maintainer tool: regenerate or check the capability table in a transport reference guide.

The guide (references/transport-selection.md in this repository) holds a table generated from
the bundled matrix between two marker comments. The path is always given explicitly: this
tool never writes anywhere it is not told to.

  python3 tests/tools/transport_reference.py --write references/transport-selection.md
  python3 tests/tools/transport_reference.py --check references/transport-selection.md

Exit codes: 0 written or up to date, 1 out of date (--check), 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from eventdesign.errors import InputError
from eventdesign.model.source import read_text
from eventdesign.output import write_file
from eventdesign.transport import reference
from eventdesign.transport.matrix import load_matrix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="GUIDE", help="regenerate the table in GUIDE")
    action.add_argument("--check", metavar="GUIDE", help="exit 1 if GUIDE's table is stale")
    args = parser.parse_args(argv)
    path = Path(args.write or args.check)
    try:
        matrix = load_matrix()
        text = read_text(path, str(path))
        block = reference.render_table(matrix)
        if args.check:
            current = reference.current_block(text)
            if current is None:
                raise InputError(
                    f"the markers {reference.BEGIN_MARKER} and {reference.END_MARKER} are missing",
                    str(path),
                )
            if current != block.strip("\n"):
                print(f"{path}: the generated table is out of date; run --write", file=sys.stderr)
                return 1
            print(f"{path}: the generated table matches {matrix.path}")
            return 0
        updated = reference.splice(text, block, str(path))
        if updated != text:
            # The guide is hand-written around the table, so it carries no generated marker.
            write_file(path, updated, force=True)
        print(f"wrote the table generated from {matrix.path} into {path}")
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
