"""Confluent Schema Registry's JSON Schema diff (json-schema-provider `SchemaDiff`), in Python.

`diff(original, update)` lists the differences from the schema data was written with
(`original`, the writer) to the schema that reads it (`update`, the reader), as Confluent's
`Difference.Type` names with Confluent's paths (`#/properties/price`). The update can read
everything the original accepts exactly when every difference is in `COMPATIBLE_CHANGES`
(Confluent's default strict policy). BACKWARD checks diff(previous, new); FORWARD diff(new,
previous).

Beside Confluent's change types this diff reports a few warnings (see `WARNING_CODES`): changes
Confluent's rules accept although some data valid under the writer's schema fails the reader's.
They never change the verdict.

Cycles: a pair of schemas met again while it is still being compared counts as compatible
unless an earlier pass proved it incompatible; passes repeat until that guess holds (Confluent's
`Context.compareMemoized` with its fixed point), and each finished pair is remembered, so
recursive `$ref`s terminate in polynomial time and shared definitions are compared once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional

from ..pointer import escape_token, pointer_of
from .jsonschema_nodes import (
    COMBINATORS,
    CONDITIONAL_KEYWORDS,
    SchemaNode,
    dereference,
    value_key,
)
from .pattern_matches import matches
from .schema_sets import provably_disjoint

# Confluent's SchemaDiff.COMPATIBLE_CHANGES (strict policy), plus the unevaluated*/contains
# relaxations its newer diff reports, which loosen a constraint the same way.
CONFLUENT_COMPATIBLE_CHANGES = frozenset(
    [
        "ID_CHANGED",
        "DESCRIPTION_CHANGED",
        "TITLE_CHANGED",
        "DEFAULT_CHANGED",
        "SCHEMA_REMOVED",
        "TYPE_EXTENDED",
        "MAX_LENGTH_INCREASED",
        "MAX_LENGTH_REMOVED",
        "MIN_LENGTH_DECREASED",
        "MIN_LENGTH_REMOVED",
        "PATTERN_REMOVED",
        "MAXIMUM_INCREASED",
        "MAXIMUM_REMOVED",
        "MINIMUM_DECREASED",
        "MINIMUM_REMOVED",
        "EXCLUSIVE_MAXIMUM_INCREASED",
        "EXCLUSIVE_MAXIMUM_REMOVED",
        "EXCLUSIVE_MINIMUM_DECREASED",
        "EXCLUSIVE_MINIMUM_REMOVED",
        "MULTIPLE_OF_REDUCED",
        "MULTIPLE_OF_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "REQUIRED_ATTRIBUTE_REMOVED",
        "DEPENDENCY_ARRAY_NARROWED",
        "DEPENDENCY_ARRAY_REMOVED",
        "DEPENDENCY_SCHEMA_REMOVED",
        "MAX_PROPERTIES_INCREASED",
        "MAX_PROPERTIES_REMOVED",
        "MIN_PROPERTIES_DECREASED",
        "MIN_PROPERTIES_REMOVED",
        "ADDITIONAL_PROPERTIES_ADDED",
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "UNEVALUATED_PROPERTIES_ADDED",
        "UNEVALUATED_PROPERTIES_EXTENDED",
        "MAX_ITEMS_INCREASED",
        "MAX_ITEMS_REMOVED",
        "MIN_ITEMS_DECREASED",
        "MIN_ITEMS_REMOVED",
        "MAX_CONTAINS_INCREASED",
        "MAX_CONTAINS_REMOVED",
        "MIN_CONTAINS_DECREASED",
        "MIN_CONTAINS_REMOVED",
        "UNIQUE_ITEMS_REMOVED",
        "ADDITIONAL_ITEMS_ADDED",
        "ADDITIONAL_ITEMS_EXTENDED",
        "UNEVALUATED_ITEMS_ADDED",
        "UNEVALUATED_ITEMS_EXTENDED",
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ENUM_ARRAY_EXTENDED",
        "COMBINED_TYPE_EXTENDED",
        "PRODUCT_TYPE_NARROWED",
        "SUM_TYPE_EXTENDED",
        "NOT_TYPE_NARROWED",
    ]
)

# grimoire's own change types: accepted by Confluent's rules (they would report nothing, or a
# compatible change), yet some data the writer's schema allows fails the reader's. Two of
# Confluent's compatible types are reported as warnings for the same reason (see changes.py).
WARNING_CODES = frozenset(
    (
        "REQUIRED_UNDECLARED_PROPERTY_ADDED",
        "PATTERN_PROPERTIES_CHANGED",
        "PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES",
        "ONE_OF_BRANCHES_MAY_OVERLAP",
        "DECIMAL_ENCODING_CHANGED",
        "CONSTRAINT_NOT_COMPARED",
        "TYPE_KEYWORD_ADDED",
    )
)
COMPATIBLE_CHANGES = CONFLUENT_COMPATIBLE_CHANGES | WARNING_CODES
ANNOTATION_CHANGES = frozenset(
    ("ID_CHANGED", "TITLE_CHANGED", "DESCRIPTION_CHANGED", "DEFAULT_CHANGED")
)
ANNOTATION_KEYWORDS = frozenset(("title", "description", "$comment", "examples"))


@dataclass(frozen=True)
class Difference:
    """One difference: Confluent's type name, Confluent's path, and where it is in each file.

    `original_pointer` / `update_pointer` are JSON pointers into the writer's and the reader's
    documents ('' is the root; None when the thing is absent on that side).
    """

    code: str
    path: str
    original_pointer: Optional[str]
    update_pointer: Optional[str]
    detail: str = ""

    @property
    def compatible(self) -> bool:
        return self.code in COMPATIBLE_CHANGES


# Internally a difference is a tuple with its path as a linked list of segments from the
# outermost down (prepending a segment is O(1) however deep the schema):
# (code, path_segments, original_pointer, update_pointer, detail)
_Raw = tuple


def _prefix(segment: str, differences: Iterable[_Raw]) -> list[_Raw]:
    return [(d[0], (segment, d[1]), d[2], d[3], d[4]) for d in differences]


def _all_compatible(differences: Iterable[_Raw]) -> bool:
    return all(d[0] in COMPATIBLE_CHANGES for d in differences)


def _path_text(segments: Any) -> str:
    parts = []
    while segments is not None:
        parts.append(segments[0])
        segments = segments[1]
    return "#/" + "/".join(parts)


def _join(pointer: Optional[str], *tokens: object) -> Optional[str]:
    if pointer is None:
        return None
    return pointer + pointer_of(tokens)


def _keyword_pointer(node: SchemaNode, keyword: str) -> str:
    if isinstance(node.raw, dict) and keyword in node.raw:
        return f"{node.pointer}/{keyword}"
    return node.pointer


def describe_node(node: SchemaNode) -> str:
    """A short name for what a schema accepts: 'string', 'integer', 'oneOf', 'enum', 'any'."""
    node = dereference(node)
    if node.kind == "number":
        return "integer" if node.get("requires_integer") else "number"
    if node.kind == "combined":
        if node.get("type_list"):
            return "|".join(describe_node(s) for s in node.get("subschemas"))
        if node.get("synthetic"):
            # Keywords of several kinds in one object, e.g. "string+enum".
            return "+".join(describe_node(s) for s in node.get("subschemas"))
        return node.get("criterion")
    return {"empty": "any", "true": "any", "false": "nothing", "ref": "$ref"}.get(
        node.kind, node.kind
    )


def _limit_text(old: Any, new: Any) -> str:
    return f"{old} -> {new}"


def _values_text(keys: Iterable[Any], limit: int = 5) -> str:
    shown = sorted(repr(k[1]) if k[0] != "null" else "null" for k in keys)
    text = ", ".join(shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


class JsonSchemaDiff:
    """One comparison of a writer's schema (`original`) with a reader's (`update`).

    Recursive schemas are compared as a greatest fixed point, in passes (as Confluent's
    `SchemaDiff.compare` does). Within a pass every pair of schemas is compared once; a pair
    met again while it is still being compared is assumed compatible unless an earlier pass
    found it incompatible, in which case its differences are used. A pass that assumed
    something and found pairs incompatible that it had not been told about runs again with
    them, so an optimistic guess never masks an incompatibility deeper in the recursion. The
    set of known incompatible pairs only grows, so the passes end; pairs whose result relied on
    no guess are kept between passes, so each pass costs at most one comparison per pair.
    """

    def __init__(self) -> None:
        self._exact: dict[tuple[int, int], list[_Raw]] = {}
        self._guessed: dict[tuple[int, int], list[_Raw]] = {}
        self._known_incompatible: dict[tuple[int, int], list[_Raw]] = {}
        self._in_progress: set[tuple[int, int]] = set()
        self._relies_on_guess: list[bool] = []
        self._guess_made = False
        self._shapes: dict[int, str] = {}
        self.passes = 0

    def differences(self, original: SchemaNode, update: SchemaNode) -> list[Difference]:
        """Every difference, in Confluent's order, with Confluent's paths."""
        return [
            Difference(code, _path_text(path), o, u, detail)
            for code, path, o, u, detail in self.compare_to_fixed_point(original, update)
        ]

    def compare_to_fixed_point(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        """`compare`, repeated until no pass relies on a guess that later proved wrong."""
        while True:
            self.passes += 1
            self._guessed = {}
            self._guess_made = False
            result = self.compare(original, update)
            found = {key: sub for key, sub in self._guessed.items() if not _all_compatible(sub)}
            if not self._guess_made or found.keys() <= self._known_incompatible.keys():
                return result
            self._known_incompatible.update(found)

    # The dispatcher: SchemaDiff.compare ---------------------------------------------------

    def compare(self, original: Optional[SchemaNode], update: Optional[SchemaNode]) -> list[_Raw]:
        if original is None and update is None:
            return []
        if original is None:
            return [("SCHEMA_ADDED", None, None, update.pointer, "")]
        if update is None:
            return [("SCHEMA_REMOVED", None, original.pointer, None, "")]
        original, update = dereference(original), dereference(update)
        key = (id(original), id(update))
        exact = self._exact.get(key)
        if exact is not None:
            return exact
        guessed = self._guessed.get(key)
        if guessed is not None:
            self._mark_guess()
            return guessed
        if key in self._in_progress:
            self._mark_guess()
            known = self._known_incompatible.get(key)
            if known is not None:
                return known
            self._guess_made = True
            return []
        self._in_progress.add(key)
        self._relies_on_guess.append(False)
        try:
            result = self._compare(original, update)
        finally:
            self._in_progress.discard(key)
            relied = self._relies_on_guess.pop()
        if relied:
            self._guessed[key] = result
            self._mark_guess()
        else:
            self._exact[key] = result
        return result

    def _mark_guess(self) -> None:
        if self._relies_on_guess:
            self._relies_on_guess[-1] = True

    def _compare(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        result = self._compare_combined_shapes(original, update)
        if result is None:
            result = self._compare_same_shape(original, update)
        if update.kind == "combined" and update.get("criterion") == "oneOf":
            warning = self._one_of_overlap(original, update, result)
            if warning is not None:
                result = result + [warning]
        return result

    def _compare_combined_shapes(
        self, original: SchemaNode, update: SchemaNode
    ) -> Optional[list[_Raw]]:
        """A plain schema becoming a union, or a one-branch union becoming plain."""
        if original.kind != "combined" and update.kind == "combined":
            branches = update.get("subschemas")
            if len(branches) == 1:
                sub = self.compare(original, branches[0])
                if _all_compatible(sub):
                    return list(sub)
            elif update.get("criterion") in ("anyOf", "oneOf"):
                sub = self._closest_compatible(self.compare(original, b) for b in branches)
                if sub is not None:
                    extended = ("SUM_TYPE_EXTENDED", None, original.pointer, update.pointer, "")
                    return sub + [extended]
            elif update.get("synthetic") and update.get("criterion") == "allOf":
                return self._conditional_beside(original, update)
        elif original.kind == "combined" and update.kind != "combined":
            branches = original.get("subschemas")
            if len(branches) == 1:
                sub = self.compare(branches[0], update)
                if _all_compatible(sub):
                    return list(sub)
            elif original.get("criterion") == "allOf":
                # Dropping parts of an allOf only widens it: `{"type": "string", "enum": [..]}`
                # (an allOf of a string and an enum) read as `{"type": "string"}`.
                sub = self._closest_compatible(self.compare(b, update) for b in branches)
                if sub is not None:
                    narrowed = ("PRODUCT_TYPE_NARROWED", None, original.pointer, update.pointer, "")
                    return sub + [narrowed]
        return None

    @staticmethod
    def _closest_compatible(comparisons: Iterable[list[_Raw]]) -> Optional[list[_Raw]]:
        """The compatible comparison with the fewest warnings, then differences; the first of
        equals. Confluent takes the first compatible branch; any one proves the verdict, and
        a closer one spares a warning about a branch the data never needed."""
        best: Optional[list[_Raw]] = None
        for sub in comparisons:
            if _all_compatible(sub) and (best is None or _distance(sub) < _distance(best)):
                best = list(sub)
                if not best:
                    break
        return best

    def _conditional_beside(self, original: SchemaNode, update: SchemaNode) -> Optional[list[_Raw]]:
        """`if`/`then`/`else` added beside the keywords of a plain schema.

        everit reads the update as an allOf of the old kind of schema and a conditional one,
        which Confluent's SchemaDiff calls a TYPE_CHANGED. What happened is that the allOf
        gained a part the writer's data may not satisfy: PRODUCT_TYPE_EXTENDED, Confluent's
        name for the same edit when the old schema was already an allOf (also incompatible).
        """
        parts = update.get("subschemas")
        rest = [part for part in parts if part.kind != "conditional"]
        if len(rest) != 1 or len(parts) == 1:
            return None
        return self.compare(original, rest[0]) + [_conditional_added(original, update)]

    def _compare_same_shape(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        if original.kind != update.kind:
            if original.kind == "false" or update.empty_like:
                return []
            if original.empty_like and update.kind == "conditional":
                return [_conditional_added(original, update)]
            if self._decimal_encoding(original, update):
                return [
                    (
                        "DECIMAL_ENCODING_CHANGED",
                        None,
                        _keyword_pointer(original, "type"),
                        _keyword_pointer(update, "type"),
                        _limit_text(describe_node(original), describe_node(update)),
                    )
                ]
            return [
                (
                    "TYPE_CHANGED",
                    None,
                    _keyword_pointer(original, "type"),
                    _keyword_pointer(update, "type"),
                    _limit_text(describe_node(original), describe_node(update)),
                )
            ]
        found: list[_Raw] = []
        o, u = original.pointer, update.pointer
        if original.schema_id != update.schema_id:
            found.append(("ID_CHANGED", None, o, u, ""))
        if original.title != update.title:
            found.append(("TITLE_CHANGED", None, o, u, ""))
        if original.description != update.description:
            found.append(("DESCRIPTION_CHANGED", None, o, u, ""))
        if original.default != update.default:
            found.append(("DEFAULT_CHANGED", None, o, u, ""))
        compare_kind = getattr(self, f"_compare_{original.kind}", None)
        if compare_kind is not None:
            found.extend(compare_kind(original, update))
        if original.get("typed") is False and update.get("typed"):
            # Confluent compares the schema classes only: `{"maxLength": 3}` accepted numbers
            # too, `{"type": "string", "maxLength": 3}` does not.
            found.append(
                (
                    "TYPE_KEYWORD_ADDED",
                    None,
                    o,
                    _keyword_pointer(update, "type"),
                    f"any type -> {describe_node(update)}",
                )
            )
        return found

    @staticmethod
    def _decimal_encoding(original: SchemaNode, update: SchemaNode) -> bool:
        """Kafka Connect writes a Decimal as a number or a string; Confluent accepts either."""
        return (
            original.connect_type == "bytes"
            and update.connect_type == "bytes"
            and {original.kind, update.kind} == {"string", "number"}
        )

    # Keyword limits -----------------------------------------------------------------------

    @staticmethod
    def _limit(
        original: SchemaNode,
        update: SchemaNode,
        attribute: str,
        keyword: str,
        codes: tuple[str, str, str, str],
    ) -> list[_Raw]:
        """ADDED / REMOVED / INCREASED / DECREASED for a numeric keyword."""
        old, new = original.get(attribute), update.get(attribute)
        if old == new:
            return []
        added, removed, increased, decreased = codes
        if old is None:
            code = added
        elif new is None:
            code = removed
        elif old < new:
            code = increased
        else:
            code = decreased
        return [
            (
                code,
                (keyword, None),
                _keyword_pointer(original, keyword) if old is not None else original.pointer,
                _keyword_pointer(update, keyword) if new is not None else update.pointer,
                _limit_text("none" if old is None else old, "none" if new is None else new),
            )
        ]

    def _compare_string(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found = self._limit(
            original,
            update,
            "max_length",
            "maxLength",
            (
                "MAX_LENGTH_ADDED",
                "MAX_LENGTH_REMOVED",
                "MAX_LENGTH_INCREASED",
                "MAX_LENGTH_DECREASED",
            ),
        )
        found += self._limit(
            original,
            update,
            "min_length",
            "minLength",
            (
                "MIN_LENGTH_ADDED",
                "MIN_LENGTH_REMOVED",
                "MIN_LENGTH_INCREASED",
                "MIN_LENGTH_DECREASED",
            ),
        )
        old, new = original.get("pattern"), update.get("pattern")
        code = None
        if old is None and new is not None:
            code = "PATTERN_ADDED"
        elif old is not None and new is None:
            code = "PATTERN_REMOVED"
        elif old != new:
            code = "PATTERN_CHANGED"
        if code is not None:
            found.append(
                (
                    code,
                    ("pattern", None),
                    _keyword_pointer(original, "pattern"),
                    _keyword_pointer(update, "pattern"),
                    _limit_text(old, new),
                )
            )
        return found

    def _compare_number(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found = []
        for attribute, keyword, stem in (
            ("maximum", "maximum", "MAXIMUM"),
            ("minimum", "minimum", "MINIMUM"),
            ("exclusive_maximum", "exclusiveMaximum", "EXCLUSIVE_MAXIMUM"),
            ("exclusive_minimum", "exclusiveMinimum", "EXCLUSIVE_MINIMUM"),
        ):
            found += self._limit(
                original,
                update,
                attribute,
                keyword,
                (f"{stem}_ADDED", f"{stem}_REMOVED", f"{stem}_INCREASED", f"{stem}_DECREASED"),
            )
        old, new = original.get("multiple_of"), update.get("multiple_of")
        if old != new:
            if old is None:
                code = "MULTIPLE_OF_ADDED"
            elif new is None:
                code = "MULTIPLE_OF_REMOVED"
            else:
                old_exact, new_exact = Fraction(str(old)), Fraction(str(new))
                if new_exact % old_exact == 0:
                    code = "MULTIPLE_OF_EXPANDED"
                elif old_exact % new_exact == 0:
                    code = "MULTIPLE_OF_REDUCED"
                else:
                    code = "MULTIPLE_OF_CHANGED"
            found.append(
                (
                    code,
                    ("multipleOf", None),
                    _keyword_pointer(original, "multipleOf"),
                    _keyword_pointer(update, "multipleOf"),
                    _limit_text(old, new),
                )
            )
        if original.get("requires_integer") != update.get("requires_integer"):
            code = "TYPE_EXTENDED" if original.get("requires_integer") else "TYPE_NARROWED"
            found.append(
                (
                    code,
                    None,
                    _keyword_pointer(original, "type"),
                    _keyword_pointer(update, "type"),
                    _limit_text(describe_node(original), describe_node(update)),
                )
            )
        return found

    def _compare_enum(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        old, new = original.get("values"), update.get("values")
        if old == new:
            return []
        if new >= old:
            code, detail = "ENUM_ARRAY_EXTENDED", f"added {_values_text(new - old)}"
        elif old >= new:
            code, detail = "ENUM_ARRAY_NARROWED", f"removed {_values_text(old - new)}"
        else:
            code = "ENUM_ARRAY_CHANGED"
            detail = f"removed {_values_text(old - new)}; added {_values_text(new - old)}"
        return [
            (
                code,
                ("enum", None),
                _keyword_pointer(original, "enum"),
                _keyword_pointer(update, "enum"),
                detail,
            )
        ]

    def _compare_const(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        old, new = original.get("value"), update.get("value")
        if old == new:
            return []
        return [
            (
                "ENUM_ARRAY_CHANGED",
                ("const", None),
                _keyword_pointer(original, "const"),
                _keyword_pointer(update, "const"),
                _limit_text(_values_text([old]), _values_text([new])),
            )
        ]

    def _compare_not(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        # What the update forbids must be part of what the original forbade: compare reversed.
        sub = self.compare(update.get("must_not"), original.get("must_not"))
        code = "NOT_TYPE_NARROWED" if _all_compatible(sub) else "NOT_TYPE_EXTENDED"
        where = (f"{original.pointer}/not", f"{update.pointer}/not")
        found = [(code, ("not", None), *where, "")]
        doubts = sorted({d[0] for d in sub if d[0] in WARNING_CODES})
        if code == "NOT_TYPE_NARROWED" and doubts:
            found.append(
                (
                    "CONSTRAINT_NOT_COMPARED",
                    ("not", None),
                    *where,
                    "the `not` schema may now forbid more: " + ", ".join(doubts),
                )
            )
        return found

    def _compare_conditional(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        old = {k: original.raw.get(k) for k in ("if", "then", "else")}
        new = {k: update.raw.get(k) for k in ("if", "then", "else")}
        if value_key(old) == value_key(new):
            return []
        return [
            (
                "CONSTRAINT_NOT_COMPARED",
                None,
                original.pointer,
                update.pointer,
                "if/then/else changed; Confluent's rules do not compare conditional schemas",
            )
        ]

    # Objects: ObjectSchemaDiff ------------------------------------------------------------

    @staticmethod
    def _is_open_object(node: SchemaNode) -> bool:
        unevaluated = node.get("unevaluated")
        return (
            not node.get("patterns")
            and node.get("permits_additional")
            and node.get("additional") is None
            and (unevaluated is None or dereference(unevaluated).empty_like)
        )

    @staticmethod
    def _partial_schema(node: SchemaNode, name: str) -> Optional[SchemaNode]:
        """The schema a partially open object gives a property it does not declare."""
        for pattern, compiled, schema in node.get("patterns"):
            if matches(pattern, compiled, name):
                return schema
        if node.get("additional") is not None:
            return node.get("additional")
        return _open_by_unevaluated(node)

    def _compare_object(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found = self._compare_required(original, update)
        found += self._compare_properties(original, update)
        found += self._compare_dependencies(original, update)
        found += self._compare_additional(original, update, "additionalProperties", "PROPERTIES")
        found += self._compare_unevaluated(
            original, update, "unevaluatedProperties", "UNEVALUATED_PROPERTIES"
        )
        found += self._limit(
            original,
            update,
            "max_properties",
            "maxProperties",
            (
                "MAX_PROPERTIES_ADDED",
                "MAX_PROPERTIES_REMOVED",
                "MAX_PROPERTIES_INCREASED",
                "MAX_PROPERTIES_DECREASED",
            ),
        )
        found += self._limit(
            original,
            update,
            "min_properties",
            "minProperties",
            (
                "MIN_PROPERTIES_ADDED",
                "MIN_PROPERTIES_REMOVED",
                "MIN_PROPERTIES_INCREASED",
                "MIN_PROPERTIES_DECREASED",
            ),
        )
        found += self._undeclared_required(original, update)
        found += self._pattern_properties(original, update)
        if value_key(_raw_keyword(original, "propertyNames")) != value_key(
            _raw_keyword(update, "propertyNames")
        ):
            found.append(
                (
                    "CONSTRAINT_NOT_COMPARED",
                    ("propertyNames", None),
                    _keyword_pointer(original, "propertyNames"),
                    _keyword_pointer(update, "propertyNames"),
                    "propertyNames changed; Confluent's rules do not compare it",
                )
            )
        return found

    def _compare_required(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found = []
        old_required, new_required = original.get("required_set"), update.get("required_set")
        new_properties = update.get("properties")
        for name in original.get("properties"):
            if name not in new_properties:
                continue
            was, now = name in old_required, name in new_required
            if was == now:
                continue
            if was:
                code = "REQUIRED_ATTRIBUTE_REMOVED"
            elif dereference(new_properties[name]).has_default:
                code = "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
            else:
                code = "REQUIRED_ATTRIBUTE_ADDED"
            found.append(
                (
                    code,
                    ("required", (escape_token(name), None)),
                    _required_pointer(original, name),
                    _required_pointer(update, name),
                    "",
                )
            )
        return found

    def _compare_properties(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found: list[_Raw] = []
        old_properties, new_properties = original.get("properties"), update.get("properties")
        names = list(old_properties) + [n for n in new_properties if n not in old_properties]
        for name in names:
            segment = f"properties/{escape_token(name)}"
            old, new = old_properties.get(name), new_properties.get(name)
            if new is None:
                found += _prefix(segment, self._property_removed(original, update, name, old))
            elif old is None:
                found += _prefix(segment, self._property_added(original, update, name, new))
            else:
                found += _prefix(segment, self.compare(old, new))
        return found

    def _property_removed(
        self, original: SchemaNode, update: SchemaNode, name: str, old: SchemaNode
    ) -> list[_Raw]:
        return self._member_removed(
            "PROPERTY",
            self._is_open_object(update),
            lambda: self._partial_schema(update, name),
            update,
            old,
        )

    def _member_removed(
        self,
        member: str,
        update_is_open: bool,
        partial_of_update: Callable[[], SchemaNode | None],
        update: SchemaNode,
        old: SchemaNode,
    ) -> list[_Raw]:
        """A property (member PROPERTY) or tuple item (ITEM) the update no longer declares."""
        where = (old.pointer, update.pointer)
        if update_is_open:
            return [(f"{member}_REMOVED_FROM_OPEN_CONTENT_MODEL", None, *where, "")]
        partial = partial_of_update()
        if partial is not None:
            return self._partial_coverage(f"{member}_REMOVED", old, partial, old, partial)
        if old.kind == "false":
            return [(f"{member}_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", None, *where, "")]
        return [(f"{member}_REMOVED_FROM_CLOSED_CONTENT_MODEL", None, *where, "")]

    def _partial_coverage(
        self,
        change: str,
        original: SchemaNode,
        update: SchemaNode,
        at_old: SchemaNode,
        at_new: SchemaNode,
    ) -> list[_Raw]:
        """The comparison with a partially open model's schema for the member, then whether
        that schema covers the change (`{change}_IS_COVERED_...` or `_NOT_COVERED_...`)."""
        sub = self.compare(original, update)
        coverage = "IS_COVERED" if _all_compatible(sub) else "NOT_COVERED"
        code = f"{change}_{coverage}_BY_PARTIALLY_OPEN_CONTENT_MODEL"
        return [*sub, (code, None, at_old.pointer, at_new.pointer, "")]

    def _property_added(
        self, original: SchemaNode, update: SchemaNode, name: str, new: SchemaNode
    ) -> list[_Raw]:
        where = (original.pointer, new.pointer)
        required = name in update.get("required_set")
        with_default = dereference(new).has_default
        if self._is_open_object(original):
            if new.empty_like:
                return [
                    ("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", None, *where, "")
                ]
            if not required:
                code = "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
            elif with_default:
                code = "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
            else:
                code = "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
            return [(code, None, *where, "")]
        found: list[_Raw] = []
        partial = self._partial_schema(original, name)
        if partial is not None:
            found += self._partial_coverage("PROPERTY_ADDED", partial, new, partial, new)
        elif (
            original.get("permits_additional")
            and original.get("unevaluated") is None
            and not dereference(new).empty_like
        ):
            # Open apart from its patternProperties: the name was free to hold any value, which
            # only a schema that accepts anything (`{}`, `true`) still takes.
            found.append(("PROPERTY_ADDED_BESIDE_PATTERN_PROPERTIES", None, *where, ""))
        if not required:
            found.append(("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", None, *where, ""))
        elif with_default:
            found.append(
                ("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", None, *where, "")
            )
        else:
            found.append(("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", None, *where, ""))
        return found

    def _compare_dependencies(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found: list[_Raw] = []
        old_arrays, new_arrays = (
            original.get("property_dependencies"),
            update.get("property_dependencies"),
        )
        for name in list(old_arrays) + [n for n in new_arrays if n not in old_arrays]:
            path = ("dependencies", (escape_token(name), None))
            old, new = old_arrays.get(name), new_arrays.get(name)
            if new is None:
                found.append(("DEPENDENCY_ARRAY_REMOVED", path, old[1], update.pointer, ""))
            elif old is None:
                found.append(("DEPENDENCY_ARRAY_ADDED", path, original.pointer, new[1], ""))
            elif old[0] != new[0]:
                if new[0] >= old[0]:
                    code = "DEPENDENCY_ARRAY_EXTENDED"
                elif old[0] >= new[0]:
                    code = "DEPENDENCY_ARRAY_NARROWED"
                else:
                    code = "DEPENDENCY_ARRAY_CHANGED"
                found.append((code, path, old[1], new[1], ""))
        old_schemas, new_schemas = (
            original.get("schema_dependencies"),
            update.get("schema_dependencies"),
        )
        for name in list(old_schemas) + [n for n in new_schemas if n not in old_schemas]:
            segment = f"dependencies/{escape_token(name)}"
            old, new = old_schemas.get(name), new_schemas.get(name)
            if new is None:
                found.append(
                    ("DEPENDENCY_SCHEMA_REMOVED", (segment, None), old.pointer, update.pointer, "")
                )
            elif old is None:
                found.append(
                    ("DEPENDENCY_SCHEMA_ADDED", (segment, None), original.pointer, new.pointer, "")
                )
            else:
                found += _prefix(segment, self.compare(old, new))
        return found

    def _compare_additional(
        self, original: SchemaNode, update: SchemaNode, keyword: str, noun: str
    ) -> list[_Raw]:
        """additionalProperties / additionalItems: `noun` is PROPERTIES or ITEMS."""
        path = (keyword, None)
        where = (_keyword_pointer(original, keyword), _keyword_pointer(update, keyword))
        old_permits, new_permits = (
            original.get("permits_additional"),
            update.get("permits_additional"),
        )
        old, new = original.get("additional"), update.get("additional")
        if old_permits != new_permits:
            code = f"ADDITIONAL_{noun}_ADDED" if new_permits else f"ADDITIONAL_{noun}_REMOVED"
            return [(code, path, *where, "")]
        if old is None and new is not None:
            return [(f"ADDITIONAL_{noun}_NARROWED", path, *where, "")]
        if new is None and old is not None:
            return [(f"ADDITIONAL_{noun}_EXTENDED", path, *where, "")]
        return _prefix(keyword, self.compare(old, new))

    def _compare_unevaluated(
        self, original: SchemaNode, update: SchemaNode, keyword: str, stem: str
    ) -> list[_Raw]:
        old, new = original.get("unevaluated"), update.get("unevaluated")
        if old is None and new is None:
            return []
        path = (keyword, None)
        where = (_keyword_pointer(original, keyword), _keyword_pointer(update, keyword))
        old_kind = None if old is None else dereference(old)
        new_kind = None if new is None else dereference(new)
        if old_kind is None:
            code = f"{stem}_REMOVED" if new_kind.kind == "false" else f"{stem}_NARROWED"
        elif new_kind is None:
            code = f"{stem}_ADDED" if old_kind.kind == "false" else f"{stem}_EXTENDED"
        elif old_kind.kind == "false" and new_kind.kind != "false":
            code = f"{stem}_ADDED"
        elif old_kind.kind != "false" and new_kind.kind == "false":
            code = f"{stem}_REMOVED"
        elif old_kind.empty_like and not new_kind.empty_like:
            code = f"{stem}_NARROWED"
        elif not old_kind.empty_like and new_kind.empty_like:
            code = f"{stem}_EXTENDED"
        else:
            return _prefix(keyword, self.compare(old, new))
        return [(code, path, *where, "")]

    def _undeclared_required(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        """Names newly required that no compared property covers (Confluent ignores them)."""
        found = []
        new_properties = update.get("properties")
        for name in update.get("required"):
            if name in original.get("required_set") or name in new_properties:
                continue
            found.append(
                (
                    "REQUIRED_UNDECLARED_PROPERTY_ADDED",
                    ("required", (escape_token(name), None)),
                    _keyword_pointer(original, "required"),
                    _required_pointer(update, name),
                    "",
                )
            )
        return found

    def _pattern_properties(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        """Confluent never compares patternProperties schemas; warn unless provably safe."""
        old = {pattern: schema for pattern, _, schema in original.get("patterns")}
        new = {pattern: schema for pattern, _, schema in update.get("patterns")}
        if not old and not new:
            return []
        problems = []
        for pattern, schema in old.items():
            if pattern not in new:
                problems.append(f"'{pattern}' removed")
            elif not _all_compatible(self.compare(schema, new[pattern])):
                problems.append(f"'{pattern}' narrowed")
        if self._is_open_object(original) or original.get("permits_additional"):
            problems += [f"'{pattern}' added" for pattern in new if pattern not in old]
        if not problems:
            return []
        return [
            (
                "PATTERN_PROPERTIES_CHANGED",
                ("patternProperties", None),
                _keyword_pointer(original, "patternProperties"),
                _keyword_pointer(update, "patternProperties"),
                "; ".join(problems),
            )
        ]

    # Arrays: ArraySchemaDiff --------------------------------------------------------------

    @staticmethod
    def _is_open_array(node: SchemaNode) -> bool:
        unevaluated = node.get("unevaluated")
        return (
            node.get("permits_additional")
            and node.get("additional") is None
            and (unevaluated is None or dereference(unevaluated).empty_like)
        )

    @staticmethod
    def _partial_items(node: SchemaNode) -> Optional[SchemaNode]:
        if node.get("additional") is not None:
            return node.get("additional")
        return _open_by_unevaluated(node)

    def _compare_array(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found = _prefix("items", self.compare(original.get("all_items"), update.get("all_items")))
        found += self._compare_item_list(original, update)
        found += self._compare_additional(original, update, "additionalItems", "ITEMS")
        found += self._compare_unevaluated(
            original, update, "unevaluatedItems", "UNEVALUATED_ITEMS"
        )
        found += self._limit(
            original,
            update,
            "max_items",
            "maxItems",
            ("MAX_ITEMS_ADDED", "MAX_ITEMS_REMOVED", "MAX_ITEMS_INCREASED", "MAX_ITEMS_DECREASED"),
        )
        found += self._limit(
            original,
            update,
            "min_items",
            "minItems",
            ("MIN_ITEMS_ADDED", "MIN_ITEMS_REMOVED", "MIN_ITEMS_INCREASED", "MIN_ITEMS_DECREASED"),
        )
        if original.get("unique_items") != update.get("unique_items"):
            code = "UNIQUE_ITEMS_REMOVED" if original.get("unique_items") else "UNIQUE_ITEMS_ADDED"
            found.append(
                (
                    code,
                    ("uniqueItems", None),
                    _keyword_pointer(original, "uniqueItems"),
                    _keyword_pointer(update, "uniqueItems"),
                    "",
                )
            )
        for attribute, keyword, stem in (
            ("max_contains", "maxContains", "MAX_CONTAINS"),
            ("min_contains", "minContains", "MIN_CONTAINS"),
        ):
            found += self._limit(
                original,
                update,
                attribute,
                keyword,
                (f"{stem}_ADDED", f"{stem}_REMOVED", f"{stem}_INCREASED", f"{stem}_DECREASED"),
            )
        if value_key(_raw_keyword(original, "contains")) != value_key(
            _raw_keyword(update, "contains")
        ):
            found.append(
                (
                    "CONSTRAINT_NOT_COMPARED",
                    ("contains", None),
                    _keyword_pointer(original, "contains"),
                    _keyword_pointer(update, "contains"),
                    "contains changed; Confluent's rules do not compare it",
                )
            )
        return found

    def _compare_item_list(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        old_items = original.get("item_list") or []
        new_items = update.get("item_list") or []
        found: list[_Raw] = []
        for index in range(min(len(old_items), len(new_items))):
            found += _prefix(f"items/{index}", self.compare(old_items[index], new_items[index]))
        for index in range(len(new_items), len(old_items)):
            found += _prefix(f"items/{index}", self._item_removed(update, old_items[index]))
        for index in range(len(old_items), len(new_items)):
            found += _prefix(f"items/{index}", self._item_added(original, new_items[index]))
        return found

    def _item_removed(self, update: SchemaNode, old: SchemaNode) -> list[_Raw]:
        return self._member_removed(
            "ITEM", self._is_open_array(update), lambda: self._partial_items(update), update, old
        )

    def _item_added(self, original: SchemaNode, new: SchemaNode) -> list[_Raw]:
        where = (original.pointer, new.pointer)
        if self._is_open_array(original):
            if new.empty_like:
                return [("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", None, *where, "")]
            return [("ITEM_ADDED_TO_OPEN_CONTENT_MODEL", None, *where, "")]
        partial = self._partial_items(original)
        if partial is not None:
            return self._partial_coverage("ITEM_ADDED", partial, new, partial, new)
        return [("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", None, *where, "")]

    # Unions and intersections: CombinedSchemaDiff -----------------------------------------

    def _compare_combined(self, original: SchemaNode, update: SchemaNode) -> list[_Raw]:
        found: list[_Raw] = []
        old_criterion, new_criterion = original.get("criterion"), update.get("criterion")
        where = (_combined_pointer(original), _combined_pointer(update))
        criteria_change = _criteria_change(original, update)
        if criteria_change is not None:
            found.append((criteria_change, None, *where, f"{old_criterion} -> {new_criterion}"))
            if criteria_change == "COMBINED_TYPE_CHANGED":
                return found
        old_members = _distinct(original.get("subschemas"))
        new_members = _distinct(update.get("subschemas"))
        if len(old_members) < len(new_members):
            code = "PRODUCT_TYPE_EXTENDED" if new_criterion == "allOf" else "SUM_TYPE_EXTENDED"
            detail = f"{len(old_members)} -> {len(new_members)} schemas"
            conditionals = [m for m in new_members if m.kind == "conditional"]
            if (
                code == "PRODUCT_TYPE_EXTENDED"
                and conditionals
                and not any(m.kind == "conditional" for m in old_members)
            ):
                detail = f"{_conditional_keywords(conditionals[0])} added ({detail})"
            found.append((code, None, *where, detail))
        elif len(old_members) > len(new_members):
            code = "PRODUCT_TYPE_NARROWED" if old_criterion == "allOf" else "SUM_TYPE_NARROWED"
            found.append((code, None, *where, f"{len(old_members)} -> {len(new_members)} schemas"))
        results = {
            (i, j): self.compare(old, new)
            for i, old in enumerate(old_members)
            for j, new in enumerate(new_members)
        }
        matching = _closest_matching(results, len(old_members), len(new_members))
        for i, j in sorted(matching.items()):
            found += _prefix(f"{old_criterion}/{i}", results[(i, j)])
        if len(matching) < min(len(old_members), len(new_members)):
            detail = _unmatched_detail(
                old_criterion, new_criterion, old_members, new_members, matching, results
            )
            found.append(("COMBINED_TYPE_SUBSCHEMAS_CHANGED", None, *where, detail))
        return found

    def _shape(self, node: SchemaNode) -> str:
        shape = self._shapes.get(id(node))
        if shape is None:
            shape = self._shapes[id(node)] = _shape(node.raw)
        return shape

    def _one_of_overlap(
        self, original: SchemaNode, update: SchemaNode, found: list[_Raw]
    ) -> Optional[_Raw]:
        """A oneOf rejects data matching two branches: warn when a change may cause that."""
        branches = update.get("subschemas")
        if len(branches) < 2:
            return None
        changed = any(d[0] not in ANNOTATION_CHANGES for d in found) or self._shape(
            original
        ) != self._shape(update)
        if not changed or provably_disjoint(branches):
            return None
        return (
            "ONE_OF_BRANCHES_MAY_OVERLAP",
            None,
            _combined_pointer(original) if original.kind == "combined" else original.pointer,
            _combined_pointer(update),
            "",
        )


def _shape(raw: Any) -> str:
    """A schema's JSON without annotations, to tell real changes from documentation edits.
    The order of allOf/anyOf/oneOf branches is no change either."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: sorted(map(_shape, v)) if k in COMBINATORS and isinstance(v, list) else strip(v)
                for k, v in value.items()
                if not (k in ANNOTATION_KEYWORDS and isinstance(v, (str, list)))
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(raw), sort_keys=True)


