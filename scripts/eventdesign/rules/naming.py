"""Naming rules (NAM): events are past-tense facts, commands are imperative, queries are not
events, and every event follows one naming style."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding
from .citations import ANTI_PATTERNS, COMMAND_MESSAGE, DOMAIN_EVENTS, EVENT_DRIVEN, REQUEST_REPLY
from .engine import finding
from .registry import rule

if TYPE_CHECKING:
    from ..model.types import DesignModel

FAMILY = "naming"
STYLES = ("PascalCase", "dot.case", "snake_case", "kebab-case")
_STYLE_PATTERNS = (
    ("PascalCase", re.compile(r"[A-Z][A-Za-z0-9]*")),
    ("dot.case", re.compile(r"[a-z][a-z0-9]*(\.[a-z0-9]+)+")),
    ("snake_case", re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")),
    ("kebab-case", re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)+")),
)
_ONE_LOWER_WORD = re.compile(r"[a-z][a-z0-9]*")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_VERSION = re.compile(r"v?[0-9]+")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


IRREGULAR_PARTICIPLES = _word_set(
    """
    arisen awoken become begun bent bet bid bitten bled blown bought bound bred broken
    brought built burnt burst cast caught chosen clung come cost crept cut dealt done drawn
    dreamt driven drunk dug eaten fallen fed felt fled flown forbidden forecast forgiven
    forgotten forgone found frozen gone got gotten given ground grown held hidden hit hung
    hurt kept knelt known laid led leant learnt left lent let lit lost made meant met
    mislaid misread misspelt mistaken misunderstood outgrown overcome overdone overdrawn
    overheard overpaid overridden overrun overseen oversold overtaken overthrown overwritten
    paid prepaid proven put quit read rebuilt redone remade repaid reread rerun reset resent
    resold retaken rethought rewound rewritten rid ridden risen run said sat seen sent set
    sewn shaken shed shone shot shown shrunk shut slain slept slid slit sold sought spat
    spent spilt split spoken spread sprung stood stolen stuck stung stridden struck sung
    sunk sworn swept swollen swum swung taken taught thought thrown told torn trodden
    underpaid undercut undergone understood undertaken underwritten undone unbound unbuilt
    unhidden unlaid unmade unsaid unsold unwound upheld upset withdrawn withheld withstood
    woken won worn wound woven wept written
    """
)
# Words ending in -ed that are not past participles.
NOT_PARTICIPLES_ED = _word_set(
    """
    bed bleed breed creed deed embed exceed feed greed heed need proceed red reed seed shred
    sled speed steed succeed weed
    """
)
PARTICLES = _word_set("out in up down off over back on away through")
# Words that open a prepositional phrase after the main clause: `PaymentRejectedByBank`,
# `OrderSentToWarehouse`, `CancelOrderAfterPaymentFailed`.
PREPOSITIONS = _word_set("by to from for in on at with via after before")
# Verbs whose imperative takes an object and a participle complement: `MarkOrderShipped`
# ("mark the order as shipped") is an instruction, not a fact.
COMPLEMENT_VERBS = _word_set(
    """
    acknowledge announce confirm consider declare flag get keep leave log make mark notify
    record register report set signal treat
    """
)
# Past participles that say only that a record changed, not what happened in business terms.
CRUD_PARTICIPLES = _word_set("updated changed modified saved edited altered upserted persisted")
QUERY_VERBS = _word_set(
    """
    get fetch query find list search lookup look read load retrieve select count
    """
)
QUERY_NOUNS = _word_set("request query lookup search")
REPLY_WORDS = _word_set(
    """
    returned fetched calculated computed retrieved provided loaded found resolved quoted
    listed reported supplied responded answered replied response reply result results
    """
)
NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship")
COMMAND_VERBS = _word_set(
    """
    accept acknowledge activate add adjust allocate amend apply approve archive assign
    attach authenticate authorise authorize block book calculate cancel capture change
    charge check checkout claim clear close collect complete compensate confirm connect
    create credit deactivate debit decline decrement deduct delete deliver deny deposit
    deregister detach disable dispatch enable end enrol enroll escalate evaluate execute
    expire export extend fail finalise finalize flag freeze fulfil fulfill generate grant
    hold import increment initiate invite invoice issue join launch link lock log mark merge
    migrate modify move notify open order pack park pause pay pick place post prepare print
    process provision publish purchase put queue rate reactivate rebook receive recalculate
    record redeem refund register reject release reload remove rename renew reopen replace
    reply report request reschedule reserve reset resolve restart restore resume retry
    return revoke run save schedule score send set settle ship sign skip split start stop
    submit subscribe suspend switch sync terminate top track transfer trigger unblock
    unfreeze unlink unlock unregister unsubscribe update upgrade upload validate verify void
    withdraw write
    """
)
# Command verbs that more often head a noun phrase at the start of an event name:
# `OrderRefundRequested`, `TransferApprovalRequested`, `ReturnLabelRequested`.
NOUN_LIKE_VERBS = _word_set(
    """
    claim credit debit deposit hold invoice issue log order post queue rate record refund reply
    report request return run schedule score split switch top track transfer trigger
    """
)

# Command verbs that, after their object, usually name a thing a person asked for:
# `AddressChangeRequested`, `PasswordResetRequested`, `DataExportRequested`.
COMPOUND_NOUN_VERBS = _word_set(
    """
    change check export import reset review update upgrade
    """
)


def words(name: str) -> list[str]:
    """The lower-case words of a name in any style, without a trailing version or 'event'."""
    found = [w.lower() for w in _WORD.findall(name)]
    while len(found) > 1 and _VERSION.fullmatch(found[-1]):
        found.pop()
        if len(found) > 1 and found[-1] == "v":  # 'V2' splits into 'v', '2'
            found.pop()
    if len(found) > 1 and found[-1] in ("event", "evt"):
        found.pop()
    return found


def is_participle(word: str) -> bool:
    """True for a past participle: regular -ed forms and the common irregular ones."""
    if word in IRREGULAR_PARTICIPLES:
        return True
    return len(word) > 3 and word.endswith("ed") and word not in NOT_PARTICIPLES_ED


def ends_in_participle(found: list[str]) -> bool:
    """True when words end in a past participle, or a participle and a particle (`timed out`)."""
    if not found:
        return False
    if len(found) > 1 and found[-1] in PARTICLES:
        return is_participle(found[-2])
    return is_participle(found[-1])


def main_clause(found: list[str]) -> list[str]:
    """The words before the first prepositional phrase: `payment rejected` of
    `payment rejected by bank`. A trailing `in` or `on` is a particle (`UserLoggedIn`)."""
    for index in range(1, len(found) - 1):
        if found[index] in PREPOSITIONS:
            return found[:index]
    return found


def reads_past_tense(name: str) -> bool:
    """True when a name ends in a past participle (`OrderPlaced`, `payment.timed.out`), or its
    main clause does before a prepositional phrase (`PaymentRejectedByBank`)."""
    found = words(name)
    return ends_in_participle(found) or ends_in_participle(main_clause(found))


def reads_as_fact(name: str) -> bool:
    """True when a command's main clause states a fact (`OrderShipped`, `OrderSentToWarehouse`)
    rather than an instruction (`ShipOrder`, `CancelOrderAfterPaymentFailed`,
    `MarkOrderShipped`)."""
    clause = main_clause(words(name))
    if not ends_in_participle(clause):
        return False
    return not (len(clause) > 1 and clause[0] in COMPLEMENT_VERBS)


def crud_participle(name: str) -> str | None:
    """The generic participle (`updated`, `changed`, ...) a name or its main clause ends in."""
    found = words(name)
    for clause in (found, main_clause(found)):
        if len(clause) > 1 and clause[-1] in PARTICLES:
            clause = clause[:-1]
        if len(clause) > 1 and clause[-1] in CRUD_PARTICIPLES:
            return clause[-1]
    return None


def reads_as_disguised_command(name: str) -> bool:
    """True for `<Verb><Object>Requested` (`SendEmailRequested`) and `<Object><Verb>Requested`
    (`BagTagPrintRequested`): an instruction named as a fact."""
    found = words(name)
    if len(found) < 3 or found[-1] != "requested":
        return False
    first, last_verb = found[0], found[-2]
    if first in COMMAND_VERBS and first not in NOUN_LIKE_VERBS:
        return True
    return last_verb in COMMAND_VERBS and last_verb not in NOUN_LIKE_VERBS | COMPOUND_NOUN_VERBS


def reads_as_query(name: str) -> bool:
    """True for names of questions: `GetUserRequest`, `FetchPrices`, `PriceQuery`."""
    found = words(name)
    if not found:
        return False
    if found[-1] in QUERY_NOUNS:
        return True
    return found[0] in QUERY_VERBS and not reads_past_tense(name)


def style_of(name: str) -> str:
    """One of STYLES, 'lower' for a single lower-case word (fits any lower style), or 'mixed'."""
    for style, pattern in _STYLE_PATTERNS:
        if pattern.fullmatch(name):
            return style
    return "lower" if _ONE_LOWER_WORD.fullmatch(name) else "mixed"


def expected_style(model: DesignModel) -> str | None:
    """The pinned style, or the most common one among events (ties: STYLES order)."""
    if model.system.naming != "auto":
        return model.system.naming
    counts = Counter(style_of(name) for name in model.events)
    ranked = [s for s in STYLES if counts[s]]
    if not ranked:
        return None
    return max(ranked, key=lambda s: (counts[s], -STYLES.index(s)))


@rule(
    "NAM001",
    "event-not-past-tense",
    family=FAMILY,
    severity="warning",
    summary="An event name must state a fact that happened, in the past tense.",
    what="""
