"""Versions of one event over time: a successor type compared with the type it supersedes, and
compatibility modes weakened since a revision.

A breaking change published as a new event type (`supersedes: OrderPlaced` on `OrderPlacedV2`)
leaves consumers to move from the old type to the new one; whether the new schema reads the old
payloads (BACKWARD) tells them if an upcaster is needed. A mode weakened between revisions
(FULL_TRANSITIVE to BACKWARD) silently drops promises consumers were relying on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

from ..findings import Location
from .changes import ModelChange
from .history import SchemaVersion, check_history
from .modes import BACKWARD, lost_guarantees, normalize_mode
from .schema_files import schema_from_data

NAMES_SHOWN = 5  # events a weakened system default lists by name


def _mode_of(model: Any, event: Any) -> Optional[str]:
    try:
        return normalize_mode(model.compatibility_of(event))
    except ValueError:
        return None  # reported where the mode is read for the comparison itself


def weakened_modes(model: Any, old_model: Any, revision: str) -> list[ModelChange]:
    """Events whose compatibility mode promises less than it did at `revision`."""
    found = []
    system_changes: dict[tuple[str, str], list[str]] = {}
    for name, event in model.events.items():
        old = old_model.events.get(name)
        if old is None:
            continue
        old_mode, new_mode = _mode_of(old_model, old), _mode_of(model, event)
        if old_mode is None or new_mode is None or not lost_guarantees(old_mode, new_mode):
            continue
        if event.compatibility is None:
            system_changes.setdefault((old_mode, new_mode), []).append(name)
            continue
        found.append(
            ModelChange(
                "COMPATIBILITY_WEAKENED",
                name,
                _weakened_text(old_mode, new_mode, revision),
                model.locate(f"{event.pointer}/compatibility"),
            )
        )
    for (old_mode, new_mode), names in system_changes.items():
        shown = ", ".join(names[:NAMES_SHOWN]) + (" ..." if len(names) > NAMES_SHOWN else "")
        found.append(
            ModelChange(
                "COMPATIBILITY_WEAKENED",
                "system",
                _weakened_text(old_mode, new_mode, revision)
                + f" (the system default, for {len(names)} event{'' if len(names) == 1 else 's'}: "
                f"{shown})",
                model.locate("/system/compatibility"),
            )
        )
    return found


def _weakened_text(old_mode: str, new_mode: str, revision: str) -> str:
    lost = "; ".join(lost_guarantees(old_mode, new_mode))
    return (
        f"compatibility weakened from {old_mode} at {revision} to {new_mode}, "
        f"no longer checking {lost}"
    )


def successors(
    model: Any,
    old_model: Any,
    revision: str,
    require_avro: Callable[[], None],
    old_file_name: Callable[[str], str] = lambda file: file,
    *,
    severities: Mapping[str, str],
) -> tuple[list[ModelChange], list[str]]:
    """Each event that supersedes another, compared with it: changes and notes. A predecessor
    removed since `revision` is read from `old_model`, its files named by `old_file_name`;
    `severities` are the compatibility rules' (see `check_history`)."""
    found: list[ModelChange] = []
    notes: list[str] = []
    for name, event in model.events.items():
        predecessor_name = event.supersedes
        if not predecessor_name:
            continue
        current = predecessor_name in model.events
        owner = model if current else old_model
        predecessor = owner.events.get(predecessor_name)
        if predecessor is None:
            notes.append(
                f"{name}: supersedes {predecessor_name}, which is neither in the model nor at "
                f"{revision}; nothing to compare"
            )
            continue
        if predecessor.schema is None or event.schema is None:
            notes.append(f"{name}: supersedes {predecessor_name}; one of them has no schema")
            continue
        if predecessor.schema_format != event.schema_format:
            notes.append(
                f"{name}: supersedes {predecessor_name} in another schema language; consumers "
                "moving over need a translation"
            )
            continue
        if event.schema_format == "avro":
            require_avro()
        verdict = check_history(
            [
                _version(owner, predecessor, (lambda f: f) if current else old_file_name),
                _version(model, event, lambda f: f),
            ],
            BACKWARD,
            severities=severities,
        )
        if verdict.compatible:
            notes.append(
                f"{name}: supersedes {predecessor_name} and reads its payloads (BACKWARD "
                "compatible): consumers can move over without an upcaster"
            )
            continue
        found.append(
            ModelChange(
                "SUPERSEDED_EVENT_INCOMPATIBLE",
                name,
                f"supersedes {predecessor_name}, but its schema cannot read {predecessor_name} "
                "payloads",
                model.locate(f"{event.pointer}/supersedes"),
                verdict,
            )
        )
    return found, notes


def _version(model: Any, event: Any, file_name: Callable[[str], str]) -> SchemaVersion:
    def locate(pointer: str) -> Location:
        found = model.locate_in_schema(event, pointer)
        return Location(file_name(found.file), found.line, found.column, found.pointer)

    return SchemaVersion(
        event.name, schema_from_data(event.schema, locate("").file, event.schema_format, locate)
    )
