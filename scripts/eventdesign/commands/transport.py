"""`grimoire transport`: rank message transports against stated needs, explaining exclusions."""

from __future__ import annotations

import argparse

from ..argument_types import positive_number

NAME = "transport"
HELP = "rank message transports (Kafka, SQS, Pub/Sub, ...) against your needs"
ORDER = 70
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Rank message transports against stated needs. Every transport that cannot meet a need is ruled
out with the reason; the rest are ranked (fewer caveats, less to operate for the hosting, the
transport the team already runs) with their trade-offs. Throughput, retention, message size
and latency are checked as numbers against the matrix's sourced figures.

With MODEL, advice is per group of channels with the same needs: each channel's ordering,
retention and replay window, `load:` (rate, message size, latency target) and the services
reading it, over the model's `transport_needs:` and the transports its brokers run (the
incumbent). Flags win. A model without channels gets one system-wide answer.

Data: the bundled capability matrix (eventdesign/transport/transports.yaml), with a source and
access date per fact.

examples:
  transport --ordering per-key --throughput 200000 --message-bytes 500 --retention-days 30
  transport --cloud aws --managed --fan-out --dlq
  transport design.yaml --format json
  transport --show kafka

Exit codes: 0 at least one transport fits, 1 none fits, 2 unusable input."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", metavar="MODEL", help="design model to read needs from")
    needs = parser.add_argument_group("needs (each rules out transports that lack it)")
    needs.add_argument("--ordering", choices=("none", "per-key", "global"), help="order needed")
    needs.add_argument("--replay", action="store_true", default=None, help="re-read history")
    needs.add_argument(
        "--retention-days", type=positive_number, metavar="N", help="history readable for N days"
    )
    needs.add_argument(
        "--throughput",
        type=positive_number,
        metavar="MSGS_PER_S",
        help="sustained messages per second",
    )
    needs.add_argument(
        "--max-message-kb", type=positive_number, metavar="N", help="largest message in KiB"
    )
    needs.add_argument(
        "--message-bytes",
        type=positive_number,
        metavar="N",
        help="typical message size (byte rates)",
    )
    needs.add_argument(
        "--latency-ms", type=positive_number, metavar="N", help="end-to-end delivery target"
    )
    needs.add_argument(
        "--consumers",
        type=positive_number,
        metavar="N",
        help="consumer groups reading each message (egress and deliveries)",
    )
    needs.add_argument(
        "--incumbent",
        action="append",
        metavar="ID",
        help="a transport the team already runs (preferred when it fits); repeatable",
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
    "message_bytes": "message_bytes",
    "latency_ms": "latency_ms",
    "consumers": "consumer_groups",
    "incumbent": "incumbent",
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

    from ..transport.needs import Needs, apply
    from ..transport.per_channel import advise_channels

    data, system, below = _model_layers(args)
    flags = _flag_values(args)
    needs = Needs()
    for values, origin in [*system, *below, (flags, "flag")]:
        needs = apply(needs, values, origin)
    advice = advise(matrix, needs)
    groups = advise_channels(matrix, data, below, [(flags, "flag")]) if data else []
    top = max(args.top, 0)
    if args.format == "json":
        print(render.advice_json(advice, matrix, groups), end="")
    elif groups:
        print(render.groups_text(groups, matrix, detailed=top), end="")
    else:
        print(render.advice_text(advice, matrix, detailed=top), end="")
    if groups:
        return 0 if all(group.advice.candidates for group in groups) else 1
    return 0 if advice.candidates else 1


def _flag_values(args: argparse.Namespace) -> dict:
    values = {
        attribute: getattr(args, flag)
        for flag, attribute in FLAG_NEEDS.items()
        if getattr(args, flag) is not None
    }
    if "incumbent" in values:
        values["incumbent"] = tuple(values["incumbent"])
    return values


def _model_layers(args: argparse.Namespace):
    """The model's data; its system-wide inferred needs; the layers under every channel's own
    (the incumbent it runs, its `transport_needs:`)."""

    from ..transport.model_data import load_model_data
    from ..transport.needs import inferred_from_model, needs_from_section

    if not args.model:
        return None, [], []
    document = load_model_data(args.model)
    inferred = inferred_from_model(document.data)
    system = [
        ({name: value}, f"inferred: {why}")
        for name, (value, why) in inferred.items()
        if name != "incumbent"
    ]
    below = []
    if "incumbent" in inferred:
        value, why = inferred["incumbent"]
        below.append(({"incumbent": value}, f"inferred: {why}"))
    below.append((needs_from_section(document), f"{args.model} transport_needs"))
    return document.data, system, below
