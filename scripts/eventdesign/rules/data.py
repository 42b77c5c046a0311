"""Data rules (DAT): personal data in events and commands needs a protection strategy and an
erasure path; fat events are flagged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

from ..findings import Finding
from ..model.payload import lookup_field, split_field_path, top_level_fields
from ..model.payload_fields import iter_fields
from .citations import CRYPTO_SHREDDING, GDPR_BY_DESIGN, GDPR_ERASURE
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import Command, DesignModel, Event

    Message = Union[Event, Command]

FAMILY = "data"
_FIELD_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
EMAIL_FORMATS = frozenset(("email", "idn-email"))


def _joined_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Field names (words joined, lower case) that hold personal data wherever they appear.
PERSONAL_NAMES = _joined_set(
    """
    email emailaddress phone phonenumber telephone telephonenumber mobile mobilenumber
    mobilephone msisdn iban ssn socialsecuritynumber taxid taxnumber nationalid
    nationalidnumber nationalinsurancenumber passport passportnumber driverslicence
    driverslicense dateofbirth birthdate birthday dob firstname lastname fullname givenname
    familyname surname middlename maidenname ipaddress clientip cardnumber creditcardnumber
    billingaddress shippingaddress deliveryaddress homeaddress postaladdress mailingaddress
    residentialaddress homelocation geolocation gpslocation gpscoordinates geopoint
    notes comment comments remarks freetext specialrequests specialrequest
    """
)
# Parts of a postal address: personal when they stand alone (`address`, `postcode`) or follow a
# word for a person (`customerAddress`), not when they belong to a place (`warehouse.address`)
# or a machine (`macAddress`, `walletAddress`).
ADDRESS_NAMES = _joined_set(
    "address addressline street streetaddress postcode postalcode zip zipcode"
)
# Words for people: `customer.name` and `recipientName` are personal, `product.name` is not.
PERSON_WORDS = _joined_set(
    """
    customer user person contact beneficiary recipient sender payer payee buyer employee
    patient member guest passenger driver holder cardholder applicant traveller traveler
    student subscriber client shopper tenant author owner consignee addressee requester
    signatory borrower policyholder claimant citizen individual profile insured rider
    witness occupant resident visitor home
    """
)
# Words for places and organisations whose address is not personal data.
PLACE_WORDS = _joined_set(
    """
    warehouse store shop site depot branch office merchant supplier vendor company
    organisation organization business facility plant hub venue restaurant hotel carrier
    station airport terminal building
    """
)
NAME_WORDS = _joined_set("name displayname nickname")
# A precise position: personal like an address (a guest's, a driver's, a phone's), not when it
# belongs to a place (`warehouse.latitude`, `stationLongitude`).
LOCATION_NAMES = _joined_set("latitude longitude lat lng lon coordinates")
# Words before `notes` that make it a document, not free text about a person.
DOCUMENT_NOTES = _joined_set("credit debit release delivery")


@lru_cache(maxsize=4096)
def _field_words(segment: str) -> tuple[str, ...]:
    found = [w.lower() for w in _FIELD_WORD.findall(segment)]
    while len(found) > 1 and found[-1].isdigit():  # addressLine1
        found.pop()
    return tuple(found)


def _ends_with(found: tuple[str, ...], names: frozenset[str]) -> int:
    """How many trailing words of `found` spell one of `names` (0 when none does)."""
    for count in range(min(len(found), 4), 0, -1):
        if "".join(found[-count:]) in names:
            return count
    return 0


OWNER_WORDS = PERSON_WORDS | PLACE_WORDS


def _singular(word: str) -> str:
    """`witnesses` -> `witness`, `guests` -> `guest`: an array of people names its items."""
    for ending in ("es", "s"):
        if word.endswith(ending) and word[: -len(ending)] in OWNER_WORDS:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=4096)
def name_looks_personal(name: str, parent_name: str = "") -> bool:
    """True when a payload field's name (inside a field named `parent_name`, if any) says it
    holds personal data: `email`, `phoneNumber`, `customer.name`, `address`."""
    found = _field_words(name)
    if not found:
        return False
    parent = _field_words(parent_name)
    parent_word = _singular(parent[-1]) if parent else ""
    if _ends_with(found, PERSONAL_NAMES):
        return not (len(found) > 1 and found[-1] == "notes" and found[-2] in DOCUMENT_NOTES)
    for names in (ADDRESS_NAMES, LOCATION_NAMES, NAME_WORDS):
        count = _ends_with(found, names)
        if not count:
            continue
        qualifier = found[-count - 1] if len(found) > count else ""
        if qualifier:
            return qualifier in PERSON_WORDS
        if names is NAME_WORDS:
            return parent_word in PERSON_WORDS
        return parent_word not in PLACE_WORDS
    return False


def messages(model: DesignModel) -> Iterator[tuple[str, Message]]:
    """Every event and command, with its kind, in model order."""
    for event in model.events.values():
        yield "event", event
    for command in model.commands.values():
        yield "command", command


@rule(
    "DAT001",
    "pii-unprotected",
    family=FAMILY,
    severity="error",
    summary="A personal-data field must name how it is protected (crypto-shredding,"
    " tokenisation, encryption, omitted).",
    what="""
