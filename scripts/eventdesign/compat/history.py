"""Check the newest of a schema's versions against earlier ones, in one compatibility mode.

`check_history(versions, mode)` loads every version (so a broken one is reported even where the
mode would not compare it), runs the reader/writer comparisons the mode asks for, and returns a
`ModeVerdict` listing each comparison's changes. Which codes count as incompatibilities and
which as warnings is the compatibility rules' to say: callers pass their `severities` (code to
severity; a code not listed is a compatible change). The work runs with a deep stack, so deeply
nested or recursive schemas are compared rather than crashed on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import InputError
from .changes import Change
from .deep_recursion import call_with_deep_stack
from .modes import BACKWARD, Comparison, comparisons
from .schema_files import SchemaSource, schema_from_data

LANGUAGE_NAMES = {"avro": "Avro", "jsonschema": "JSON Schema", "protobuf": "Protobuf"}


@dataclass
class SchemaVersion:
    """One version of a schema: `label` names it in messages ('v1', a file, a git revision)."""

    label: str
    source: SchemaSource
    loaded: Any = field(default=None, repr=False)

    @property
    def language(self) -> str:
        return self.source.language


@dataclass(frozen=True)
class PairCheck:
    """One comparison and every change it found (compatible ones included), with the
    severity of each code the caller reports."""

    comparison: Comparison
    changes: tuple[Change, ...]
    severities: Mapping[str, str] = field(repr=False, compare=False)

    @property
    def reported(self) -> list[Change]:
        """Changes with a rule: incompatibilities, warnings and notes."""
        return [c for c in self.changes if c.code in self.severities]

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if self.severities.get(c.code) == "error"]

    @property
    def warnings(self) -> list[Change]:
        return [c for c in self.changes if self.severities.get(c.code) == "warning"]


@dataclass(frozen=True)
class ModeVerdict:
    """The outcome of checking the newest version in one mode."""

    mode: str
    versions: tuple[SchemaVersion, ...]
    checks: tuple[PairCheck, ...]
    severities: Mapping[str, str] = field(repr=False, compare=False)

    @property
    def compatible(self) -> bool:
        return not any(check.errors for check in self.checks)

    @property
    def error_count(self) -> int:
        return sum(len(check.errors) for check in self.checks)

    @property
    def warning_count(self) -> int:
        return sum(len(check.warnings) for check in self.checks)


def load_version(version: SchemaVersion) -> Any:
    """Parse a version into the form its language's checker compares (once)."""
    if version.loaded is not None:
        return version.loaded
    source = version.source
    if source.language == "protobuf":
        version.loaded = source.data  # compiled when read
    elif source.language == "avro":
        from .avro_check import AvroDocument

        version.loaded = AvroDocument(source.data, source.shown)
    else:
        from .jsonschema_nodes import load_schema
        from .metaschema import check_against_metaschema

        check_against_metaschema(source.data, source.shown, source.locate)
        version.loaded = load_schema(source.data, source.shown)
    return version.loaded


def compare_versions(
    reader: SchemaVersion, writer: SchemaVersion, evolution: Optional[tuple[Any, Any]] = None
) -> list[Change]:
    """Every change between a reader's and a writer's schema (same language).

    `evolution` (older, newer) asks for the checks that concern how a schema evolved rather
    than who reads whom (buf's categories for Protobuf); give it once per pair of versions.
    """
    reader_loaded, writer_loaded = load_version(reader), load_version(writer)
    if reader.language == "protobuf":
        from .protobuf_check import check_protobuf

        return check_protobuf(reader_loaded, writer_loaded, evolution)
    if reader.language == "avro":
        from .avro_check import check_avro

        return check_avro(reader_loaded, writer_loaded)
    from .jsonschema_diff import JsonSchemaDiff

    return [
        Change(d.code, d.path, d.update_pointer, d.original_pointer, d.detail)
        for d in JsonSchemaDiff().differences(writer_loaded.root, reader_loaded.root)
    ]


def _check(
    versions: Sequence[SchemaVersion], mode: str, severities: Mapping[str, str]
) -> ModeVerdict:
    for version in versions:
        load_version(version)
    checks = []
    evolved = set()
    for comparison in comparisons(mode, len(versions)):
        pair = tuple(sorted((comparison.reader, comparison.writer)))
        evolution = None
        if pair not in evolved:
            evolved.add(pair)
            evolution = (versions[pair[0]].loaded, versions[pair[1]].loaded)
        changes = compare_versions(
            versions[comparison.reader], versions[comparison.writer], evolution
        )
        checks.append(PairCheck(comparison, tuple(changes), severities))
    return ModeVerdict(mode, tuple(versions), tuple(checks), severities)


def check_history(
    versions: Sequence[SchemaVersion], mode: str, *, severities: Mapping[str, str]
) -> ModeVerdict:
    """Check the last version against the earlier ones (oldest first) as `mode` says;
    `severities` names the codes to report and how severe each is."""
    if not versions:
        raise InputError("no schema versions to compare")
    languages = {v.language for v in versions}
    if len(languages) > 1:
        raise InputError(
            f"the versions mix {' and '.join(sorted(LANGUAGE_NAMES[x] for x in languages))}; "
            "compare versions of one schema language",
            versions[-1].source.shown,
        )
    if languages == {"jsonschema"}:
        from .pattern_matches import precompute

        precompute((v.source.data, v.source.shown) for v in versions)
    try:
        return call_with_deep_stack(_check, list(versions), mode, severities)
    except RecursionError:
        raise InputError(
            "the schemas are nested or recursive too deeply to compare", versions[-1].source.shown
        ) from None


def check_data(
    history: Sequence[Any],
    mode: str,
    language: str = "jsonschema",
    labels: Optional[Sequence[str]] = None,
    *,
    severities: Mapping[str, str],
) -> ModeVerdict:
    """Check already-parsed schemas (oldest first); versions are labelled v1, v2, ..."""
    from ..findings import Location

    names = list(labels) if labels else [f"v{i}" for i in range(1, len(history) + 1)]
    versions = [
        SchemaVersion(
            name,
            schema_from_data(
                data, name, language, lambda pointer, name=name: Location(name, None, None, pointer)
            ),
        )
        for name, data in zip(names, history)
    ]
    return check_history(versions, mode, severities=severities)


def new_side(check: PairCheck, change: Change) -> tuple[int, Optional[str]]:
    """The version and pointer that locate a change, preferring the newest version's file."""
    comparison = check.comparison
    if comparison.direction == BACKWARD:
        preferred = (comparison.reader, change.reader_pointer)
        other = (comparison.writer, change.writer_pointer)
    else:
        preferred = (comparison.writer, change.writer_pointer)
        other = (comparison.reader, change.reader_pointer)
    return preferred if preferred[1] is not None else other