def _conditional_added(original: SchemaNode, update: SchemaNode) -> _Raw:
    """PRODUCT_TYPE_EXTENDED for a conditional the update adds (see `_conditional_beside`)."""
    first = next(k for k in CONDITIONAL_KEYWORDS if k in update.raw)
    return (
        "PRODUCT_TYPE_EXTENDED",
        None,
        original.pointer,
        _keyword_pointer(update, first),
        f"{_conditional_keywords(update)} added; Confluent reports TYPE_CHANGED, "
        f"{describe_node(original)} -> {describe_node(update)}",
    )


def _conditional_keywords(node: SchemaNode) -> str:
    """'if/then', 'if/then/else', ...: the conditional keywords a schema object has."""
    return "/".join(k for k in CONDITIONAL_KEYWORDS if k in node.raw)


def _raw_keyword(node: SchemaNode, keyword: str) -> Any:
    return node.raw.get(keyword) if isinstance(node.raw, dict) else None


def _required_pointer(node: SchemaNode, name: str) -> str:
    required = node.get("required") or ()
    if name in required:
        return f"{node.pointer}/required/{required.index(name)}"
    return _keyword_pointer(node, "required")


def _open_by_unevaluated(node: SchemaNode) -> Optional[SchemaNode]:
    """unevaluated* gives the schema of undeclared members when additional* is absent."""
    unevaluated = node.get("unevaluated")
    if (
        node.get("permits_additional")
        and node.get("additional") is None
        and unevaluated is not None
    ):
        target = dereference(unevaluated)
        if target.kind != "false" and not target.empty_like:
            return unevaluated
    return None


