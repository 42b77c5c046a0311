"""Avro schema resolution checks, decided by the official `avro` package's checker.

`avro.compatibility.ReaderWriterCompatibilityChecker` (the Python port of Java's
SchemaCompatibility) gives every verdict. Its result says *that* a pair is incompatible and
lists locations as positions in the reader's schema; to say *where* in terms a developer uses,
`explain` walks the two schemas together and asks the checker about each sub-pair, naming each
incompatibility by its Avro field path (`Order.lines[].price`: `[]` is an array's items, `{}`
a map's values) and JSON pointers into both documents.

A record without `fields` is read as a record with no fields (Avro's Ruby library does this;
the Java and Python parsers refuse the schema outright).
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Optional

from ..errors import InputError
from .changes import Change

NAMED_TYPES = ("record", "error", "enum", "fixed")
KIND_CODES = {
    "name_mismatch": "NAME_MISMATCH",
    "fixed_size_mismatch": "FIXED_SIZE_MISMATCH",
    "missing_enum_symbols": "MISSING_ENUM_SYMBOLS",
    "reader_field_missing_default_value": "READER_FIELD_MISSING_DEFAULT_VALUE",
    "type_mismatch": "TYPE_MISMATCH",
    "missing_union_branch": "MISSING_UNION_BRANCH",
}


class AvroDocument:
    """A parsed Avro schema plus where each named type is defined in its JSON."""

    def __init__(self, raw: Any, shown: str) -> None:
        self.raw = raw
        self.shown = shown
        self.schema = parse_avro(raw, shown)
        self.definitions = _named_definitions(raw)

    def pointer_of(self, schema: Any, fallback: str) -> str:
        fullname = getattr(schema, "fullname", None)
        if schema.type in NAMED_TYPES and fullname in self.definitions:
            return self.definitions[fullname]
        return fallback


def _with_empty_fields(raw: Any) -> Any:
    """A copy of the schema in which every record has a `fields` list."""
    if isinstance(raw, list):
        return [_with_empty_fields(branch) for branch in raw]
    if not isinstance(raw, dict):
        return raw
    copy = dict(raw)
    kind = copy.get("type")
    if kind in ("record", "error"):
        fields = copy.get("fields", [])
        if isinstance(fields, list):
            copy["fields"] = [
                {**field, "type": _with_empty_fields(field.get("type"))}
                if isinstance(field, dict)
                else field
                for field in fields
            ]
        else:
            copy["fields"] = fields
    elif kind == "array" and "items" in copy:
        copy["items"] = _with_empty_fields(copy["items"])
    elif kind == "map" and "values" in copy:
        copy["values"] = _with_empty_fields(copy["values"])
    elif isinstance(kind, (dict, list)):
        copy["type"] = _with_empty_fields(kind)
    return copy


def parse_avro(raw: Any, shown: str) -> Any:
    """Parse with the official `avro` package; InputError with its reason when it refuses."""
    import avro.errors
    import avro.schema

    if not isinstance(raw, (dict, list, str)):
        raise InputError("an Avro schema is a JSON object, array (union) or type name", shown)
    text = json.dumps(_with_empty_fields(raw))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return avro.schema.parse(text)
    except RecursionError:
        raise
    except avro.errors.AvroException as exc:
        raise InputError(f"not a valid Avro schema: {exc}", shown) from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"not a valid Avro schema: {exc}", shown) from None


def _named_definitions(raw: Any) -> dict[str, str]:
    """fullname -> JSON pointer of each named type's definition."""
    found: dict[str, str] = {}
    stack = [(raw, "", "")]
    while stack:
        value, pointer, namespace = stack.pop()
        if isinstance(value, list):
            stack.extend((item, f"{pointer}/{i}", namespace) for i, item in enumerate(value))
            continue
        if not isinstance(value, dict):
            continue
        kind = value.get("type")
        if kind in NAMED_TYPES and isinstance(value.get("name"), str):
            name = value["name"]
            own = value.get("namespace") if isinstance(value.get("namespace"), str) else namespace
            fullname = name if "." in name or not own else f"{own}.{name}"
            found.setdefault(fullname, pointer)
            namespace = fullname.rpartition(".")[0]
        if isinstance(kind, (dict, list)):
            stack.append((kind, f"{pointer}/type", namespace))
        for index, field in enumerate(value.get("fields") or []):
            if isinstance(field, dict):
                stack.append((field.get("type"), f"{pointer}/fields/{index}/type", namespace))
        for keyword in ("items", "values"):
            if keyword in value:
                stack.append((value[keyword], f"{pointer}/{keyword}", namespace))
    return found


