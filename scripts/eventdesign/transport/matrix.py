"""The capability matrix: load transports.yaml (beside this module), validate it, type it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Optional

from ..errors import InputError
from ..model.source import SourceDocument, load_document
from ..pointer import pointer_of

# The matrix ships inside the package (so `pip install .` carries it too); found from this
# file, never from the working directory. references/transport-selection.md is generated from it.
DATA_DIR = Path(__file__).resolve().parent
MATRIX_PATH = DATA_DIR / "transports.yaml"
SCHEMA_PATH = DATA_DIR / "transports.schema.json"

SUPPORT_LEVELS = ("full", "partial", "none")
OPS_BURDENS = ("low", "medium", "high")
# Capacity figures, in the order a sizing reports them.
FIGURE_NAMES = (
    "write_bytes_per_s",
    "write_records_per_s",
    "read_bytes_per_s",
    "consumers_per_group",
    "memory_bytes",
    "deliveries_per_s",
)


class Capability(NamedTuple):
    """How far a transport supports one feature: full, partial or none, and why."""

    support: str
    detail: str


class ManagedOffering(NamedTuple):
    cloud: str
    offering: str
    first_party: bool


class Source(NamedTuple):
    title: str
    url: str
    accessed: str
    covers: tuple[str, ...]


class Figure(NamedTuple):
    """One sourced number. `kind` is 'limit' (a documented quota) or 'planning' (a figure a
    vendor recommends for sizing, which users may override)."""

    name: str
    value: float
    kind: str
    note: str
    source: Source


class CapacityUnit(NamedTuple):
    """What one unit of scale (partition, shard, throughput unit, ordering key) takes."""

    unit: str
    plural: str
    figures: dict[str, Figure]
    key_on_one_unit: bool = False
    max_units: Optional[Figure] = None
    counted_by_partitions: bool = False
    billed_hourly: bool = False
    only_when_ordered: bool = False


class Capacity(NamedTuple):
    """A transport's sizing figures: per unit, per key, per channel, storage and latency."""

    units: tuple[CapacityUnit, ...]
    key: dict[str, Figure]
    channel: dict[str, Figure]
    storage_accounting: str
    storage_copies: Optional[Figure] = None
    in_memory: bool = False
    latency_ms: Optional[Figure] = None


class Transport(NamedTuple):
    """One row of the matrix."""

    id: str
    name: str
    model_transport: str
    kind: str
    summary: str
    self_run: bool
    managed: tuple[ManagedOffering, ...]
    per_key_ordering: str
    global_ordering: str
    ordering_detail: str
    delivery_guarantee: str
    delivery_detail: str
    broker_dedup: Capability
    replay: Capability
    default_retention_days: Optional[float]
    max_retention_days: Optional[float]
    fan_out: Capability
    dead_letter: Capability
    transactions: Capability
    durability: Capability
    throughput_detail: str
    default_message_bytes: Optional[int]
    max_message_bytes: Optional[int]
    message_size_detail: str
    ops_burden: dict[str, str]
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    sources: tuple[Source, ...]
    max_message_attributes: Optional[int] = None
    capacity: Optional[Capacity] = None

    def burden(self, hosting: str) -> str:
        """The operating burden when run as `hosting` ('self_run' or 'managed'); the lighter
        of the two when either will do."""
        if hosting in self.ops_burden:
            return self.ops_burden[hosting]
        return min(self.ops_burden.values(), key=OPS_BURDENS.index)

    def offerings_on(self, cloud: str) -> tuple[ManagedOffering, ...]:
        """Managed offerings usable on `cloud` ('any' accepts every offering)."""
        if cloud == "any":
            return self.managed
        return tuple(m for m in self.managed if m.cloud in (cloud, "any"))


class Matrix(NamedTuple):
    """The whole matrix and where it came from."""

    path: str
    accessed: str
    transports: tuple[Transport, ...]

    def get(self, transport_id: str) -> Optional[Transport]:
        for transport in self.transports:
            if transport.id == transport_id:
                return transport
        return None