Flags an event whose name does not read as a fact in the past tense. The check takes the last
word (after a version suffix such as `v2`, a trailing `Event`, or a particle as in `TimedOut`)
and accepts regular `-ed` forms and common irregular participles (sent, paid, built, held,
sold, ...). A participle followed by a prepositional phrase (By, To, From, For, In, On, At,
With, Via, After, Before and more words) is past tense too: `PaymentRejectedByBank`,
`OrderSentToWarehouse`.
""",
    why="""
An event records something that already happened and cannot be refused: `OrderPlaced`,
`order.placed`, `payment_failed`. A name in the imperative (`PlaceOrder`) or a bare noun phrase
(`OrderPlace`, `OrderShipment`) reads as a request or a thing, which invites consumers to treat
it as a command they may reject, and blurs who owns the decision.
""",
    example="""
events:
  RenewLoan:            # an instruction, not a fact
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
events:
  LoanRenewed:          # what happened; a request to renew belongs under `commands:`
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        DOMAIN_EVENTS,
        EVENT_DRIVEN,
    ),
)
def check_event_tense(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if reads_past_tense(event.name) or reads_as_query(event.name):
            continue
        yield finding(
            "NAM001",
            f"event '{event.name}' is not named in the past tense",
            model.locate(event.pointer),
            hint="name what happened, e.g. 'OrderPlaced' rather than 'PlaceOrder'",
            element=f"event {event.name}",
        )


@rule(
    "NAM002",
    "command-not-imperative",
    family=FAMILY,
    severity="warning",
    summary="A command name must start with a verb in the imperative.",
    what="""
Flags a command whose name does not start with a verb in the imperative. A command whose main
clause (the words before a prepositional phrase such as `...AfterPaymentFailed`) ends in a past
participle is flagged, even when the first word can also be a verb (`OrderShipped`,
`TransferApproved`): `ShipOrder` is verb then object, `OrderShipped` is subject then
participle. Verbs that take an object and a participle complement (`Mark`, `Set`, `Flag`,
`Record`, `Notify`, ...: `MarkOrderShipped`) still read as instructions. Commands that start
with a noun of action (`PaymentCapture`) are flagged too, unless the first word is a known
verb.
""",
    why="""
A command asks one handler to do something and may be refused, so its name is an instruction:
`ReserveStock`, `reserve-stock`. A command named like a fact (`StockReserved`) is easily
mistaken for an event: readers assume it already happened and that many services may react to
it, and nobody checks whether the handler refused it.
""",
    example="""
commands:
  HoldPlaced:             # names a fact, yet asks lending to place a hold
    handler: lending
    issuers: [notices]
    schema: {type: object, required: [bookId], properties: {bookId: {type: string}}}
""",
    instead="""
commands:
  PlaceHold:              # the action asked for; lending may refuse it
    handler: lending
    issuers: [notices]
    schema: {type: object, required: [bookId], properties: {bookId: {type: string}}}
""",
    sources=(COMMAND_MESSAGE,),
)
def check_command_mood(model: DesignModel) -> Iterator[Finding]:
    for command in model.commands.values():
        found = words(command.name)
        if not found or reads_as_query(command.name):
            continue
        nounish = found[0] not in COMMAND_VERBS and found[0].endswith(NOUN_SUFFIXES)
        if not (reads_as_fact(command.name) or nounish):
            continue
        yield finding(
            "NAM002",
            f"command '{command.name}' does not start with a verb in the imperative",
            model.locate(command.pointer),
            hint="name the action asked for, e.g. 'ReserveStock' rather than 'StockReserved'",
            element=f"command {command.name}",
        )


@rule(
    "NAM003",
    "query-named-as-message",
    family=FAMILY,
    severity="warning",
    summary="Queries (Get..., Fetch..., ...Request, ...Query) are not events or commands.",
    what="""
Flags an event or a command named like a query: its last word is Request, Query, Lookup or
Search (`GetUserRequest`, `PriceQuery`), or its first word is a verb of asking (Get, Fetch,
Query, Find, List, Search, Look, Lookup, Read, Load, Retrieve, Select, Count) and the name
does not read in the past tense (`FetchPrices`, but not `PricesFetched`).
""",
    why="""
A query asks for data and waits for an answer. Sending it as a message couples the asker to
whoever answers, hides a synchronous dependency behind asynchronous plumbing, and leaves the
asker waiting when the answerer is down. Ask the owning service directly (HTTP/gRPC), or keep a
local read model fed by the owner's events so no question needs asking.
""",
    example="""
events:
  FetchMemberFines:       # a question sent as an event: notices waits for lending's answer
    producer: notices
    consumers: [lending]
    channel: lending.events
    key: memberId
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    instead="""
events:
  FineCharged:            # lending publishes its facts; notices keeps the fines it needs
    producer: lending
    consumers: [{service: notices, read_model: MemberFines}]
    channel: lending.events
    key: memberId
    schema:
      type: object
      required: [memberId, amount]
      properties: {memberId: {type: string}, amount: {type: integer}}
read_models:
  MemberFines: {owner: notices, sources: [FineCharged]}
""",
    sources=(
        'Chris Richardson, Microservices Patterns (2018), ch. 7 "Implementing queries in a'
        ' microservice architecture" (API composition and CQRS)',
    ),
)
def check_query_names(model: DesignModel) -> Iterator[Finding]:
    kinds = (("event", model.events.values()), ("command", model.commands.values()))
    for kind, elements in kinds:
        for element in elements:
            if not reads_as_query(element.name):
                continue
            yield finding(
                "NAM003",
                f"{kind} '{element.name}' is named like a query",
                model.locate(element.pointer),
                hint="query the owner directly, or keep a read model fed by its events",
                element=f"{kind} {element.name}",
            )


@rule(
    "NAM004",
    "request-reply-over-events",
    family=FAMILY,
    severity="warning",
    summary="A ...Requested event answered by a matching reply event is a query in disguise.",
    what="""
Flags an event named `...Requested` that exactly one service other than its producer consumes
(read-model feeds aside), when that service produces a reply event with the same words before
the last one, ending in a word of answering (Returned, Fetched, Calculated, Computed, Provided,
Found, Quoted, Response, Reply, Result, ...), and the requester consumes that reply:
`PricesRequested` answered by `PricesCalculated`. The trace shows the three hops.
""",
    why="""
A request answered by a reply event is request/reply dressed as events: the requester depends
on one answerer, waits for it, must correlate the reply with its request, and is stuck when the
answerer is down or slow, with none of the timeouts a direct call would make explicit. Model it
as a query (a direct call) or a command with a reply, or let the requester keep a read model of
the answerer's events so it never has to ask.
""",
    example="""
events:
  DueDatesRequested:      # notices asks...
    producer: notices
    consumers: [lending]
    channel: lending.events
    key: memberId
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
  DueDatesReturned:       # ...and waits for lending's answer: a request/reply
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: memberId
    schema: {type: object, required: [memberId], properties: {memberId: {type: string}}}
""",
    instead="""
events:
  LoanDueDateSet:         # lending publishes each due date; notices keeps its own copy
    producer: lending
    consumers: [{service: notices, read_model: DueDates}]
    channel: lending.events
    key: loanId
    schema:
      type: object
      required: [loanId, dueOn]
      properties: {loanId: {type: string}, dueOn: {type: string, format: date}}
read_models:
  DueDates: {owner: notices, sources: [LoanDueDateSet]}
""",
    sources=(REQUEST_REPLY,),
)
def check_request_reply(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        found = words(event.name)
        if len(found) < 2 or found[-1] != "requested":
            continue
        responders = {c.service for c in event.consumers if c.read_model is None}
        if len(responders) != 1:
            continue
        responder = next(iter(responders))
        if responder == event.producer:
            continue
        for reply in model.events.values():
            reply_words = words(reply.name)
            if (
                reply.producer == responder
                and reply_words[:-1] == found[:-1]
                and reply_words[-1] in REPLY_WORDS
                and any(c.service == event.producer for c in reply.consumers)
            ):
                yield finding(
                    "NAM004",
                    f"event '{event.name}' is answered by '{reply.name}': a request/reply "
                    f"between '{event.producer}' and '{responder}'",
                    model.locate(event.pointer),
                    hint=f"let '{event.producer}' query '{responder}' directly, or keep a read"
                    f" model of '{responder}''s events",
                    element=f"event {event.name}",
                    trace=(
                        f"{event.producer} emits {event.name}",
                        f"{responder} consumes it and emits {reply.name}",
                        f"{event.producer} consumes {reply.name}",
                    ),
                )
                break


@rule(
    "NAM005",
    "event-naming-style",
    family=FAMILY,
    severity="warning",
    summary="Every event name follows one style (system.naming, or the most common one).",
    what="""
Flags an event whose name does not follow the system's naming style. The style is
`system.naming` (PascalCase, dot.case, snake_case or kebab-case); with `auto` (the default) it
is the most common style among the events, ties going to the first in that list. A single
lower-case word fits any lower-case style; a name that fits no style is reported as having no
recognised style.
""",
    why="""
Event names become topic keys, CloudEvents `type` values, class names and schema-registry
subjects. Mixing `OrderPlaced`, `order.shipped` and `payment_failed` in one system breaks
naming-based routing and subscription filters, and makes names hard to guess for everyone who
writes a consumer.
""",
    example="""
events:
  book.returned:          # dot.case among PascalCase events
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
system:
  naming: PascalCase      # pinned, so the first event does not set the style by chance
events:
  BookReturned:
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        'CloudEvents 1.0 specification, "type" context attribute,'
        " https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md#type",
    ),
)
def check_naming_style(model: DesignModel) -> Iterator[Finding]:
    expected = expected_style(model)
    if expected is None:
        return
    for event in model.events.values():
        style = style_of(event.name)
        if style == expected or (style == "lower" and expected != "PascalCase"):
            continue
        shown = "no recognised style" if style in ("mixed", "lower") else style
        yield finding(
            "NAM005",
            f"event '{event.name}' uses {shown}; the events of this system use {expected}",
            model.locate(event.pointer),
            hint=f"rename it in {expected}, or pin the style with system.naming",
            element=f"event {event.name}",
        )


