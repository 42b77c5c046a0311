"""Schema registry compatibility modes and the comparisons each one asks for.

Versions are ordered oldest first; the last one is the new schema. BACKWARD: the new schema
reads data written with the previous one. FORWARD: the previous schema reads data written with
the new one. FULL: both. The _TRANSITIVE forms check against every earlier version instead of
only the latest. NONE checks nothing. The default is BACKWARD, as in Confluent Schema Registry.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)
DEFAULT_MODE = "BACKWARD"
BACKWARD = "BACKWARD"
FORWARD = "FORWARD"


@dataclass(frozen=True)
class Comparison:
    """Check that version `reader` can read data written with version `writer`."""

    direction: str  # BACKWARD (the new schema reads) or FORWARD (an older schema reads)
    reader: int
    writer: int


def normalize_mode(text: str) -> str:
    """The canonical mode name for `text` (any case, '-' or '_'); ValueError when unknown."""
    mode = text.strip().upper().replace("-", "_")
    if mode not in MODES:
        raise ValueError(f"unknown compatibility mode '{text}'; use one of {', '.join(MODES)}")
    return mode


def is_transitive(mode: str) -> bool:
    return mode.endswith("_TRANSITIVE")


def directions(mode: str) -> tuple[str, ...]:
    """BACKWARD and/or FORWARD, as the mode asks."""
    base = mode.replace("_TRANSITIVE", "")
    if base == "FULL":
        return (BACKWARD, FORWARD)
    if base in (BACKWARD, FORWARD):
        return (base,)
    return ()


def comparisons(mode: str, version_count: int) -> list[Comparison]:
    """The reader/writer checks for the newest of `version_count` versions (oldest first)."""
    if version_count < 2:
        return []
    new = version_count - 1
    earlier = range(new) if is_transitive(mode) else [new - 1]
    checks = []
    for previous in earlier:
        for direction in directions(mode):
            if direction == BACKWARD:
                checks.append(Comparison(BACKWARD, reader=new, writer=previous))
            else:
                checks.append(Comparison(FORWARD, reader=previous, writer=new))
    return checks


def guarantees(mode: str) -> frozenset[tuple[str, str]]:
    """What a mode promises: (direction, 'previous version' or 'every earlier version')."""
    scopes = (
        ("previous version", "every earlier version")
        if is_transitive(mode)
        else ("previous version",)
    )
    return frozenset((d, scope) for d in directions(mode) for scope in scopes)


def lost_guarantees(old_mode: str, new_mode: str) -> list[str]:
    """The promises `old_mode` made that `new_mode` does not, e.g. 'FORWARD with every earlier
    version'; empty when the new mode is as strong or stronger."""
    lost = guarantees(old_mode) - guarantees(new_mode)
    return [f"{direction} with {scope}" for direction, scope in sorted(lost)]
