"""What a system needs from its transport: from flags, a model's `transport_needs`, or inference.

Later layers override earlier ones: inferred from the model, then `transport_needs:`, then flags.
Every value remembers where it came from, so the advice can say why a need applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Optional

from ..errors import InputError
from ..model.source import SourceDocument
from ..pointer import pointer_of

ORDERINGS = ("none", "per-key", "global")
HOSTINGS = ("any", "managed", "self-run")
CLOUDS = ("any", "aws", "gcp", "azure")

# transport_needs key -> (Needs attribute, kind); kind drives validation.
MODEL_KEYS: dict[str, tuple[str, str]] = {
    "ordering": ("ordering", "ordering"),
    "replay": ("replay", "bool"),
    "retention_days": ("retention_days", "positive"),
    "throughput_msgs_per_s": ("throughput_msgs_per_s", "positive"),
    "max_message_kb": ("max_message_kb", "positive"),
    "message_bytes": ("message_bytes", "positive"),
    "latency_ms": ("latency_ms", "positive"),
    "consumer_groups": ("consumer_groups", "positive"),
    "incumbent": ("incumbent", "transports"),
    "fan_out": ("fan_out", "bool"),
    "dead_letter": ("dead_letter", "bool"),
    "transactions": ("transactions", "bool"),
    "broker_dedup": ("broker_dedup", "bool"),
    "durable": ("durable", "bool"),
    "hosting": ("hosting", "hosting"),
    "cloud": ("cloud", "cloud"),
    "single_process": ("single_process", "bool"),
}


class Needs(NamedTuple):
    """Stated needs. Booleans false and numbers None mean 'not required'."""

    ordering: str = "none"
    replay: bool = False
    retention_days: Optional[float] = None
    throughput_msgs_per_s: Optional[float] = None
    max_message_kb: Optional[float] = None
    message_bytes: Optional[float] = None
    latency_ms: Optional[float] = None
    consumer_groups: Optional[float] = None
    incumbent: tuple[str, ...] = ()
    fan_out: bool = False
    dead_letter: bool = False
    transactions: bool = False
    broker_dedup: bool = False
    durable: bool = False
    hosting: str = "any"
    cloud: str = "any"
    single_process: bool = False
    origins: Mapping[str, str] = MappingProxyType({})  # need -> where it came from

    def stated(self) -> dict[str, Any]:
        """The needs that differ from the defaults, by attribute name."""
        return {
            name: getattr(self, name)
            for name, default in _DEFAULTS
            if getattr(self, name) != default
        }


_DEFAULTS = tuple((n, d) for n, d in Needs._field_defaults.items() if n != "origins")


def apply(needs: Needs, values: dict[str, Any], origin: str) -> Needs:
    """A copy of `needs` with `values` set, each recorded as coming from `origin`."""
    if not values:
        return needs
    origins = dict(needs.origins)
    for name in values:
        origins[name] = origin
    return needs._replace(origins=origins, **values)


def layered(layers: list[tuple[dict[str, Any], str]]) -> Needs:
    """Needs from layers of (values, origin), later ones winning: `apply` of each in turn
    onto the defaults, built once (a model's channels each stack several layers)."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer, origin in layers:
        values.update(layer)
        origins.update(dict.fromkeys(layer, origin))
    return Needs(**values, origins=origins)


def needs_from_section(document: SourceDocument) -> dict[str, Any]:
    """Validated values of the model's optional `transport_needs:` mapping."""
    data = document.data if isinstance(document.data, dict) else {}
    section = data.get("transport_needs")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise _bad(document, ("transport_needs",), "transport_needs must be a mapping")
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key not in MODEL_KEYS:
            known = ", ".join(MODEL_KEYS)
            raise _bad(
                document, ("transport_needs", key), f"unknown need '{key}'; known needs: {known}"
            )
        attribute, kind = MODEL_KEYS[key]
        values[attribute] = _checked(document, key, kind, value)
    return values


def _checked(document: SourceDocument, key: str, kind: str, value: Any) -> Any:
    path = ("transport_needs", key)
    choices = {"ordering": ORDERINGS, "hosting": HOSTINGS, "cloud": CLOUDS}
    if kind in choices:
        if value not in choices[kind]:
            raise _bad(document, path, f"{key} must be one of: {', '.join(choices[kind])}")
        return value
    if kind == "transports":
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise _bad(document, path, f"{key} must be a transport name or a list of them")
        return tuple(names)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(document, path, f"{key} must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _bad(document, path, f"{key} must be a number above 0")
    return float(value)


def _bad(document: SourceDocument, path: tuple, message: str) -> InputError:
    where = document.locate(pointer_of(path))
    return InputError(message, document.path, where.line, where.column)


def inferred_from_model(data: Any) -> dict[str, tuple[Any, str]]:
    """Needs the model implies, each with the reason: ordering, fan-out, the incumbent.

    Dead-letter channels the model declares are not a need for broker dead-lettering: the
    design already parks failures on a channel of its own.
    """
    if not isinstance(data, dict):
        return {}
    inferred: dict[str, tuple[Any, str]] = {}
    events = data.get("events") if isinstance(data.get("events"), dict) else {}
    strongest = "none"
    strongest_event = ""
    for name, event in events.items():
        if not isinstance(event, dict):
            continue
        ordering = event.get("ordering")
        if ordering in ORDERINGS and ORDERINGS.index(ordering) > ORDERINGS.index(strongest):
            strongest, strongest_event = ordering, name
        consumers = event.get("consumers")
        if "fan_out" not in inferred and isinstance(consumers, list) and len(consumers) > 1:
            inferred["fan_out"] = (True, f"event {name} has {len(consumers)} consumers")
    if strongest != "none":
        inferred["ordering"] = (strongest, f"event {strongest_event} needs {strongest} ordering")
    running = incumbents(data)
    if running:
        inferred["incumbent"] = (running, "the model's brokers run " + ", ".join(running))
    return inferred


def incumbents(data: dict) -> tuple[str, ...]:
    """Transports of the brokers the model declares: what the team already runs."""
    brokers = data.get("brokers") if isinstance(data.get("brokers"), dict) else {}
    found = [b.get("transport") for b in brokers.values() if isinstance(b, dict)]
    return tuple(dict.fromkeys(t for t in found if isinstance(t, str)))
