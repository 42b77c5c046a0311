"""The design model format's JSON Schema and its compiled quick test.

Apart from the loader so that commands reading a model as plain data (`capacity`, `transport`)
can tell a valid model without importing the typed model.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

MODEL_SCHEMA_PATH = Path(__file__).resolve().parent / "design-model.schema.json"


@lru_cache(maxsize=1)
def model_schema() -> dict:
    """The design model's own JSON Schema, shipped beside this module."""
    return json.loads(MODEL_SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def model_fast_check() -> Optional[Callable[[Any], bool]]:
    """True for data the schema accepts (compiled; None if the schema is beyond the compiler).

    Only says whether the data is valid: jsonschema words what is wrong."""
    from ..jsonschema_compiler import UnsupportedSchema, compile_schema

    try:
        return compile_schema(model_schema())
    except UnsupportedSchema:
        return None