def _combined_pointer(node: SchemaNode) -> str:
    if node.get("type_list"):
        return _keyword_pointer(node, "type")
    if node.get("synthetic"):
        return node.pointer
    return _keyword_pointer(node, node.get("criterion"))


def _criteria_change(original: SchemaNode, update: SchemaNode) -> Optional[str]:
    old, new = original.get("criterion"), update.get("criterion")
    if old == new:
        return None
    old_single = len(original.get("subschemas")) == 1
    new_single = len(update.get("subschemas")) == 1
    if (
        new == "anyOf"
        or (old_single and new_single)
        or (old_single and new == "oneOf")
        or (new_single and old == "allOf")
    ):
        return "COMBINED_TYPE_EXTENDED"
    return "COMBINED_TYPE_CHANGED"


def _distinct(members: list[SchemaNode]) -> list[SchemaNode]:
    """Subschemas with duplicates collapsed, first occurrence kept (Confluent uses a set)."""
    seen = set()
    result = []
    for member in members:
        identity = member.identity()
        if identity not in seen:
            seen.add(identity)
            result.append(member)
    return result


def _distance(differences: list[_Raw]) -> int:
    """How far apart two compatible schemas are: warnings first, then any other difference."""
    warnings = sum(1 for d in differences if d[0] in WARNING_CODES)
    return warnings * _WARNING_WEIGHT + len(differences)