Flags every `pii:` entry of an event or a command whose `protection` is missing or `none`:
personal data the model declares but says nothing about protecting. The protections are
crypto-shredding (encrypt with a per-person key and delete the key on erasure), tokenisation
(carry a token, keep the value in a vault), encryption (readable only by holders of the key)
and omitted (carry a reference, not the value).
""",
    why="""
Events are kept: logs are retained, replayed and copied into every consumer's store. Personal
data written in clear into an event cannot be erased when the person asks (GDPR Art. 17), and
leaks to every consumer and every copy of the log. Decide per field, when the event is
designed: afterwards the clear values are already in places nobody can clean.
""",
    example="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, email]
      properties: {memberId: {type: string}, email: {type: string, format: email}}
    pii:
      - {field: email, protection: none}    # in clear, in the log and every consumer's store
""",
    instead="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, email]
      properties: {memberId: {type: string}, email: {type: string, format: email}}
    pii:
      - {field: email, protection: crypto-shredding}   # erased by deleting the member's key
""",
    sources=(
        GDPR_ERASURE,
        GDPR_BY_DESIGN,
        CRYPTO_SHREDDING,
        'Martin Kleppmann, Designing Data-Intensive Applications (2017), ch. 12 "The Future of'
        ' Data Systems", section "Doing the Right Thing"',
    ),
)
def check_pii_protection(model: DesignModel) -> Iterator[Finding]:
    for kind, message in messages(model):
        for pii in message.pii:
            if pii.protection not in (None, "none"):
                continue
            yield finding(
                "DAT001",
                f"{kind} '{message.name}' carries personal data '{pii.field}' with no protection",
                model.locate(pii.pointer),
                hint="set protection: crypto-shredding, tokenisation, encryption or omitted",
                element=f"{kind} {message.name} field {pii.field}",
            )


@rule(
    "DAT002",
    "pii-field-not-in-payload",
    family=FAMILY,
    severity="warning",
    summary="A field declared as personal data must exist in the payload schema.",
    what="""
Flags a `pii:` entry of an event or a command whose field is not in the message's payload
schema. The field is a dotted path (`customer.email`); array items are stepped through:
`lines.recipient`, `lines[].recipient` or `lines.*.recipient`. Payloads whose schema cannot be
read field by field are not judged.
""",
    why="""
A `pii:` entry that names no payload field protects nothing: the real field (renamed, moved,
misspelt) goes out unprotected while the model, its documentation and every review claim
otherwise.
""",
    example="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, contact]
      properties:
        memberId: {type: string}
        contact: {type: object, properties: {email: {type: string, format: email}}}
    pii:
      - {field: email, protection: crypto-shredding}  # no such field: contact.email leaks
""",
    instead="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, contact]
      properties:
        memberId: {type: string}
        contact: {type: object, properties: {email: {type: string, format: email}}}
    pii:
      - {field: contact.email, protection: crypto-shredding}   # the dotted path of the field
""",
    sources=(GDPR_BY_DESIGN,),
)
def check_pii_paths(model: DesignModel) -> Iterator[Finding]:
    for kind, message in messages(model):
        if not message.pii or message.schema is None:
            continue
        for pii in message.pii:
            found = lookup_field(message.schema, message.schema_format, pii.field)
            if found.known and not found.exists:
                yield finding(
                    "DAT002",
                    f"{kind} '{message.name}' declares personal data '{pii.field}', which is not "
                    "in its payload schema",
                    model.locate(pii.pointer),
                    hint="give the dotted path of a payload field, or remove the entry",
                    element=f"{kind} {message.name} field {pii.field}",
                )


@rule(
    "DAT003",
    "fat-event",
    family=FAMILY,
    severity="warning",
    summary="Events carrying a whole entity snapshot, or more top-level fields than"
    " max_payload_fields, couple consumers to the producer's model.",
    what="""
Flags an event marked `snapshot: true` (it carries the whole entity), and an event whose
payload has more top-level fields than `system.max_payload_fields` (default 20) or
`check --max-payload-fields N`. An event on a compacted channel (`cleanup: compact`) is a
state topic, where a snapshot belongs: it is not flagged.
""",
    why="""
A fat event (event-carried state transfer) spares consumers a call back, but every consumer
now depends on every field: the producer cannot change its model without a compatibility
break, personal data spreads, and messages grow. Prefer a thin event with the facts of the
change and ids, or keep the snapshot on a compacted state topic separate from the domain
events.
""",
    example="""
