"""Data rules (DAT): personal data needs a protection strategy; fat events are flagged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding
from ..model.payload import lookup_field, top_level_fields
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import DesignModel

FAMILY = "data"


@rule(
    "DAT001",
    "pii-unprotected",
    family=FAMILY,
    severity="error",
    summary="A personal-data field must name how it is protected (crypto-shredding,"
    " tokenisation, encryption, omitted).",
    explanation="""
Events are kept: logs are retained, replayed and copied into every consumer's store. Personal
data written in clear into an event cannot be erased when the person asks (GDPR Art. 17), and
leaks to every consumer. Decide per field: crypto-shredding (encrypt with a per-person key and
delete the key on erasure), tokenisation (carry a token, keep the value in a vault), encryption
(readable only by holders of the key), or omitted (carry a reference, not the value).
Source: GDPR Art. 17 and 25; Mathias Verraes, "Crypto-shredding" (Eventsourcery patterns);
Kleppmann, Designing Data-Intensive Applications (2017), ch. 12 "Doing the right thing".
""",
)
def check_pii_protection(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        for pii in event.pii:
            if pii.protection not in (None, "none"):
                continue
            yield finding(
                "DAT001",
                f"event '{event.name}' carries personal data '{pii.field}' with no protection",
                model.locate(pii.pointer),
                hint="set protection: crypto-shredding, tokenisation, encryption or omitted",
                element=f"event {event.name} field {pii.field}",
            )


@rule(
    "DAT002",
    "pii-field-not-in-payload",
    family=FAMILY,
    severity="warning",
    summary="A field declared as personal data must exist in the payload schema.",
    explanation="""
A `pii:` entry that names no payload field protects nothing: the real field (renamed, moved,
misspelt) goes out unprotected while the model claims otherwise. Use the dotted path of the
field (`customer.email`; array items are stepped through, `lines.recipient`).
""",
)
def check_pii_paths(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if not event.pii or event.schema is None:
            continue
        for pii in event.pii:
            found = lookup_field(event.schema, event.schema_format, pii.field)
            if found.known and not found.exists:
                yield finding(
                    "DAT002",
                    f"event '{event.name}' declares personal data '{pii.field}', which is not "
                    "in its payload schema",
                    model.locate(pii.pointer),
                    hint="give the dotted path of a payload field, or remove the entry",
                    element=f"event {event.name} field {pii.field}",
                )


@rule(
    "DAT003",
    "fat-event",
    family=FAMILY,
    severity="warning",
    summary="Events carrying a whole entity snapshot, or more top-level fields than"
    " max_payload_fields, couple consumers to the producer's model.",
    explanation="""
A fat event (event-carried state transfer) spares consumers a call back, but every consumer
now depends on every field: the producer cannot change its model without a compatibility
break, personal data spreads, and messages grow. Prefer a thin event with the facts of the
change and ids, or keep the snapshot on a compacted state topic separate from the domain
events. The field limit is `system.max_payload_fields` (default 20) or
`check --max-payload-fields N`; `snapshot: true` marks a deliberate state-transfer event.
Source: Martin Fowler, "What do you mean by Event-Driven?" (2017), "Event-Carried State
Transfer".
""",
)
def check_fat_events(model: DesignModel) -> Iterator[Finding]:
    limit = model.system.max_payload_fields
    for event in model.events.values():
        if event.snapshot:
            yield finding(
                "DAT003",
                f"event '{event.name}' carries a snapshot of the whole entity",
                model.locate(f"{event.pointer}/snapshot"),
                hint="publish the change and ids only, or move the snapshot to a state topic",
                element=f"event {event.name}",
            )
            continue
        fields = top_level_fields(event.schema, event.schema_format)
        if fields is not None and len(fields) > limit:
            yield finding(
                "DAT003",
                f"event '{event.name}' has {len(fields)} top-level payload fields, over the "
                f"limit of {limit}",
                model.locate(event.schema_pointer),
                hint="carry the facts of the change and ids; let consumers keep their own view",
                element=f"event {event.name}",
            )