# Larger than any count of differences between two subschemas, so one warning outweighs them.
_WARNING_WEIGHT = 1 << 32


def _closest_matching(
    results: dict[tuple[int, int], list[_Raw]], old_count: int, new_count: int
) -> dict[int, int]:
    """Old subschema index -> new: as many compatible pairs as possible (Confluent's maximum
    cardinality matching), and among those the pairs that differ least.

    Confluent accepts any maximum matching, since every pair in it is compatible. Its warnings
    are grimoire's own, and a pair compatible only with a warning must not stand in for an
    identical (or closer) counterpart: an unchanged anyOf whose branches would warn if crossed
    reports nothing, and reordered branches still find each other.
    """
    # Unchanged unions are the common case: pairs without any difference that cover the
    # smaller side are already the best matching.
    identical: dict[int, int] = {}
    for (old, new), sub in results.items():
        if not sub and old not in identical and new not in identical.values():
            identical[old] = new
    if len(identical) == min(old_count, new_count):
        return identical
    edges = {key: _distance(sub) for key, sub in results.items() if _all_compatible(sub)}
    if not edges:
        return {}
    # Each pair left unmatched costs more than all compatible pairs together, so a minimum-cost
    # assignment first matches as many pairs as it can, then the closest ones.
    unmatched = sum(edges.values()) + 1
    transposed = old_count > new_count
    rows, columns = (new_count, old_count) if transposed else (old_count, new_count)
    cost = [
        [
            edges.get((column, row) if transposed else (row, column), unmatched)
            for column in range(columns)
        ]
        for row in range(rows)
    ]
    matching = {}
    for row, column in enumerate(_minimum_cost_assignment(cost)):
        pair = (column, row) if transposed else (row, column)
        if pair in edges:
            matching[pair[0]] = pair[1]
    return matching


