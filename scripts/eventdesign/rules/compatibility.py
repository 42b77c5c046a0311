"""Compatibility rules: one per kind of schema change `grimoire compat` reports.

The compat analysis (`eventdesign.compat`) reports changes by code, so these rules are
registered with `describe`, each with the code it reports; their IDs, names, severities and
text are the catalogue's (`compat_catalogue`). The worked examples come from
`compat_examples`, one module per schema language (plus `model` for events as a whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

from .compat_catalogue import FAMILY, FORWARD_TEXT, KINDS, SEVERITIES, ChangeKind
from .compat_examples import avro as avro_examples
from .compat_examples import jsonschema as jsonschema_examples
from .compat_examples import model as model_examples
from .compat_examples import protobuf as protobuf_examples
from .registry import describe

if TYPE_CHECKING:
    from ..compat.history import ModeVerdict

LANGUAGE_NAMES = {
    "jsonschema": "JSON Schema",
    "avro": "Avro",
    "protobuf": "Protobuf",
    "model": "design model",
}
MODES = (
    "Which versions are compared depends on the event's compatibility mode: BACKWARD has the "
    "new version read data written with the old one, FORWARD the old one read the new one's, "
    "FULL both; the transitive modes compare every earlier version."
)
DETECTION = {
    "jsonschema": (
        "`compat` compares the reader's JSON Schema with the writer's position by position, "
        "with the rules of Confluent Schema Registry's JSON Schema provider, and locates the "
        "change by JSON pointer in the newest version."
    ),
    "avro": (
        "`compat` resolves the writer's schema against the reader's as the Avro specification's "
        "schema resolution does (the `avro` package's compatibility checker) and locates the "
        "change by field path, such as `Reading.sensor.unit`."
    ),
    "protobuf": (
        "`compat` compiles both .proto files and compares them as Confluent Schema Registry's "
        "Protobuf provider does, and locates the change by message and field number."
    ),
}
BUF_DETECTION = "Elements the registry already rejects are not reported again."
ACCEPTED_BY_CONFLUENT = (
    "Confluent's rules accept the change; `compat` warns because data the writer produced can "
    "still fail the reader's validation."
)


def what_it_does(kind: ChangeKind) -> str:
    """What the rule flags and how `compat` finds it."""
    if kind.language == "jsonschema":
        parts = [f"Flags this change between two versions of a JSON Schema: {kind.summary}."]
        if kind.severity == "warning":
            parts.append(ACCEPTED_BY_CONFLUENT)
    else:
        parts = [kind.what]
    if kind.code.startswith("BUF_"):
        parts.append(BUF_DETECTION)
    elif kind.language in DETECTION:
        parts.append(DETECTION[kind.language])
    if kind.language != "model":
        parts.append(MODES)
    if kind.code in FORWARD_TEXT:
        parts.append(
            "In a FORWARD check (the old schema reading the new version's data) the same code "
            f"reports the opposite edit. {FORWARD_TEXT[kind.code][0]}"
        )
    parts.append(f"Reported as {kind.code} by `grimoire compat` ({LANGUAGE_NAMES[kind.language]}).")
    return " ".join(parts)


_EXAMPLES = {
    "jsonschema": jsonschema_examples,
    "avro": avro_examples,
    "protobuf": protobuf_examples,
    "model": model_examples,
}


for _kind in KINDS:
    describe(
        _kind.rule_id,
        _kind.rule_name,
        code=_kind.code,
        family=FAMILY,
        severity=_kind.severity,
        summary=_kind.summary,
        what=what_it_does(_kind),
        why=f"{_kind.why}\n\nWhat to do: {_kind.hint}",
        **_EXAMPLES[_kind.language].parts(_kind.code),
    )


def check_schemas(
    history: Sequence[Any],
    mode: str,
    language: str = "jsonschema",
    labels: Optional[Sequence[str]] = None,
) -> ModeVerdict:
    """Check already-parsed schemas (oldest first) in `mode`, with these rules' severities."""
    from ..compat.history import check_data

    return check_data(history, mode, language, labels, severities=SEVERITIES)
