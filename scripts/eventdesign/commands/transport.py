"""`grimoire transport`: rank message transports against stated needs, explaining exclusions."""

from __future__ import annotations

import argparse
import math

NAME = "transport"
HELP = "rank message transports (Kafka, SQS, Pub/Sub, ...) against your needs"
ORDER = 70
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Rank message transports against stated needs. Every transport that cannot meet a need is ruled
out with the reason; the rest are ranked (fewer caveats, less to operate, headroom for the load)
with their trade-offs. Needs come from flags, and from MODEL when given: its optional
`transport_needs:` section, plus needs inferred from it (strongest event ordering, events with
several consumers mean fan-out, channels with a dead_letter mean dead-lettering). Flags win.

Data: the bundled capability matrix (eventdesign/transport/transports.yaml), with a source and
access date per fact.

examples:
  transport --ordering per-key --throughput 200000 --replay
  transport --cloud aws --managed --fan-out --dlq
  transport design.yaml --format json
  transport --show kafka

Exit codes: 0 at least one transport fits, 1 none fits, 2 unusable input."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):  # nan would compare false with every limit: everything fits
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", metavar="MODEL", help="design model to read needs from")
    needs = parser.add_argument_group("needs (each rules out transports that lack it)")
    needs.add_argument("--ordering", choices=("none", "per-key", "global"), help="order needed")
    needs.add_argument("--replay", action="store_true", default=None, help="re-read history")
    needs.add_argument(
        "--retention-days", type=_positive, metavar="N", help="history readable for N days"
    )
    needs.add_argument(
        "--throughput", type=_positive, metavar="MSGS_PER_S", help="sustained messages per second"
    )
    needs.add_argument(
        "--max-message-kb", type=_positive, metavar="N", help="largest message in KiB"
    )
    needs.add_argument(
        "--fan-out",
        action="store_true",
        default=None,
        help="every consumer group gets each message",
    )
    needs.add_argument("--dlq", action="store_true", default=None, help="broker dead-lettering")
    needs.add_argument(
        "--transactions", action="store_true", default=None, help="atomic multi-message writes"
    )
    needs.add_argument(
        "--dedup", action="store_true", default=None, help="broker drops duplicate publishes"
    )
    needs.add_argument(
        "--durable", action="store_true", default=None, help="messages survive a crash"
    )
    hosting = needs.add_mutually_exclusive_group()
    hosting.add_argument(
        "--managed", action="store_const", const="managed", dest="hosting", help="managed only"
    )
    hosting.add_argument(
        "--self-run", action="store_const", const="self-run", dest="hosting", help="self-run only"
    )
    needs.add_argument("--cloud", choices=("any", "aws", "gcp", "azure"), help="target cloud")
    needs.add_argument(
        "--single-process",
        action="store_true",
        default=None,
        help="producers and consumers share one process (allows an in-process bus)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--top", type=int, default=5, metavar="N", help="fits shown in full in text (default 5)"
    )
    parser.add_argument("--show", metavar="ID", help="print one transport's entry and sources")
    parser.add_argument(
        "--matrix", metavar="FILE", help="another capability matrix (default: the bundled one)"
    )


FLAG_NEEDS = {
    "ordering": "ordering",
    "replay": "replay",
    "retention_days": "retention_days",
    "throughput": "throughput_msgs_per_s",
    "max_message_kb": "max_message_kb",
    "fan_out": "fan_out",
    "dlq": "dead_letter",
    "transactions": "transactions",
    "dedup": "broker_dedup",
    "durable": "durable",
    "hosting": "hosting",
    "cloud": "cloud",
    "single_process": "single_process",
}


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import InputError
    from ..transport import render
    from ..transport.advisor import advise
    from ..transport.matrix import load_matrix

    matrix = load_matrix(Path(args.matrix) if args.matrix else None)

    if args.show:
        transport = matrix.get(args.show)
        if transport is None:
            known = ", ".join(t.id for t in matrix.transports)
            raise InputError(f"no transport '{args.show}'; known ids: {known}")
        show = render.transport_json if args.format == "json" else render.transport_text
        print(show(transport), end="")
        return 0

    needs = _needs(args)
    advice = advise(matrix, needs)
    if args.format == "json":
        print(render.advice_json(advice, matrix), end="")
    else:
        print(render.advice_text(advice, matrix, detailed=max(args.top, 0)), end="")
    return 0 if advice.candidates else 1


def _needs(args: argparse.Namespace):
    from pathlib import Path

    from ..model.source import load_document
    from ..transport.needs import Needs, apply, inferred_from_model, needs_from_section

    needs = Needs()
    if args.model:
        document = load_document(Path(args.model), args.model)
        for name, (value, why) in inferred_from_model(document.data).items():
            needs = apply(needs, {name: value}, f"inferred: {why}")
        needs = apply(needs, needs_from_section(document), f"{args.model} transport_needs")
    flags = {
        attribute: getattr(args, flag)
        for flag, attribute in FLAG_NEEDS.items()
        if getattr(args, flag) is not None
    }
    return apply(needs, flags, "flag")