def _minimum_cost_assignment(cost: list[list[int]]) -> list[int]:
    """The column for each row minimising the total cost (Hungarian method with potentials,
    O(rows^2 * columns)); needs rows <= columns."""
    rows, columns = len(cost), len(cost[0])
    row_potential = [0] * (rows + 1)
    column_potential = [0] * (columns + 1)
    owner = [0] * (columns + 1)  # 1-based row assigned to each column; column 0 is a sentinel
    previous = [0] * (columns + 1)
    for row in range(1, rows + 1):
        owner[0] = row
        column = 0
        slack = [float("inf")] * (columns + 1)
        used = [False] * (columns + 1)
        while owner[column] != 0:
            used[column] = True
            current_row, delta, next_column = owner[column], float("inf"), 0
            for candidate in range(1, columns + 1):
                if used[candidate]:
                    continue
                reduced = (
                    cost[current_row - 1][candidate - 1]
                    - row_potential[current_row]
                    - column_potential[candidate]
                )
                if reduced < slack[candidate]:
                    slack[candidate], previous[candidate] = reduced, column
                if slack[candidate] < delta:
                    delta, next_column = slack[candidate], candidate
            for candidate in range(columns + 1):
                if used[candidate]:
                    row_potential[owner[candidate]] += delta
                    column_potential[candidate] -= delta
                else:
                    slack[candidate] -= delta
            column = next_column
        while column:
            owner[column] = owner[previous[column]]
            column = previous[column]
    assignment = [0] * rows
    for column in range(1, columns + 1):
        if owner[column]:
            assignment[owner[column] - 1] = column - 1
    return assignment