events:
  BookReturned:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    snapshot: true            # the whole loan record: every field becomes the contract
    schema:
      type: object
      required: [loanId]
      properties:
        loanId: {type: string}
        bookId: {type: string}
        memberId: {type: string}
        dueOn: {type: string, format: date}
        renewals: {type: integer}
        fineCents: {type: integer}
""",
    instead="""
events:
  BookReturned:               # the fact and its ids; consumers keep what else they need
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema:
      type: object
      required: [loanId, bookId, returnedOn]
      properties:
        loanId: {type: string}
        bookId: {type: string}
        returnedOn: {type: string, format: date}
""",
    sources=(
        'Martin Fowler, "What do you mean by Event-Driven?" (2017), section "Event-Carried'
        ' State Transfer", https://martinfowler.com/articles/201701-event-driven.html',
    ),
)
def check_fat_events(model: DesignModel) -> Iterator[Finding]:
    limit = model.system.max_payload_fields
    for event in model.events.values():
        channel = model.channels.get(event.channel) if event.channel else None
        if channel is not None and channel.compacted:
            continue
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


@rule(
    "DAT004",
    "personal-data-undeclared",
    family=FAMILY,
    severity="warning",
    summary="A payload field that looks personal (email, phone, IBAN, name of a person, ...) must"
    " be declared under `pii:`.",
    what="""
Reads each event's and command's payload schema (JSON Schema or Avro, nested objects and array
items included) and flags fields that are not covered by a `pii:` entry (an entry for an
object covers its fields) when:
- the JSON Schema says `format: email` (or `idn-email`);
- the field's name ends in a word for personal data: email, phone/phoneNumber, mobile,
  telephone, iban, ssn, taxId, nationalId, passport, dateOfBirth/birthDate/dob, firstName,
  lastName, fullName, givenName, familyName, surname, ipAddress, cardNumber, a person's
  address (billingAddress, shippingAddress, homeAddress, ...), a precise location
  (geolocation, homeLocation, gpsCoordinates), or free text about a person (notes, comment,
  remarks, freeText, specialRequests; not creditNotes or releaseNotes);
- the field is latitude/longitude (lat, lng, lon, coordinates) that does not belong to a place
  (`station.latitude` is not flagged);
- the field is a postal address part (address, street, postcode/postalCode, zip/zipCode,
  addressLine) that does not belong to a place (`warehouse.address`, `storeAddress`) or a
  machine (`macAddress`, `walletAddress` are not flagged);
- the field is `name` (or displayName, nickname) inside a person-like object or after a word
  for a person: `customer.name`, `beneficiary.name`, `recipientName`. A bare `name` is too
  often a product's or a plan's to flag on its own.
Identifiers (`customerId`) are pseudonymous references and are not flagged.
""",
    why="""
DAT001 can only check the protection of personal data the model declares; a field that carries
it without a `pii:` entry goes into every consumer's store and the retained log in clear, and
cannot be erased on request (GDPR Art. 17). Declare the field under the message's `pii:` with
its protection, or drop it from the payload and carry an id.
""",
    example="""
events:
  HoldFulfilled:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema:
      type: object
      required: [holdId, phone]
      properties:
        holdId: {type: string}
        phone: {type: string}   # a member's phone number, declared nowhere
""",
    instead="""
events:
  HoldFulfilled:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: holdId
    schema:
      type: object
      required: [holdId, phone]
      properties:
        holdId: {type: string}
        phone: {type: string}
    pii:
      - {field: phone, protection: tokenisation}   # a token; the number stays in the vault
""",
    sources=(
        'Regulation (EU) 2016/679 (GDPR), Art. 4(1), definition of "personal data"',
        GDPR_ERASURE,
        CRYPTO_SHREDDING,
    ),
)
def check_undeclared_personal_data(model: DesignModel) -> Iterator[Finding]:
    for kind, message in messages(model):
        if message.schema is None or isinstance(message.schema, bool):
            continue
        declared = [tuple(split_field_path(pii.field)) for pii in message.pii]
        reported: list[tuple[str, ...]] = []
        for field in iter_fields(message.schema, message.schema_format):
            parts = field.parts
            personal = field.format in EMAIL_FORMATS or name_looks_personal(
                parts[-1], parts[-2] if len(parts) > 1 else ""
            )
            if not personal or any(parts[: len(d)] == d for d in declared if d):
                continue
            if any(parts[: len(r)] == r for r in reported):
                continue
            reported.append(parts)
            yield finding(
                "DAT004",
                f"{kind} '{message.name}' carries '{field.dotted}', which looks like personal"
                " data, but does not declare it under pii",
                model.locate_in_schema(message, field.pointer),
                hint=f"add '{field.dotted}' to the {kind}'s pii list with its protection, or carry"
                " an id instead",
                element=f"{kind} {message.name} field {field.dotted}",
            )


# Protections under which a consumer holds nothing readable to erase itself: the key is
# deleted (crypto-shredding), the vault entry is (tokenisation), or the value is not carried.
ERASED_AT_SOURCE = frozenset(("crypto-shredding", "tokenisation", "omitted"))


@rule(
    "DAT005",
    "personal-data-never-erased",
    family=FAMILY,
    severity="error",
    summary="A consumer that receives a subject's readable personal data must also receive the"
    " event that erases that subject's data.",
    what="""
