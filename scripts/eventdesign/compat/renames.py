"""Probable renames: a property (or Avro field) gone from an object and another one new there.

Registries see a rename as a removal plus an addition, reported separately and, in FORWARD
checks, under names that read backwards. `find_renames(verdict)` pairs each property the newest
version no longer has with one it newly has in the same object when both have the same schema
(annotations aside) or similar names of the same type, so the two (or four, under FULL)
changes can be reported as one finding with the alternatives that are safe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Optional

from ..model.payload import resolve_local_ref
from .changes import Change
from .history import ModeVerdict, PairCheck
from .modes import BACKWARD

ANNOTATIONS = frozenset(("title", "description", "$comment", "examples", "doc", "default"))
SIMILAR_NAME_RATIO = 0.6

# Avro readers skip fields only the writer has, so the checker reports nothing for them.
WRITER_FIELD_SKIPPED = "WRITER_FIELD_SKIPPED"

# Confluent's codes for a property present on one side only (writer -> reader).
ADDED_CODES = frozenset(
    (
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES",
        # Avro: the reader has a field the writer lacks.
        "READER_FIELD_MISSING_DEFAULT_VALUE",
    )
)
REMOVED_CODES = frozenset(
    (
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        WRITER_FIELD_SKIPPED,
    )
)


@dataclass(frozen=True)
class Rename:
    """`old_name` in the earlier version became `new_name` in the newest, in object `parent`."""

    parent: str
    old_name: str
    new_name: str
    same_schema: bool
    language: str
    new_pointer: str
    absorbed: tuple[tuple[PairCheck, Change], ...]

    @property
    def failing(self) -> list[tuple[PairCheck, Change]]:
        """The absorbed changes that are incompatibilities or warnings."""
        return [
            (check, change) for check, change in self.absorbed if change.code in check.severities
        ]


@dataclass(frozen=True)
class _Member:
    """A property present in only one of a check's two schemas, seen in order of versions."""

    parent: str
    name: str
    appears: bool  # True: the newer version added it; False: the newer version dropped it
    check: PairCheck
    change: Change


def _split(path: str, language: str) -> Optional[tuple[str, str]]:
    if language == "avro":
        parent, _, name = path.rpartition(".")
        return (parent, name) if parent else None
    parent, marker, name = path.rpartition("/properties/")
    return (parent, name) if marker and "/" not in name else None


def _members(verdict: ModeVerdict) -> list[_Member]:
    language = verdict.versions[-1].language
    found = []
    for check in verdict.checks:
        backward = check.comparison.direction == BACKWARD
        changes = list(check.changes)
        if language == "avro":
            changes += _avro_skipped_fields(verdict, check)
        for change in changes:
            if change.code in ADDED_CODES:
                added_by_reader = True
            elif change.code in REMOVED_CODES:
                added_by_reader = False
            else:
                continue
            split = _split(change.path, language)
            if split is None:
                continue
            # In a BACKWARD check the reader is the newer version; in FORWARD the older one.
            appears = added_by_reader if backward else not added_by_reader
            found.append(_Member(split[0], split[1], appears, check, change))
    return found


def _avro_skipped_fields(verdict: ModeVerdict, check: PairCheck) -> list[Change]:
    """Fields only the writer's record has, beside a reader field the writer lacks."""
    reader_doc = verdict.versions[check.comparison.reader].source.data
    writer_doc = verdict.versions[check.comparison.writer].source.data
    skipped = []
    seen = set()
    for change in check.changes:
        if change.code != "READER_FIELD_MISSING_DEFAULT_VALUE" or not change.reader_pointer:
            continue
        record_pointer = change.reader_pointer.rpartition("/fields/")[0]
        if record_pointer in seen:
            continue
        seen.add(record_pointer)
        record = _resolve(reader_doc, record_pointer)
        if not isinstance(record, dict):
            continue
        known = set()
        for field in record.get("fields", []):
            known.add(field.get("name"))
            known.update(field.get("aliases") or ())
        parent = change.path.rpartition(".")[0]
        for pointer, other in _avro_records(writer_doc, ""):
            if other.get("name") != record.get("name"):
                continue
            for index, field in enumerate(other.get("fields", [])):
                if isinstance(field, dict) and field.get("name") not in known:
                    skipped.append(
                        Change(
                            WRITER_FIELD_SKIPPED,
                            f"{parent}.{field.get('name')}",
                            record_pointer,
                            f"{pointer}/fields/{index}",
                        )
                    )
    return skipped


