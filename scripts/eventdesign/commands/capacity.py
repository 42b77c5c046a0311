"""`grimoire capacity`: size each channel from its stated load with sourced quotas."""

from __future__ import annotations

import argparse

from ..argument_types import positive_number

NAME = "capacity"
HELP = "size channels (partitions, shards, storage, replay time) from stated rates and sizes"
ORDER = 72
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Size each channel of MODEL that states a `load:` (peak msgs/s, message size or examples,
consumers, key cardinality or skew, replay read rate), or one channel described by flags.
Per channel: ingress and egress bytes/s (every consumer group reads a copy), the units to
provision (partitions, shards, throughput units, message groups, ordering keys) and the figure
that decides, channel and per-key ceilings (hot keys), storage for the retention, and how long
a full replay takes. Every figure is a documented limit or a vendor planning figure from the
bundled matrix, with its source and access date; override planning figures with --planning.
No prices: the billing units are the quantities a price multiplies.

examples:
  capacity design.yaml
  capacity --transport kinesis --msgs-per-s 200000 --message-bytes 500 --retention 30d --consumers 3
  capacity --transport kafka --msgs-per-s 50000 --message-bytes 1200 --planning copies=2

Exit codes: 0 every channel fits its documented limits, 1 one does not, 2 unusable input."""


def _count(text: str) -> int:
    value = positive_number(text)
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"'{text}' must be a whole number")
    return int(value)


def _share(text: str) -> float:
    value = positive_number(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be a share between 0 and 1")
    return value


def _override(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE")
    return name.strip(), positive_number(value)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", metavar="MODEL", help="design model with channel loads")
    one = parser.add_argument_group("one channel from flags (instead of MODEL)")
    one.add_argument("--transport", metavar="ID", help="matrix id or model transport, e.g. kinesis")
    one.add_argument(
        "--msgs-per-s", type=positive_number, metavar="N", help="peak messages per second"
    )
    one.add_argument(
        "--average-msgs-per-s", type=positive_number, metavar="N", help="storage fill rate"
    )
    one.add_argument(
        "--message-bytes", type=positive_number, metavar="N", help="typical message size"
    )
    one.add_argument("--retention", metavar="DURATION", help="e.g. 7d, 30d, infinite")
    one.add_argument("--consumers", type=_count, default=1, metavar="N", help="consumer groups")
    one.add_argument(
        "--ordering",
        choices=("none", "per-key", "global"),
        default="per-key",
        help="order the channel keeps (default per-key; global puts all on one key)",
    )
    one.add_argument("--parallelism", type=_count, metavar="N", help="instances in one group")
    one.add_argument("--key-cardinality", type=_count, metavar="N", help="distinct keys")
    one.add_argument("--hot-key-share", type=_share, metavar="X", help="busiest key's share")
    one.add_argument(
        "--replay-read-msgs-per-s", type=positive_number, metavar="N", help="full replay read rate"
    )
    parser.add_argument(
        "--planning",
        type=_override,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a planning figure, e.g. write_bytes_per_s=20000000 or copies=2",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--matrix", metavar="FILE", help="another capability matrix (default: the bundled one)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import InputError
    from ..transport import capacity_render
    from ..transport.capacity import size
    from ..transport.matrix import load_matrix

    matrix = load_matrix(Path(args.matrix) if args.matrix else None)
    overrides = dict(args.planning)
    if args.model:
        if args.transport or args.msgs_per_s:
            raise InputError("give MODEL or --transport/--msgs-per-s, not both")
        named = _from_model(args, matrix, overrides)
    else:
        named = [("(flags)", size(*_from_flags(args, matrix, overrides)))]
    render = capacity_render.sizings_json if args.format == "json" else capacity_render.sizings_text
    print(render(named), end="")
    return 0 if all(sizing.fits for _, sizing in named) else 1


def _with_overrides(transport, overrides):
    from ..errors import InputError
    from ..transport.capacity import override_figures

    try:
        return override_figures(transport, overrides)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None


def _from_flags(args: argparse.Namespace, matrix, overrides):
    from ..errors import InputError
    from ..transport.capacity import Load, duration_seconds
    from ..transport.channel_load import transport_for

    if not args.transport or not args.msgs_per_s:
        raise InputError("give MODEL, or --transport and --msgs-per-s for one channel")
    transport = transport_for(matrix, args.transport)
    if transport is None:
        known = ", ".join(t.id for t in matrix.transports)
        raise InputError(f"no transport '{args.transport}'; known ids: {known}")
    try:
        retention = duration_seconds(args.retention) if args.retention else None
    except ValueError as exc:
        raise InputError(f"--retention: {exc}") from None
    load = Load(
        msgs_per_s=args.msgs_per_s,
        message_bytes=args.message_bytes,
        message_bytes_origin="stated" if args.message_bytes else "",
        average_msgs_per_s=args.average_msgs_per_s,
        consumer_groups=args.consumers,
        consumer_parallelism=args.parallelism,
        retention_s=retention,
        key_cardinality=args.key_cardinality,
        hot_key_share=args.hot_key_share,
        replay_read_msgs_per_s=args.replay_read_msgs_per_s,
        ordering=args.ordering,
    )
    return _with_overrides(transport, overrides), load


def _from_model(args: argparse.Namespace, matrix, overrides):
    """Every channel with a load, sized; a planning override applies to each channel whose
    transport has that planning figure, and must apply to at least one."""
    from ..errors import InputError
    from ..transport.capacity import overridable, size
    from ..transport.channel_load import channel_loads
    from ..transport.model_data import load_model_data

    loads = [s for s in channel_loads(load_model_data(args.model).data, matrix) if s.transport]
    if not loads:
        raise InputError(
            "no channel states a `load:` (peak_msgs_per_s, message_bytes, ...); add one",
            args.model,
        )
    used: set[str] = set()
    named = []
    for stated in loads:
        known = overridable(stated.transport)
        mine = {name: value for name, value in overrides.items() if name in known}
        used.update(mine)
        named.append((stated.channel, size(_with_overrides(stated.transport, mine), stated.load)))
    unused = sorted(set(overrides) - used)
    if unused:
        known = sorted({n for s in loads for n in overridable(s.transport)})
        raise InputError(
            f"--planning {', '.join(unused)}: no channel's transport has that planning figure; "
            f"overridable here: {', '.join(known) or 'none'}"
        )
    return named
