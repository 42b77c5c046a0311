"""Protobuf compatibility: Confluent's verdict, and what `buf breaking` adds where it passes.

The registry's differences decide compatibility (errors); a change the registry accepts but a
`buf breaking` category rejects (a renamed field breaks the JSON mapping, a deleted field
breaks generated code) becomes a warning or a note naming that category.
"""

from __future__ import annotations

from typing import Optional

from ..protobuf import buf_rules
from ..protobuf.confluent_diff import compare
from ..protobuf.schema import ProtoSchema
from .changes import Change

# The strictest category that rejects a change decides how it is reported.
_CATEGORY_CODE = (("WIRE", "BUF_WIRE"), ("WIRE_JSON", "BUF_WIRE_JSON"), ("FILE", "BUF_FILE"))


def check_protobuf(
    reader: ProtoSchema,
    writer: ProtoSchema,
    evolution: Optional[tuple[ProtoSchema, ProtoSchema]] = None,
) -> list[Change]:
    """Every change between a reader's and a writer's schema: can `reader` read `writer`'s data.

    With `evolution` (older, newer), also what `buf breaking` says of the newer version against
    the older one: buf judges how a file evolved, whichever side reads.
    """
    differences = compare(writer, reader)
    changes = [Change(d.type, d.path, d.update_pointer, d.original_pointer) for d in differences]
    breaking = [d.path[1:] for d in differences if not d.compatible]
    if evolution is None:
        return changes
    grouped: dict[tuple[str, str], list[buf_rules.BufViolation]] = {}
    for violation in buf_rules.check(*evolution):
        if any(_within(pointer, violation.pointer) for pointer in breaking):
            continue  # the registry already rejects this element
        code = next(code for category, code in _CATEGORY_CODE if category in violation.categories)
        grouped.setdefault((code, violation.pointer), []).append(violation)
    for (code, where), violations in grouped.items():
        rules = ", ".join(v.rule for v in violations)
        messages = "; ".join(dict.fromkeys(v.message for v in violations))
        changes.append(Change(code, "#" + where, where, where, f"{rules}: {messages}"))
    return changes


def _within(pointer: str, element: str) -> bool:
    return pointer == element or pointer.startswith(element + "/")