Flags a consumer of an event (or the handler of a command) that receives a subject's personal
data in clear or merely encrypted (protection `none` or `encryption`) but does not consume the
event that erases that subject's data (`erases: SUBJECT`, e.g. on `CustomerForgotten`). Fields
protected by tokenisation or omitted leave nothing readable to erase and are not counted;
crypto-shredded fields are not counted either, except for a consumer that feeds a read model
(`read_model:`): a projection keeps a decrypted copy that deleting the key does not erase. A
`pii:` entry's `subject` names whose data it is; an entry without one is matched by any erasure
event. With no erasure event for the subject at all, such a consumer has no erasure path.
""",
    why="""
When a person asks to be forgotten (GDPR Art. 17), every copy of their data must go: the
producer's and every consumer's store, and the controller must tell every recipient (Art. 19).
A consumer the erasure event never reaches keeps the data for ever. Add the consumer to the
erasure event, or protect the field so it is erased at the source.
""",
    example="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]      # keeps a readable copy of the email...
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, email]
      properties: {memberId: {type: string}, email: {type: string, format: email}}
    pii:
      - {field: email, protection: encryption, subject: member}
  MemberForgotten:
    producer: lending
    consumers: []             # ...but never hears that the member asked to be forgotten
    channel: lending.events
    key: memberId
    erases: member
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    instead="""
events:
  MemberRegistered:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, email]
      properties: {memberId: {type: string}, email: {type: string, format: email}}
    pii:
      - {field: email, protection: encryption, subject: member}
  MemberForgotten:
    producer: lending
    consumers: [notices]      # every holder of the member's data erases it
    channel: lending.events
    key: memberId
    erases: member
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    sources=(
        GDPR_ERASURE,
        "Regulation (EU) 2016/679 (GDPR), Art. 19, notification obligation regarding erasure",
        CRYPTO_SHREDDING,
    ),
)
def check_erasure_reaches_consumers(model: DesignModel) -> Iterator[Finding]:
    erasers = [event for event in model.events.values() if event.erases]
    for kind, message in messages(model):
        if not message.pii:
            continue
        if kind == "event":
            sender = message.producer
            holders = [
                (c.service, c.pointer, "consumer", c.read_model is not None)
                for c in message.consumers
            ]
        else:
            sender = None
            holders = [(message.handler, f"{message.pointer}/handler", "handler", False)]
        for service, pointer, role, projects in holders:
            if service == sender:
                continue
            readable = [p for p in message.pii if _readable_by(p.protection, projects)]
            missed = _erasure_missed(service, readable, erasers)
            if missed is None:
                continue
            pii, names = missed
            subject = f"{pii.subject}'s" if pii.subject else "a subject's"
            if names:
                problem, fix = (
                    f"never receives {names}",
                    f"add '{service}' to the consumers of {names}",
                )
            else:
                problem = "no event erases it"
                fix = f"publish an erasure event (`erases: {pii.subject or 'customer'}`) to it"
            yield finding(
                "DAT005",
                f"{role} '{service}' of {kind} '{message.name}' receives {subject} personal"
                f" data '{pii.field}' but {problem}",
                model.locate(pointer),
                hint=f"{fix}, or protect '{pii.field}' with crypto-shredding or tokenisation",
                element=f"{role} {service} of {kind} {message.name}",
            )


def _readable_by(protection: str, projects: bool) -> bool:
    """Whether a holder keeps a readable copy of a field so protected (a projection keeps a
    decrypted copy of crypto-shredded data)."""
    if protection == "crypto-shredding":
        return projects
    return protection not in ERASED_AT_SOURCE


def _erasure_missed(service: str, readable: list, erasers: list) -> tuple[Any, str] | None:
    """The first readable field whose erasure events `service` neither receives nor sends,
    with those events' names; None when every field's erasure reaches it."""
    for pii in readable:
        matching = [e for e in erasers if pii.subject in (None, e.erases)]
        receivers = {c.service for e in matching for c in e.consumers}
        if service not in receivers | {e.producer for e in matching}:
            return pii, ", ".join(e.name for e in matching)
    return None
