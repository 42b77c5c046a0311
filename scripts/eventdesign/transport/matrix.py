"""The capability matrix: load transports.yaml (beside this module), validate it, type it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from ..model.source import SourceDocument, load_document, pointer_of

# The matrix ships inside the package (so `pip install .` carries it too); found from this
# file, never from the working directory. references/transport-selection.md is generated from it.
DATA_DIR = Path(__file__).resolve().parent
MATRIX_PATH = DATA_DIR / "transports.yaml"
SCHEMA_PATH = DATA_DIR / "transports.schema.json"

SUPPORT_LEVELS = ("full", "partial", "none")
THROUGHPUT_TIERS = ("moderate", "high", "very-high")
OPS_BURDENS = ("low", "medium", "high")


@dataclass(frozen=True)
class Capability:
    """How far a transport supports one feature: full, partial or none, and why."""

    support: str
    detail: str


@dataclass(frozen=True)
class ManagedOffering:
    cloud: str
    offering: str
    first_party: bool


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    accessed: str
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Transport:
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
    throughput_tier: str
    throughput_ceiling: Optional[int]
    throughput_detail: str
    default_message_bytes: Optional[int]
    max_message_bytes: Optional[int]
    message_size_detail: str
    ops_burden: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    sources: tuple[Source, ...]
    max_message_attributes: Optional[int] = None

    def offerings_on(self, cloud: str) -> tuple[ManagedOffering, ...]:
        """Managed offerings usable on `cloud` ('any' accepts every offering)."""
        if cloud == "any":
            return self.managed
        return tuple(m for m in self.managed if m.cloud in (cloud, "any"))


@dataclass(frozen=True)
class Matrix:
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
    path = path or MATRIX_PATH
    document = load_document(path)
    _validate(document)
    return build_matrix(document.data, str(path))


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


def _capability(data: dict[str, Any]) -> Capability:
    return Capability(support=data["support"], detail=data["detail"])


def build_matrix(data: dict[str, Any], path: str) -> Matrix:
    """Typed entries from already-validated matrix data."""
    transports = []
    for entry in data["transports"]:
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
                throughput_tier=entry["throughput"]["tier"],
                throughput_ceiling=entry["throughput"]["ceiling_msgs_per_s"],
                throughput_detail=entry["throughput"]["detail"],
                default_message_bytes=entry["message_size"]["default_bytes"],
                max_message_bytes=entry["message_size"]["max_bytes"],
                message_size_detail=entry["message_size"]["detail"],
                ops_burden=entry["ops_burden"],
                strengths=tuple(entry["strengths"]),
                weaknesses=tuple(entry["weaknesses"]),
                sources=tuple(
                    Source(s["title"], s["url"], s["accessed"], tuple(s["covers"]))
                    for s in entry["sources"]
                ),
                max_message_attributes=entry["message_size"].get("max_attributes"),
            )
        )
    return Matrix(path=path, accessed=data["accessed"], transports=tuple(transports))
