"""`grimoire check`: validate a design model, then lint it with every registered rule."""

from __future__ import annotations

import argparse

NAME = "check"
HELP = "validate a design model and lint it (naming, topology, schemas, reliability, data, sagas)"
ORDER = 10
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Validate MODEL against the design-model format (every problem with file:line:column), then run
the lint rules: naming, topology, schemas and examples, envelope metadata, partition keys,
reliability (dual writes, idempotency, dead letters, ordering), data (PII, fat events) and
sagas. Each finding names its rule; `--explain RULE` says why it matters and how to fix it.

Rule selection: --select/--ignore take rule IDs, names or ID prefixes (NAM, TOP003,
fat-event); the model's `rules:` section sets select, ignore and severity (error, warning,
info, off). A command-line --select replaces the model's select. A preview rule runs only
when selected by its ID or name; a removed rule's ID names the rule that replaced it.

examples:
  check design.yaml
  check design.yaml --format sarif > grimoire.sarif
  check design.yaml --strict --ignore NAM005
  check --explain REL001
  check --explain REL001 --format json
  check --list-rules

Exit codes: 0 no errors (no warnings either with --strict), 1 findings at the failing
severity, 2 unusable input (the model cannot be read or does not match the format)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", metavar="MODEL", help="the design model (YAML)")
    parser.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--select", metavar="IDS", help="only these rules (comma-separated)")
    parser.add_argument("--ignore", metavar="IDS", help="skip these rules (comma-separated)")
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="allow schema files outside the model's folder",
    )
    parser.add_argument(
        "--max-payload-fields",
        type=_positive_int,
        metavar="N",
        help="top-level payload fields above which an event is fat (default 20, or the model's)",
    )
    info = parser.add_mutually_exclusive_group()
    info.add_argument("--explain", metavar="RULE", help="explain one rule (ID or name) and exit")
    info.add_argument("--list-rules", action="store_true", help="list every rule and exit")


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from ..errors import InputError
    from ..findings import exit_code
    from ..report import render_findings
    from ..rules import engine
    from ..rules.registry import all_rules, find_rule

    if args.list_rules:
        if args.format == "json":
            print(json.dumps({"rules": [r.as_dict() for r in all_rules()]}, indent=2))
            return 0
        for rule_ in all_rules():
            print(f"{rule_.id}  {rule_.severity:<7}  {rule_.name}  {rule_.summary}")
        return 0
    if args.explain:
        rule_ = find_rule(args.explain)
        if rule_ is None:
            raise InputError(f"no rule '{args.explain}'; see `check --list-rules`")
        if args.format == "json":
            print(json.dumps(rule_.as_dict(), indent=2))
            return 0
        print(f"{rule_.id} {rule_.name} ({rule_.family}, default severity {rule_.severity})")
        if rule_.lifecycle != "stable":
            replacement = f"; use {rule_.replaced_by}" if rule_.replaced_by else ""
            print(f"{rule_.lifecycle}{replacement}")
        print(rule_.summary)
        print()
        print(rule_.explanation)
        return 0
    if not args.model:
        raise InputError("give the design model to check (check MODEL), or --explain/--list-rules")

    from ..model.loader import load_model

    model = load_model(args.model, allow_outside=args.allow_outside)
    if args.max_payload_fields is not None:
        model = replace(
            model, system=replace(model.system, max_payload_fields=args.max_payload_fields)
        )
    selection = engine.selection_for(
        model, engine.split_patterns(args.select), engine.split_patterns(args.ignore)
    )
    findings = engine.run_rules(model, selection)
    print(render_findings(findings, args.format, command=NAME), end="")
    return exit_code(findings, "warning" if args.strict else "error")