def _avro_records(value: Any, pointer: str) -> list[tuple[str, dict]]:
    """Every Avro record declared in a document, with its JSON pointer."""
    found = []
    if isinstance(value, dict):
        if value.get("type") == "record" and isinstance(value.get("fields"), list):
            found.append((pointer, value))
        for key, child in value.items():
            found += _avro_records(child, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _avro_records(child, f"{pointer}/{index}")
    return found


def _resolve(document: Any, pointer: Optional[str]) -> Any:
    """The value at a JSON pointer ('' is the document), or None when it points nowhere."""
    if pointer is None:
        return None
    return resolve_local_ref(document, "#" + pointer)


def _member_schema(verdict: ModeVerdict, member: _Member) -> Any:
    """The member's schema in the version that has it, without annotations (None if unknown)."""
    comparison = member.check.comparison
    change = member.change
    added_by_reader = change.code in ADDED_CODES
    index = comparison.reader if added_by_reader else comparison.writer
    pointer = change.reader_pointer if added_by_reader else change.writer_pointer
    value = _resolve(verdict.versions[index].source.data, pointer)
    if isinstance(value, dict) and "name" in value and "type" in value and "fields" not in value:
        value = value["type"]  # an Avro field: compare its type
    return _strip(value)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ANNOTATIONS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _type_of(schema: Any) -> Any:
    return schema.get("type") if isinstance(schema, dict) else schema


def _similar(old: str, new: str) -> bool:
    a, b = old.lower(), new.lower()
    if SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME_RATIO:
        return True
    shorter, longer = sorted((a, b), key=len)
    if not shorter or shorter[0] != longer[0]:
        return False
    letters = iter(longer)
    return all(letter in letters for letter in shorter)  # an abbreviation: qty / quantity


def find_renames(verdict: ModeVerdict) -> list[Rename]:
    """Probable renames between the newest version and the earlier ones it was checked with."""
    if not verdict.checks:
        return []
    language = verdict.versions[-1].language
    members = _members(verdict)
    gone: dict[tuple[str, str], list[_Member]] = {}
    new: dict[tuple[str, str], list[_Member]] = {}
    for member in members:
        (new if member.appears else gone).setdefault((member.parent, member.name), []).append(
            member
        )
    candidates = []
    for (parent, old_name), old_members in gone.items():
        old_schema = _member_schema(verdict, old_members[0])
        for (new_parent, new_name), new_members in new.items():
            if new_parent != parent:
                continue
            new_schema = _member_schema(verdict, new_members[0])
            same = old_schema is not None and json.dumps(old_schema, sort_keys=True) == (
                json.dumps(new_schema, sort_keys=True)
            )
            similar = _similar(old_name, new_name) and _type_of(old_schema) == _type_of(new_schema)
            if same or similar:
                score = (same, SequenceMatcher(None, old_name, new_name).ratio())
                candidates.append((score, parent, old_name, new_name, same))
    renames = []
    taken_old: set[tuple[str, str]] = set()
    taken_new: set[tuple[str, str]] = set()
    for _, parent, old_name, new_name, same in sorted(candidates, reverse=True):
        if (parent, old_name) in taken_old or (parent, new_name) in taken_new:
            continue
        taken_old.add((parent, old_name))
        taken_new.add((parent, new_name))
        absorbed = tuple(
            (m.check, m.change) for m in gone[(parent, old_name)] + new[(parent, new_name)]
        )
        rename = Rename(
            parent,
            old_name,
            new_name,
            same,
            language,
            _new_pointer(new[(parent, new_name)]),
            absorbed,
        )
        if rename.failing:
            renames.append(rename)
    return renames


def _new_pointer(members: list[_Member]) -> str:
    """Where the new name is declared in the newest version's document."""
    for member in members:
        comparison, change = member.check.comparison, member.change
        if comparison.direction == BACKWARD and change.reader_pointer is not None:
            return change.reader_pointer
        if comparison.direction != BACKWARD and change.writer_pointer is not None:
            return change.writer_pointer
    return ""
