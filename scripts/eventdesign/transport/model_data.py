"""A design model's raw data, validated against the format's schema, for the transport commands.

`capacity` and `transport` read channels, loads and messages as data; they need neither the
typed model nor the payload schemas `check` loads, so they skip both (and do not even import
the loader for a valid model: the compiled schema test says it is valid).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model.format_schema import model_fast_check
from ..model.source import SourceDocument, load_document


def load_model_data(path: str) -> SourceDocument:
    """The parsed model document; InputError naming each line that breaks the schema."""
    document = load_document(Path(path), path)
    fast_check = model_fast_check()
    if fast_check is not None and fast_check(document.data):
        return document
    from ..model.loader import validate_model_data

    problems = validate_model_data(document)
    if problems:
        first = problems[0][0]
        raise InputError(
            f"the design model does not match the grimoire/1 format ({len(problems)} "
            "problem(s)); fix each line below",
            document.path,
            first.line,
            first.column,
            details=[f"{where}: {message}" for where, message in problems],
        )
    return document