def _type_name(schema: Any) -> str:
    name = getattr(schema, "fullname", None)
    return f"{schema.type} {name}" if schema.type in NAMED_TYPES and name else str(schema.type)


class _Explainer:
    def __init__(self, reader: AvroDocument, writer: AvroDocument) -> None:
        from avro.compatibility import ReaderWriterCompatibilityChecker

        self.reader = reader
        self.writer = writer
        self.checker = ReaderWriterCompatibilityChecker()
        self.seen: set[tuple[int, int]] = set()

    def compatible(self, reader: Any, writer: Any) -> bool:
        from avro.compatibility import SchemaCompatibilityType

        result = self.checker.get_compatibility(reader, writer)
        return result.compatibility is not SchemaCompatibilityType.incompatible

    def explain(self, reader: Any, writer: Any, path: str, r_ptr: str, w_ptr: str) -> list[Change]:
        if self.compatible(reader, writer):
            return []
        key = (id(reader), id(writer))
        if key in self.seen:
            return []
        self.seen.add(key)
        r_ptr = self.reader.pointer_of(reader, r_ptr)
        w_ptr = self.writer.pointer_of(writer, w_ptr)
        found = self._explain(reader, writer, path, r_ptr, w_ptr)
        if not found:
            found = [self._checker_says(reader, writer, path, r_ptr, w_ptr)]
        return found

    def _checker_says(self, reader: Any, writer: Any, path: str, r_ptr: str, w_ptr: str) -> Change:
        result = self.checker.get_compatibility(reader, writer)
        kinds = [k.value for k in result.incompatibilities] or ["type_mismatch"]
        detail = "; ".join(sorted(result.messages))
        return Change(KIND_CODES.get(kinds[0], kinds[0].upper()), path, r_ptr, w_ptr, detail)

    def _explain(self, reader: Any, writer: Any, path: str, r_ptr: str, w_ptr: str) -> list[Change]:
        from avro import compatibility as rules

        where = (r_ptr, w_ptr)
        if reader.type == writer.type:
            kind = reader.type
            if kind in ("record", "error"):
                return self._record(reader, writer, path, r_ptr, w_ptr)
            if kind == "array":
                return self.explain(
                    reader.items, writer.items, f"{path}[]", f"{r_ptr}/items", f"{w_ptr}/items"
                )
            if kind == "map":
                return self.explain(
                    reader.values,
                    writer.values,
                    f"{path}{{}}",
                    f"{r_ptr}/values",
                    f"{w_ptr}/values",
                )
            if kind in ("fixed", "enum"):
                found = []
                if not rules.schema_name_equals(reader, writer):
                    found.append(self._name_mismatch(reader, writer, path, where))
                if kind == "fixed" and reader.size != writer.size:
                    found.append(
                        Change(
                            "FIXED_SIZE_MISMATCH",
                            path,
                            f"{r_ptr}/size",
                            f"{w_ptr}/size",
                            f"reader size {reader.size}, writer size {writer.size}",
                        )
                    )
                if kind == "enum":
                    missing = set(writer.symbols) - set(reader.symbols)
                    default = reader.props.get("default")
                    if missing and not (default and default in reader.symbols):
                        found.append(
                            Change(
                                "MISSING_ENUM_SYMBOLS",
                                path,
                                f"{r_ptr}/symbols",
                                f"{w_ptr}/symbols",
                                "the reader lacks " + ", ".join(sorted(missing)),
                            )
                        )
                return found
            if kind == "union":
                return self._union_to_union(reader, writer, path, r_ptr, w_ptr)
        if writer.type == "union":
            found = []
            for index, branch in enumerate(writer.schemas):
                found += self.explain(reader, branch, path, r_ptr, f"{w_ptr}/{index}")
            return found
        if reader.type == "union":
            index = _matching_branch(reader.schemas, writer)
            if index is not None:
                return self.explain(reader.schemas[index], writer, path, f"{r_ptr}/{index}", w_ptr)
            return [
                Change(
                    "MISSING_UNION_BRANCH",
                    path,
                    *where,
                    f"the reader's union has no branch for the writer's {_type_name(writer)}",
                )
            ]
        return [
            Change(
                "TYPE_MISMATCH",
                path,
                *where,
                f"reader {_type_name(reader)}, writer {_type_name(writer)}",
            )
        ]

    def _name_mismatch(self, reader: Any, writer: Any, path: str, where: tuple[str, str]) -> Change:
        return Change(
            "NAME_MISMATCH",
            path,
            f"{where[0]}/name",
            f"{where[1]}/name",
            f"reader {reader.fullname}, writer {writer.fullname}",
        )

    def _record(self, reader: Any, writer: Any, path: str, r_ptr: str, w_ptr: str) -> list[Change]:
        from avro import compatibility as rules

        found = []
        if not rules.schema_name_equals(reader, writer):
            found.append(self._name_mismatch(reader, writer, path, (r_ptr, w_ptr)))
        writer_index = {field.name: i for i, field in enumerate(writer.fields)}
        for index, field in enumerate(reader.fields):
            field_path = f"{path}.{field.name}"
            field_pointer = f"{r_ptr}/fields/{index}"
            written = rules.lookup_writer_field(writer_schema=writer, reader_field=field)
            if written is None:
                if field.has_default:
                    continue
                if field.type.type == "enum" and field.type.props.get("default"):
                    found += self.explain(field.type, writer, field_path, field_pointer, w_ptr)
                    continue
                found.append(
                    Change(
                        "READER_FIELD_MISSING_DEFAULT_VALUE",
                        field_path,
                        field_pointer,
                        w_ptr,
                        f"the writer has no field '{field.name}' and the reader gives no default",
                    )
                )
                continue
            found += self.explain(
                field.type,
                written.type,
                field_path,
                f"{field_pointer}/type",
                f"{w_ptr}/fields/{writer_index[written.name]}/type",
            )
        return found

    def _union_to_union(
        self, reader: Any, writer: Any, path: str, r_ptr: str, w_ptr: str
    ) -> list[Change]:
        found = []
        for index, branch in enumerate(writer.schemas):
            if self.compatible(reader, branch):
                continue
            match = _matching_branch(reader.schemas, branch)
            if match is not None:
                found += self.explain(
                    reader.schemas[match], branch, path, f"{r_ptr}/{match}", f"{w_ptr}/{index}"
                )
            else:
                found.append(
                    Change(
                        "MISSING_UNION_BRANCH",
                        path,
                        r_ptr,
                        f"{w_ptr}/{index}",
                        f"the reader's union has no branch for the writer's {_type_name(branch)}",
                    )
                )
        return found


def _matching_branch(branches: list, writer: Any) -> Optional[int]:
    """The reader union branch a writer's value would resolve to, by type (and name)."""
    for index, branch in enumerate(branches):
        if branch.type != writer.type:
            continue
        if branch.type in NAMED_TYPES and getattr(branch, "name", None) != getattr(
            writer, "name", None
        ):
            continue
        return index
    return None


def root_path(schema: Any) -> str:
    """The path naming a schema's root: its record name, else its type."""
    name = getattr(schema, "name", None)
    if schema.type in NAMED_TYPES and name:
        return name
    return str(schema.type)


def check_avro(reader: AvroDocument, writer: AvroDocument) -> list[Change]:
    """Why `reader` cannot read data written with `writer` (empty when it can)."""
    explainer = _Explainer(reader, writer)
    return explainer.explain(reader.schema, writer.schema, root_path(reader.schema), "", "")


def can_read(reader: AvroDocument, writer: AvroDocument) -> bool:
    """The official checker's verdict alone."""
    return _Explainer(reader, writer).compatible(reader.schema, writer.schema)
