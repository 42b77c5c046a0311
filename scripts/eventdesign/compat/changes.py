"""What the compat analyses emit: changes named by code, with the facts that locate them.

JSON Schema codes are Confluent's `Difference.Type` names; Avro codes the `avro` checker's
incompatibility names; Protobuf codes Confluent's difference types and `buf breaking`
categories; model codes concern events as a whole. Which codes are reported, how severe each
is and the text that explains them belong to the compatibility rules
(`eventdesign.rules.compat_catalogue`), which the callers pass in as `severities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ..findings import Location
    from .history import ModeVerdict


@dataclass(frozen=True)
class Change:
    """One incompatibility (or warning) between a reader's and a writer's schema.

    `path` is Confluent's path (`#/properties/price`) or an Avro field path
    (`Order.lines[].price`); the pointers are JSON pointers into each document ('' is the root).
    """

    code: str
    path: str
    reader_pointer: Optional[str]
    writer_pointer: Optional[str]
    detail: str = ""


@dataclass(frozen=True)
class ModelChange:
    """A change to an event as a whole (removed, lost its schema, weakened, superseded).

    `element` names the event (or `system`), `detail` says what changed in the versions' own
    terms; `verdict` is the schema comparison behind it, when there is one (a successor that
    cannot read the payloads of the event it supersedes).
    """

    code: str
    element: str
    detail: str
    location: Location
    verdict: Optional[ModeVerdict] = None
