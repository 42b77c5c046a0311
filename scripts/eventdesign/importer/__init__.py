"""Bootstrap a design model from an AsyncAPI 2.x or 3.0 document (`grimoire import asyncapi`).

`read_asyncapi` turns either version into one neutral description (`spec.AsyncApiSpec`):
servers, channels, messages, and operations as (service, sends|receives, channel, messages).
`build_model` turns that into a design-model dict; `import_asyncapi` does both.
"""

from __future__ import annotations

from .build import ImportResult, build_model
from .spec import AsyncApiSpec, read_asyncapi

__all__ = ["AsyncApiSpec", "ImportResult", "build_model", "import_asyncapi", "read_asyncapi"]


def import_asyncapi(document: object, shown: str, invert_2x: bool = False) -> ImportResult:
    """The design model (as a dict) and notes on what had to be guessed, from parsed AsyncAPI.

    `invert_2x` reads a 2.x document's `publish` as the application sending."""
    return build_model(read_asyncapi(document, shown, invert_2x))
