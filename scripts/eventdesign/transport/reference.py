"""The generated capability table in references/transport-selection.md, kept equal to the data."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import InputError
from .matrix import Matrix, Transport

# The plugin's reference guide, generated in part from the matrix (a maintainer action).
REFERENCE_PATH = Path(__file__).resolve().parents[3] / "references" / "transport-selection.md"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
BEGIN_MARKER = "<!-- BEGIN GENERATED: transports -->"
END_MARKER = "<!-- END GENERATED -->"
SUPPORT_WORDS = {"full": "yes", "partial": "partial", "none": "no"}


def render_table(matrix: Matrix) -> str:
    """The Markdown block (without markers) generated from the matrix."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["cell"] = _cell
    environment.filters["word"] = lambda support: SUPPORT_WORDS[support]
    environment.filters["size"] = _size
    environment.filters["retention"] = _retention
    environment.filters["hosting"] = _hosting
    environment.filters["sizing"] = _sizing
    environment.filters["max_size"] = _max_size
    template = environment.get_template("transport-table.md.j2")
    return template.render(matrix=matrix, transports=matrix.transports)


def splice(text: str, block: str, shown: str) -> str:
    """`text` with the generated block between the markers replaced by `block`."""
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        raise InputError(
            f"the markers {BEGIN_MARKER} and {END_MARKER} are missing; put them back around "
            "the generated table",
            shown,
        )
    head = text[: start + len(BEGIN_MARKER)]
    return head + "\n" + block.rstrip("\n") + "\n" + text[end:]


def current_block(text: str) -> Optional[str]:
    """The block between the markers as it stands, or None without markers."""
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[start + len(BEGIN_MARKER) : end].strip("\n")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _size(size_bytes: Optional[int]) -> str:
    if size_bytes is None:
        return "no limit"
    if size_bytes % (1024 * 1024) == 0:
        return f"{size_bytes // (1024 * 1024)} MiB"
    if size_bytes % 1024 == 0:
        return f"{size_bytes // 1024} KiB"
    if size_bytes % 1_000_000 == 0:
        return f"{size_bytes // 1_000_000} MB"
    # Kafka's 1,048,588 bytes: one MiB plus record-batch overhead.
    return f"~{size_bytes / (1024 * 1024):.0f} MiB"


def _retention(transport: Transport) -> str:
    if transport.replay.support == "none":
        return "no"
    word = SUPPORT_WORDS[transport.replay.support]
    if transport.max_retention_days is None:
        return f"{word}, unlimited"
    return f"{word}, {transport.max_retention_days:g} d max"


def _hosting(transport: Transport) -> str:
    parts = []
    if transport.self_run:
        parts.append("self-run")
    clouds = []
    for offering in transport.managed:
        label = offering.cloud if offering.first_party else f"{offering.cloud} (3rd party)"
        if label not in clouds:
            clouds.append(label)
    if clouds:
        parts.append("managed: " + ", ".join(clouds))
    return "; ".join(parts)


SHORT_FIGURES = {
    "write_bytes_per_s": "B/s in",
    "write_records_per_s": "msgs/s in",
    "read_bytes_per_s": "B/s out",
    "consumers_per_group": "consumer per group",
    "memory_bytes": "B of RAM",
    "deliveries_per_s": "deliveries/s",
}


def _sizing(transport: Transport) -> str:
    """'shard: 1,048,576 B/s in, 1,000 msgs/s in (L)'; L = documented limit, P = planning."""
    capacity = transport.capacity
    parts: list[str] = []
    if capacity is None or not (capacity.units or capacity.channel):
        return "no sourced figures" if transport.self_run else "service scales itself"
    for unit in capacity.units:
        figures = ", ".join(_short(f) for f in unit.figures.values())
        parts.append(f"{unit.unit}: {figures}")
    channel = ", ".join(_short(f) for f in capacity.channel.values())
    if channel:
        parts.append(f"channel: {channel}")
    return "; ".join(parts)


def _short(figure) -> str:
    return f"{figure.value:,.0f} {SHORT_FIGURES[figure.name]} ({figure.kind[0].upper()})"


def _max_size(transport: Transport) -> str:
    """The largest message: a number, 'configurable' when only the default is a set limit."""
    if transport.max_message_bytes is None and transport.default_message_bytes is not None:
        return "configurable"
    return _size(transport.max_message_bytes)
