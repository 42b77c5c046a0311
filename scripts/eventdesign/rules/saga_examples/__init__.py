"""Worked examples for the saga rules: a hold on a library book, orchestrated or choreographed.

Each module holds one sound saga in the lending domain and `EXAMPLES`, which maps a rule ID to
(example, instead): design-model fragments made from that saga by replacing lines, so every
example differs from a reviewed design in exactly the lines that matter. The example makes
`saga verify` report the rule; `instead` passes every rule.
"""

from __future__ import annotations


def worked(rule_id: str) -> dict[str, str]:
    """The rule's `example` and `instead` fragments, for `describe`; none when it has none."""
    from . import choreographed, orchestrated

    for module in (orchestrated, choreographed):
        if rule_id in module.EXAMPLES:
            example, instead = module.EXAMPLES[rule_id]
            return {"example": example, "instead": instead}
    return {}