def _unmatched_detail(
    old_criterion: str,
    new_criterion: str,
    old_members: list[SchemaNode],
    new_members: list[SchemaNode],
    matching: dict[int, int],
    results: dict[tuple[int, int], list[_Raw]],
) -> str:
    """Why branches found no compatible counterpart: each one's closest candidate's problems."""
    notes = []
    for i in range(len(old_members)):
        if i in matching:
            continue
        # The closest candidate: same kind of schema first, then fewest incompatibilities.
        old_kind = dereference(old_members[i]).kind
        candidates = [
            (
                dereference(new_members[j]).kind != old_kind,
                sum(1 for d in results[(i, j)] if d[0] not in COMPATIBLE_CHANGES),
                j,
                results[(i, j)],
            )
            for j in range(len(new_members))
            if (i, j) in results
        ]
        if not candidates:
            continue
        _, _, j, sub = min(candidates, key=lambda c: c[:3])
        problems = [d for d in sub if d[0] not in COMPATIBLE_CHANGES][:3]
        listed = ", ".join(
            f"{d[0]} at {old_criterion}/{i}{_path_text(d[1])[1:].rstrip('/')}" for d in problems
        )
        notes.append(
            f"{old_criterion}/{i} ({describe_node(old_members[i])}) has no compatible "
            f"counterpart; closest is {new_criterion}/{j}: {listed}"
        )
    return "; ".join(notes)


def diff(original: SchemaNode, update: SchemaNode) -> list[Difference]:
    """The differences from a writer's schema to a reader's (Confluent's SchemaDiff.compare)."""
    return JsonSchemaDiff().differences(original, update)


def is_compatible(differences: Iterable[Difference]) -> bool:
    """True when the reader can read everything the writer wrote (strict policy)."""
    return all(d.compatible for d in differences)