def matrix_schema() -> dict:
    """The matrix's JSON Schema, shipped beside the matrix."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_matrix(path: Optional[Path] = None) -> Matrix:
    """Read, validate and type a capability matrix (the bundled one by default)."""
    if path is None or Path(path).resolve() == MATRIX_PATH:
        return _bundled_matrix()
    document = load_document(path)
    _validate(document)
    return build_matrix(document.data, str(path))


@lru_cache(maxsize=1)
def _bundled_matrix() -> Matrix:
    """The bundled matrix: its checked data as the last run kept it (`data_cache`), else read
    and checked now, and kept for the next run."""
    from .. import data_cache, jsonschema_compiler
    from ..model import source

    # Everything that decides the checked data: the matrix, its schema, the code reading them.
    decided_by = [
        MATRIX_PATH,
        SCHEMA_PATH,
        Path(__file__),
        Path(source.__file__),
        Path(jsonschema_compiler.__file__),
    ]
    cache = data_cache.cache_file(data_cache.bytecode_folder(DATA_DIR), "transports", decided_by)
    data = data_cache.load(cache)
    if data is None:
        data = _checked_bundled_data()
        data_cache.store(cache, data)
    return build_matrix(data, str(MATRIX_PATH))


def _checked_bundled_data() -> dict:
    """The bundled matrix's data, the quick way when it is valid: the compiled schema test (a
    few ms); the jsonschema-worded errors only when it is not. grimoire's own reader is used,
    as for any other matrix: it is three times faster than PyYAML's loader (whose constructor
    is Python even with libyaml)."""
    from ..jsonschema_compiler import UnsupportedSchema, compile_schema

    document = load_document(MATRIX_PATH)
    try:
        valid = compile_schema(matrix_schema())(document.data)
    except UnsupportedSchema:
        valid = False
    if not valid or _figure_source_problem(document.data):
        _validate(document)
    return document.data


def _figure_source_problem(data: dict) -> bool:
    for entry in data["transports"]:
        urls = {source["url"] for source in entry["sources"]}
        if any(f["source"] not in urls for _, f in _figures(entry.get("capacity") or {}, ())):
            return True
    return False


def _validate(document: SourceDocument) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(matrix_schema())
    errors = sorted(validator.iter_errors(document.data), key=lambda e: list(e.absolute_path))
    if errors:
        problems = []
        for error in errors:
            location = document.locate(pointer_of(tuple(error.absolute_path)))
            problems.append(f"{location}: {error.message}")
        first = document.locate(pointer_of(tuple(errors[0].absolute_path)))
        raise InputError(
            f"the transport matrix does not match transports.schema.json ({len(errors)} "
            "problem(s)); fix each line below",
            document.path,
            first.line,
            first.column,
            details=problems,
        )
    seen: set[str] = set()
    for index, entry in enumerate(document.data["transports"]):
        if entry["id"] in seen:
            where = document.locate(pointer_of(("transports", index, "id")))
            raise InputError(
                f"transport id '{entry['id']}' appears twice; ids must be unique",
                document.path,
                where.line,
                where.column,
            )
        seen.add(entry["id"])
        urls = {source["url"] for source in entry["sources"]}
        for path, figure in _figures(entry.get("capacity") or {}, ("capacity",)):
            if figure["source"] not in urls:
                where = document.locate(pointer_of(("transports", index, *path, "source")))
                raise InputError(
                    f"transport '{entry['id']}': figure source {figure['source']} is not one of "
                    "its sources; add it under sources",
                    document.path,
                    where.line,
                    where.column,
                )


def _figures(data: dict, path: tuple) -> list[tuple[tuple, dict]]:
    """Every figure in a capacity block with its path, for source checks."""
    found: list[tuple[tuple, dict]] = []
    for index, unit in enumerate(data.get("units") or []):
        for name, figure in unit["figures"].items():
            found.append(((*path, "units", index, "figures", name), figure))
        if "max" in unit:
            found.append(((*path, "units", index, "max"), unit["max"]))
    for group in ("key", "channel"):
        for name, figure in (data.get(group) or {}).items():
            found.append(((*path, group, name), figure))
    for name, figure in (
        ("storage", (data.get("storage") or {}).get("copies")),
        ("latency_ms", data.get("latency_ms")),
    ):
        if figure:
            found.append(((*path, name), figure))
    return found


def _capability(data: dict[str, Any]) -> Capability:
    return Capability(support=data["support"], detail=data["detail"])


def build_matrix(data: dict[str, Any], path: str) -> Matrix:
    """Typed entries from already-validated matrix data."""
    transports = []
    for entry in data["transports"]:
        sources = tuple(
            Source(s["title"], s["url"], s["accessed"], tuple(s["covers"]))
            for s in entry["sources"]
        )
        transports.append(
            Transport(
                id=entry["id"],
                name=entry["name"],
                model_transport=entry["model_transport"],
                kind=entry["kind"],
                summary=entry["summary"],
                self_run=entry["hosting"]["self_run"],
                managed=tuple(
                    ManagedOffering(m["cloud"], m["offering"], m["first_party"])
                    for m in entry["hosting"]["managed"]
                ),
                per_key_ordering=entry["ordering"]["per_key"],
                global_ordering=entry["ordering"]["global"],
                ordering_detail=entry["ordering"]["detail"],
                delivery_guarantee=entry["delivery"]["guarantee"],
                delivery_detail=entry["delivery"]["detail"],
                broker_dedup=_capability(entry["broker_dedup"]),
                replay=_capability(entry["replay"]),
                default_retention_days=entry["replay"]["default_retention_days"],
                max_retention_days=entry["replay"]["max_retention_days"],
                fan_out=_capability(entry["fan_out"]),
                dead_letter=_capability(entry["dead_letter"]),
                transactions=_capability(entry["transactions"]),
                durability=_capability(entry["durability"]),
                throughput_detail=entry["throughput"]["detail"],
                default_message_bytes=entry["message_size"]["default_bytes"],
                max_message_bytes=entry["message_size"]["max_bytes"],
                message_size_detail=entry["message_size"]["detail"],
                ops_burden=dict(entry["ops_burden"]),
                strengths=tuple(entry["strengths"]),
                weaknesses=tuple(entry["weaknesses"]),
                sources=sources,
                capacity=_capacity(entry.get("capacity"), sources),
                max_message_attributes=entry["message_size"].get("max_attributes"),
            )
        )
    return Matrix(path=path, accessed=data["accessed"], transports=tuple(transports))


def _capacity(data: Optional[dict[str, Any]], sources: tuple[Source, ...]) -> Optional[Capacity]:
    if data is None:
        return None
    by_url = {source.url: source for source in sources}

    def figure(name: str, raw: Optional[dict]) -> Optional[Figure]:
        if raw is None:
            return None
        return Figure(name, raw["value"], raw["kind"], raw["note"], by_url[raw["source"]])

    def figures(raw: Optional[dict]) -> dict[str, Figure]:
        return {name: figure(name, raw[name]) for name in FIGURE_NAMES if raw and name in raw}  # type: ignore[misc]

    units = tuple(
        CapacityUnit(
            unit=u["unit"],
            plural=u["plural"],
            figures=figures(u["figures"]),
            key_on_one_unit=u.get("key_on_one_unit", False),
            max_units=figure("max_units", u.get("max")),
            counted_by_partitions=u.get("counted_by_partitions", False),
            billed_hourly=u.get("billed_hourly", False),
            only_when_ordered=u.get("only_when_ordered", False),
        )
        for u in data.get("units") or []
    )
    storage = data["storage"]
    return Capacity(
        units=units,
        key=figures(data.get("key")),
        channel=figures(data.get("channel")),
        storage_accounting=storage["accounting"],
        storage_copies=figure("storage_copies", storage.get("copies")),
        in_memory=storage.get("in_memory", False),
        latency_ms=figure("latency_ms", data.get("latency_ms")),
    )
