"""`grimoire compat`: is a schema change safe for existing readers and writers?"""

from __future__ import annotations

import argparse
import json
import sys

from ..compat.modes import MODES, normalize_mode  # standard library only

NAME = "compat"
HELP = "check schema evolution (JSON Schema, Avro, Protobuf) under a registry compatibility mode"
ORDER = 30
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Check that a new schema version is compatible with earlier ones, as a schema registry would.

  grimoire compat OLD NEW [--mode M]              two versions of one schema
  grimoire compat --history V1 V2 ... VN          VN against the earlier versions (oldest first)
  grimoire compat --against REV MODEL             every event of a design model against the
                                                  same event at git revision REV (tag, branch,
                                                  commit), like `buf breaking --against`

Modes: BACKWARD (default; the new schema reads data written with the previous one), FORWARD
(the previous schema reads data written with the new one), FULL (both), their _TRANSITIVE forms
(against every earlier version, not only the latest) and NONE. With --against each event uses
its own `compatibility`, else the model's; --mode overrides both. A _TRANSITIVE mode with
--against compares with every earlier committed version of each event's schema reachable from
REV (the model's and its schema files' history, renames followed) and says how many it
checked; --released 'v*' counts only tagged commits as versions (the rest are drafts).

Incompatible events also get who is hurt: the consuming services and read models named in the
model, what fails for each (BACKWARD or FORWARD), and the deploy order that is safe (consumers
first when BACKWARD holds, the producer first when FORWARD holds). `--format markdown` prints a
summary fit for a pull-request comment.

JSON Schema follows Confluent Schema Registry's rules (strict policy: open, closed and partially
open content models); Avro follows the specification's resolution rules via the official `avro`
package; Protobuf follows Confluent's Protobuf rules, compiled with protoc from the optional
`grpcio-tools` package (imports resolve from each file's own folder and the bundled well-known
types), and warns where a change the registry accepts still fails `buf breaking` (WIRE,
WIRE_JSON; FILE as a note). The language comes from the extension (.avsc is Avro; .proto is
Protobuf; .json, .yaml, .yml are JSON Schema) or --type.

With --against, an event that `supersedes` another is compared with it (does it read the old
payloads, or do consumers need an upcaster?), and a mode weakened since REV is reported.

Each incompatibility is reported with its rule (CMP...), where it is (a JSON pointer or an
Avro field path), why it breaks readers or writers, and what to do instead; a probable rename
(a property gone and one new with the same schema or a similar name) is one finding with its
safe alternatives. The text output ends with one verdict line per check, e.g.
`compat: BACKWARD: incompatible (2 changes; ...)`.
Exit codes: 0 compatible, 1 incompatible, 2 unusable input.
"""


def _mode(text: str) -> str:
    try:
        return normalize_mode(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="FILE",
        help="OLD NEW schema files; with --against, the design model (e.g. design.yaml)",
    )
    parser.add_argument(
        "--history",
        nargs="+",
        metavar="VERSION",
        help="schema files, oldest first; the last is checked against the others",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="git revision to compare the design model's event schemas with",
    )
    parser.add_argument(
        "--released",
        metavar="TAG_GLOB",
        help="with --against and a _TRANSITIVE mode: only commits tagged with a matching tag "
        "(e.g. 'v*') are released versions; commits between them are drafts, not compared",
    )
    parser.add_argument(
        "--mode",
        type=_mode,
        metavar="MODE",
        help="compatibility mode: " + ", ".join(MODES) + " (default BACKWARD)",
    )
    parser.add_argument(
        "--type",
        dest="schema_type",
        choices=("avro", "jsonschema", "protobuf"),
        help="schema language, when the file extensions do not say",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif", "markdown"),
        default="text",
        help="output format (default text); markdown is a summary fit for a pull-request comment",
    )


def _require_avro() -> None:
    from ..deps import require

    require("avro")


def _compare_files(args: argparse.Namespace) -> tuple[list, list, list, dict]:
    """(subject, verdict) pairs, changes to events as a whole, notes, and impacts."""
    from ..compat.history import SchemaVersion, check_history
    from ..compat.modes import DEFAULT_MODE
    from ..compat.schema_files import language_for, read_schema_file
    from ..errors import InputError
    from ..rules.compat_catalogue import SEVERITIES

    if args.released:
        raise InputError("--released marks released versions in git history; use it with --against")
    if args.history and args.paths:
        raise InputError("give either OLD NEW or --history V1 V2 ..., not both")
    paths = args.history or args.paths
    if len(paths) < 2 or (not args.history and len(paths) != 2):
        raise InputError(
            "give two schema files (OLD NEW), --history V1 V2 ... VN, or --against REV MODEL"
        )
    if any(language_for(path, args.schema_type) == "avro" for path in paths):
        _require_avro()
    sources = [read_schema_file(path, args.schema_type) for path in paths]
    if args.history:
        versions = [
            SchemaVersion(f"v{index} ({source.shown})", source)
            for index, source in enumerate(sources, start=1)
        ]
    else:
        versions = [SchemaVersion(source.shown, source) for source in sources]
    verdict = check_history(versions, args.mode or DEFAULT_MODE, severities=SEVERITIES)
    impacts = {}
    if not verdict.compatible:
        from ..compat.impact import impact_of

        newest = versions[-1]
        impacts[None] = (impact_of(verdict, newest.label), newest.source.locate(""))
    return [(None, verdict)], [], [], impacts


def _compare_revision(args: argparse.Namespace) -> tuple[list, list, list, dict]:
    from ..compat.against import check_against
    from ..errors import InputError
    from ..rules.compat_catalogue import SEVERITIES

    if len(args.paths) != 1 or args.history:
        raise InputError("--against REV takes the design model file: compat --against REV MODEL")
    result = check_against(
        args.paths[0],
        args.against,
        severities=SEVERITIES,
        mode_override=args.mode,
        require_avro=_require_avro,
        released=args.released,
    )
    return list(result.verdicts), list(result.changes), list(result.notes), result.impacts


def run(args: argparse.Namespace) -> int:
    from ..compat.verdict_text import verdict_line, verdict_summary
    from ..findings import exit_code
    from ..report import render_findings
    from ..report.compat_findings import compat_findings
    from ..terminal import printable

    if args.against:
        verdicts, changes, notes, impacts = _compare_revision(args)
    else:
        verdicts, changes, notes, impacts = _compare_files(args)
    findings = compat_findings(verdicts, changes, impacts.values())
    if args.format == "markdown":
        from ..report.compat_markdown import render_markdown

        summaries = [
            (subject, verdict, impacts.get(subject, (None,))[0]) for subject, verdict in verdicts
        ]
        sys.stdout.write(render_markdown(summaries, findings, notes, args.against))
        return exit_code(findings, "error")
    rendered = render_findings(findings, args.format, command=NAME)
    if args.format == "json":
        document = json.loads(rendered)
        document["verdicts"] = [
            verdict_summary(v, subject, impacts.get(subject, (None,))[0]) for subject, v in verdicts
        ]
        document["notes"] = notes
        rendered = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    elif args.format == "text":
        lines = [f"{NAME}: {note}" for note in notes]
        lines += [f"{NAME}: {verdict_line(v, subject)}" for subject, v in verdicts]
        rendered += "".join(printable(line) + "\n" for line in lines)
    sys.stdout.write(rendered)
    return exit_code(findings, "error")
