"""`grimoire diagram`: draw the model's sagas and event flow in Mermaid and PlantUML."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

NAME = "diagram"
HELP = "draw Mermaid sequence/state diagrams per saga, a system flowchart, and PlantUML"
ORDER = 40
REQUIRES = ("yaml", "jsonschema", "jinja2")
KINDS = ("sequence", "state", "flow", "plantuml")
DESCRIPTION = """\
Draw the design model's diagrams:
  flow      Mermaid flowchart of the whole system: services and read models grouped by
            bounded context, events grouped by channel, producer, consumer, command and
            projection edges
  sequence  Mermaid sequence diagram per saga: the happy path, with alt/opt/par blocks for
            each failure and its compensations
  state     Mermaid state diagram per saga: steps, compensations, terminal states
  plantuml  PlantUML sequence diagram per saga

Output: stdout (every diagram, each after a comment line naming it); --out DIR writes
NAME.mmd and NAME.puml files (all rendered first, then moved into place together);
--markdown FILE writes one Markdown document with ```mermaid and ```plantuml blocks.
Every model name is escaped, so no name can break or inject into a diagram. The same model
always gives the same bytes.

examples:
  diagram design.yaml --out diagrams
  diagram design.yaml --kind sequence --saga OrderFulfilment
  diagram design.yaml --markdown docs/diagrams.md

Exit codes: 0 written, 2 unusable input (model unreadable, unknown saga, unwritable path)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="the design model (YAML)")
    parser.add_argument(
        "--kind",
        action="append",
        choices=KINDS,
        help="only this kind of diagram (repeatable; default all)",
    )
    parser.add_argument(
        "--saga", action="append", metavar="NAME", help="only this saga's diagrams (repeatable)"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", metavar="DIR", help="write one file per diagram into DIR")
    target.add_argument("--markdown", metavar="FILE", help="write one Markdown document")
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="allow schema files outside the model's folder",
    )


def _write_directory(directory: Path, files: dict[str, str]) -> None:
    """Write every file or none: into a temporary sibling folder, then move into place."""
    from ..errors import InputError

    parent = directory.resolve().parent
    if directory.exists() and not directory.is_dir():
        raise InputError(
            "exists and is not a directory; give a directory for --out", str(directory)
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".grimoire-diagrams-", dir=parent))
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror})", str(directory)) from None
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        if not directory.exists():
            os.replace(staging, directory)
            return
        for name in files:
            os.replace(staging / name, directory / name)
    except OSError as exc:
        raise InputError(f"cannot write diagrams ({exc.strerror})", str(directory)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_file(path: Path, text: str) -> None:
    from ..errors import InputError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".grimoire-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(f"cannot write file ({exc.strerror})", str(path)) from None


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..model.loader import load_model
    from ..render.diagrams import as_markdown, as_stream, build_diagrams

    model = load_model(args.model, allow_outside=args.allow_outside)
    if args.saga:
        unknown = [name for name in args.saga if name not in model.sagas]
        if unknown:
            known = ", ".join(model.sagas) or "none"
            raise InputError(
                f"no saga named {', '.join(repr(n) for n in unknown)} in the model "
                f"(sagas: {known})",
                args.model,
            )
    diagrams = build_diagrams(model, kinds=args.kind, sagas=args.saga)
    if args.out:
        _write_directory(Path(args.out), {d.file_name: d.text for d in diagrams})
        for diagram in diagrams:
            print(f"{NAME}: wrote {Path(args.out) / diagram.file_name}")
    elif args.markdown:
        _write_file(Path(args.markdown), as_markdown(diagrams))
        print(f"{NAME}: wrote {args.markdown} ({len(diagrams)} diagrams)")
    else:
        sys.stdout.write(as_stream(diagrams))
    return 0
