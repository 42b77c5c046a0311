"""Before/after pairs as the examples show them: a `# goal` line, then `before:` and `after:`."""

from __future__ import annotations

import textwrap


def _block(schema: str) -> str:
    return textwrap.indent(textwrap.dedent(schema).strip("\n") + "\n", "  ")


def pair(goal: str, before: str, after: str, *, text: bool = False) -> str:
    """A YAML pair; `text` writes each schema as a literal block (a .proto file's text)."""
    marker = " |" if text else ""
    return f"# {goal}\nbefore:{marker}\n{_block(before)}after:{marker}\n{_block(after)}"


def evolve(
    goal: str, before: str, after: str, instead: str, *, text: bool = False
) -> tuple[str, str]:
    """(example, instead) for one goal: `before` evolved to `after`, or compatibly to `instead`."""
    return pair(goal, before, after, text=text), pair(goal, before, instead, text=text)
