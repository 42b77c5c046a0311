"""Hostile inputs for every command, one entry per class of attack, generated (never committed).

Each case is a set of files to lay out in a fresh folder and the command lines to run on
them. The large ones (a 2,000-link `$ref` chain, 2,000 `allOf` entries, a 1,000-step saga)
are built here at test time. Sources: the classes an attack on every command found (crashes,
hangs, clobbered files), written out as the smallest input that shows each.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
CLEAN = yaml.safe_load((DATA / "check" / "clean.yaml").read_text(encoding="utf-8"))
PLACEHOLDER = "HOSTILE-VALUE"

# Every command that reads a design model, with the outputs it may create (relative paths).
MODEL_COMMANDS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "check": (["check", "design.yaml"], ()),
    "saga": (["saga", "verify", "design.yaml"], ()),
    "diagram": (["diagram", "design.yaml", "--out", "out"], ("out",)),
    "markdown": (["diagram", "design.yaml", "--markdown", "out.md"], ("out.md",)),
    "asyncapi": (["export", "asyncapi", "design.yaml", "-o", "out.json"], ("out.json",)),
    "docs": (["export", "docs", "design.yaml", "-o", "docs"], ("docs",)),
    "transport": (["transport", "design.yaml", "--format", "json"], ()),
    "capacity": (["capacity", "design.yaml"], ()),
}


@dataclass(frozen=True)
class Case:
    """Files to create (relative path -> bytes), the commands to run, what they may write."""

    name: str
    files: dict[str, bytes]
    commands: dict[str, tuple[list[str], tuple[str, ...]]] = field(
        default_factory=lambda: MODEL_COMMANDS
    )
    # Exit codes a careful user expects; the default is any clean verdict or refusal.
    exits: tuple[int, ...] = (0, 1, 2)


def model(change=None, raw: str | None = None) -> bytes:
    """The clean model with `change(data)` applied; `raw` YAML replaces PLACEHOLDER's value."""
    data = copy.deepcopy(CLEAN)
    if change is not None:
        change(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=1000)
    if raw is not None:
        text = text.replace(f"'{PLACEHOLDER}'", raw).replace(PLACEHOLDER, raw)
    return text.encode("utf-8")


def _set(path: str, value):
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return change


def _schema(schema, examples=()):
    def change(data: dict) -> None:
        event = data["events"]["OrderPlaced"]
        event.update(schema=schema, examples=list(examples), pii=[])

    return change


def _ref_chain(links: int) -> dict:
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(links)}
    defs[f"d{links}"] = {"type": "string"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs}


def _long_saga(steps: int):
    def change(data: dict) -> None:
        step = {
            "participant": "billing",
            "command": "IssueInvoice",
            "reply": "InvoiceIssued",
            "kind": "compensatable",
            "timeout": "30s",
            "compensation": {
                "command": "IssueInvoice",
                "reply": "InvoiceIssued",
                "retry": {"max_attempts": "unlimited", "backoff": "5s"},
            },
        }
        data["sagas"] = {
            "Long": {
                "style": "orchestration",
                "orchestrator": "orders",
                "trigger": "OrderPlaced",
                "correlation": "orderId",
                "steps": [{"name": f"step-{i}", **step} for i in range(steps)],
            }
        }

    return change