@rule(
    "NAM006",
    "crud-event",
    family=FAMILY,
    severity="warning",
    summary="An event named ...Updated, ...Changed, ...Modified, ...Saved or ...Edited says that"
    " a record changed, not what happened.",
    what="""
Flags an event whose name ends in a participle that says only that a record changed: updated,
changed, modified, saved, edited, altered, upserted or persisted. The check looks at the last
word of the name (or of its main clause, before a phrase such as `...ByAdmin`). Facts such as
`OrderDeleted` or `OrderCancelled` are not flagged.
""",
    why="""
`OrderUpdated` or `CustomerChanged` tells consumers only that a row changed: each must diff the
payload to find out what happened and guess why, every column becomes part of the contract,
and the business intent (a corrected address, a customer who moved, a quantity increased) is
lost. Name the business fact instead, one event per fact: `ShippingAddressCorrected`,
`CustomerRelocated`, `OrderQuantityIncreased`.
""",
    example="""
events:
  LoanUpdated:            # which change? consumers must diff the payload to find out
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema:
      type: object
      required: [loanId, dueOn]
      properties: {loanId: {type: string}, dueOn: {type: string, format: date}}
""",
    instead="""
events:
  LoanRenewed:            # the business fact, with the data it changed
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema:
      type: object
      required: [loanId, dueOn]
      properties: {loanId: {type: string}, dueOn: {type: string, format: date}}
""",
    sources=(
        EVENT_DRIVEN,
        ANTI_PATTERNS,
        DOMAIN_EVENTS,
    ),
)
def check_crud_events(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        participle = crud_participle(event.name)
        if participle is None:
            continue
        yield finding(
            "NAM006",
            f"event '{event.name}' says that something {participle} but not what happened in"
            " business terms",
            model.locate(event.pointer),
            hint="name the business fact, e.g. 'AddressCorrected' or 'OrderQuantityIncreased'",
            element=f"event {event.name}",
        )


@rule(
    "NAM007",
    "command-disguised-as-event",
    family=FAMILY,
    severity="warning",
    summary="An event named <Verb><Object>Requested (SendEmailRequested) or"
    " <Object><Verb>Requested (BagTagPrintRequested) is a command.",
    what="""
Flags an event of three or more words that ends in `Requested` and starts with a verb in the
imperative (`SendEmailRequested`, `ChargeCustomerRequested`), or puts that verb after its
object (`BagTagPrintRequested`). First words that usually head a noun phrase
(`OrderRefundRequested`, `TransferApprovalRequested`) and things a person asks for
(`AddressChangeRequested`, `PasswordResetRequested`) are left alone. A `...Requested` event
answered by a reply event is also NAM004.
""",
    why="""
`SendEmailRequested` asks another service to do something: the sender expects one handler to
act and cares whether it fails, yet as an event nobody owns the outcome, any number of services
may react, and a failure goes unnoticed. Model it as a command under `commands:` sent to its
handler, or publish the fact that made the work necessary (`OrderPlaced`) and let the other
service decide.
""",
    example="""
events:
  SendOverdueNoticeRequested:   # an instruction to notices, dressed as a fact
    producer: lending
    consumers: [notices]
    channel: lending.events
    key: loanId
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    instead="""
commands:
  SendOverdueNotice:      # a command with one handler, which owns the outcome
    handler: notices
    issuers: [lending]
    schema: {type: object, required: [loanId], properties: {loanId: {type: string}}}
""",
    sources=(
        COMMAND_MESSAGE,
        ANTI_PATTERNS,
    ),
)
def check_disguised_commands(model: DesignModel) -> Iterator[Finding]:
    for event in model.events.values():
        if not reads_as_disguised_command(event.name):
            continue
        yield finding(
            "NAM007",
            f"event '{event.name}' asks another service to do something: it is a command",
            model.locate(event.pointer),
            hint="model it as a command sent to its handler, or publish the fact behind it",
            element=f"event {event.name}",
        )