def model_cases() -> list[Case]:
    one = {"design.yaml": model()}
    tagged = {
        "huge-int": "9" * 5_000,
        "huge-hex-int": "0x" + "f" * 5_000,
        "bool-maybe": "!!bool maybe",
        "timestamp-not-a-date": "!!timestamp notadate",
        "int-x": "!!int x",
        "float-abc": "!!float abc",
        "nan": ".nan",
        "infinity": "-.inf",
        "binary": "!!binary aGVsbG8=",
        "lone-surrogate": '"\\ud800"',
        "unknown-tag": "!python/object:os.system echo",
    }
    cases = [Case("clean", one)]
    cases += [
        Case(name, {"design.yaml": model(_set("system.max_payload_fields", PLACEHOLDER), raw)})
        for name, raw in tagged.items()
    ]
    cases += [
        Case(
            "binary-example",
            {"design.yaml": model(_set("events.OrderPlaced.examples", [PLACEHOLDER]), raw)},
        )
        for raw in ["!!binary aGVsbG8="]
    ]
    cases.append(
        Case(
            "lone-surrogate-key",
            {
                "design.yaml": model(
                    _set("events.OrderPlaced.schema.properties", PLACEHOLDER),
                    '{"\\udc80": {type: string}}',
                )
            },
        )
    )
    string = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas = {
        "invalid-regex": (
            {**string, "properties": {"id": {"type": "string", "pattern": "(unclosed"}}},
            [{"id": "x"}],
        ),
        "catastrophic-regex": (
            {**string, "properties": {"id": {"type": "string", "pattern": "^(a+)+$"}}},
            [{"id": "a" * 40 + "!"}],
        ),
        "catastrophic-pattern-properties": (
            {"type": "object", "patternProperties": {"^(a|a)+$": {"type": "string"}}},
            [{"a" * 40 + "!": "x"}],
        ),
        "unicode-digit-ref": (
            {**string, "required": ["id"], "properties": {"id": {"$ref": "#/required/²"}}},
            [],
        ),
        "huge-index-ref": (
            {
                **string,
                "required": ["id"],
                "properties": {"id": {"$ref": "#/required/" + "9" * 5000}},
            },
            [],
        ),
        "anyof-self-recursion": ({"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}, [{"id": "x"}]),
        "ref-chain-2000": (_ref_chain(2_000), [{"x": "y"}]),
        "allof-2000": ({"allOf": [string] * 2_000}, [{"id": "x"}]),
        "null-schema": (None, []),
        "number-schema": (3, []),
    }
    cases += [
        Case(name, {"design.yaml": model(_schema(schema, examples))})
        for name, (schema, examples) in schemas.items()
    ]
    cases += [
        Case("blank-descriptions", {"design.yaml": model(_blank_descriptions)}),
        Case("control-characters", {"design.yaml": model(_control_characters)}),
        Case(
            "huge-name", {"design.yaml": model(_set("events.OrderPlaced.producer", "x" * 100_000))}
        ),
        Case("saga-1000-steps", {"design.yaml": model(_long_saga(1_000))}),
        Case(
            "schema-file-is-a-directory",
            {"design.yaml": model(_schema("payload.json")), "payload.json/keep": b""},
        ),
    ]
    return cases


def _blank_descriptions(data: dict) -> None:
    data["system"]["description"] = ""
    data["events"]["OrderPlaced"]["description"] = "   "
    data["services"]["orders"]["description"] = "\n"
    data["contexts"]["Ordering"]["description"] = ""


def _control_characters(data: dict) -> None:
    bad = "Order\x1b[31m\x07Placed\nFAKE: error\x00"
    event = data["events"].pop("OrderPlaced")
    data["events"][bad] = event
    data["read_models"]["OrderHistory"]["sources"] = [bad, "InvoiceIssued"]
    data["services"]["orders"]["context"] = "\x1b]0;title\x07"


def compat_cases() -> list[Case]:
    string = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas = {
        "null": None,
        "number": 3,
        "string": "text",
        "dict-dollar-schema": {"$schema": {"x": 1}, "type": "object"},
        "invalid-regex": {"type": "object", "patternProperties": {"(": {"type": "string"}}},
        "catastrophic-pattern-properties": {
            "type": "object",
            "patternProperties": {"^(a+)+$": {"type": "string"}},
            "additionalProperties": False,
        },
        "allof-2000": {"allOf": [string] * 2_000},
        "allof-2000-distinct": {
            "allOf": [{"type": "object", "properties": {f"p{i}": {}}} for i in range(2_000)]
        },
        "ref-chain-2000": _ref_chain(2_000),
        "anyof-self-recursion": {"anyOf": [{"$ref": "#"}, {"$ref": "#"}]},
        "unicode-digit-ref": {"required": ["id"], "properties": {"id": {"$ref": "#/required/²"}}},
    }
    cases = []
    # The old schema declares a property the new one would have to match by pattern.
    string = {"type": "object", "properties": {"a" * 40 + "!": {"type": "string"}}}
    for name, schema in schemas.items():
        text = json.dumps(schema).encode("utf-8")
        cases.append(
            Case(
                f"compat-{name}",
                {"old.json": json.dumps(string).encode("utf-8"), "new.json": text},
                {
                    "compat": (["compat", "old.json", "new.json"], ()),
                    "compat-reverse": (["compat", "new.json", "old.json", "--mode", "FULL"], ()),
                },
            )
        )
    for name, raw in {
        "huge-int": "1" + "0" * 5000,
        "nan": "NaN",
        "huge-float": "1e999",
        "lone-surrogate": '"\\ud800"',
    }.items():
        text = b'{"type": "object", "default": ' + raw.encode() + b"}"
        cases.append(
            Case(
                f"compat-{name}",
                {"old.json": text, "new.json": text},
                {"compat": (["compat", "old.json", "new.json"], ())},
            )
        )
    return cases


def asyncapi_cases() -> list[Case]:
    base = {
        "asyncapi": "3.0.0",
        "info": {"title": "svc", "version": "1"},
        "channels": {"a": {"address": "a", "messages": {"M": {"payload": {"type": "string"}}}}},
        "operations": {"send": {"action": "send", "channel": {"$ref": "#/channels/a"}}},
    }
    variants = {
        "servers-list": {"servers": ["x"]},
        "servers-string": {"servers": "x"},
        "channels-list": {"channels": ["a"]},
        "channels-string": {"channels": "a"},
        "operations-list": {"operations": [1]},
        "operations-number": {"operations": 5},
        "messages-list": {"components": {"messages": ["M"]}},
        "channel-messages-string": {"channels": {"a": {"address": "a", "messages": "M"}}},
        "channel-item-list": {"channels": {"a": ["x"]}},
        "operation-string": {"operations": {"send": "x"}},
        "channel-ref-without-messages": {
            "channels": {"a": {"$ref": "#/components/channels/b"}},
            "components": {"channels": {"b": {"address": "b"}}},
        },
        "asyncapi-26-wrong-types": {"asyncapi": "2.6.0", "channels": {"a": {"publish": "x"}}},
        "info-list": {"info": ["x"]},
        "channel-bindings-list": {
            "channels": {"a": {"address": "a", "bindings": ["kafka"], "messages": {}}}
        },
        "message-payload-list": {
            "channels": {"a": {"address": "a", "messages": {"M": {"payload": [1], "headers": 3}}}}
        },
        "message-not-mapping": {"channels": {"a": {"address": "a", "messages": {"M": 5}}}},
    }
    cases = []
    for name, patch in variants.items():
        document = {**base, **patch}
        cases.append(
            Case(
                f"import-{name}",
                {"api.yaml": yaml.safe_dump(document).encode("utf-8")},
                {
                    "import": (
                        ["import", "asyncapi", "api.yaml", "-o", "model.yaml"],
                        ("model.yaml",),
                    )
                },
            )
        )
    return cases


def all_cases() -> list[Case]:
    return [*model_cases(), *compat_cases(), *asyncapi_cases()]
