"""`grimoire saga verify`: explore every failure path of the model's sagas."""

from __future__ import annotations

import argparse

NAME = "saga"
HELP = "verify sagas: explore every failure path and report counterexample traces"
ORDER = 20
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
grimoire saga verify MODEL [--saga NAME] [--format text|json|sarif] [--strict]

Explore every failure point of each saga: each step failing, timing out, and each message
delivered twice (up to two faults per path), and check that every path ends completed or
compensated, with every completed compensatable step undone in reverse order. Each violation
is reported with its rule (SAG...) and a counterexample trace, one line per step:

  1. orders -> inventory: ReserveStock
  2. inventory: StockReserved
  3. orders -> payments: ChargePayment
  4. payments: PaymentFailed
  5. orders: compensating; nothing undoes ReserveStock
  6. end: ReserveStock by inventory stays in effect (no compensation)

A timeout means the step's outcome is unknown: a timed-out compensatable step is compensated
(so compensations must tolerate having nothing to undo), and a timed-out pivot must be retried
until it answers or escalated, never compensated around.

A `cancel` request is let in while each step is in flight (its reply arrives after the
cancel), each `timers:` entry may expire in any state until a stop event reached its owner (in
an orchestration: a participant's own expiry, armed and stopped by step replies), and
reactions run in every order the cancel and the timers make matter. A step
waiting for an outside `actor` fails when its deadline passes; a `repeat` redoes it up to its
bound; a `local` step's outcome is always known.

Checked: compensatable steps without compensation, compensations that repeat the step's own
command, pivots followed by steps that can fail, remote pivots that can time out without
unlimited retry or escalation, retriable steps that can fail for good, compensations that can
fail without retry, steps (and actors) without a deadline, consumers not idempotent for a saga
message, events nobody produces, undeclared commands and events, unreachable reactions,
reaction loops, paths that end neither completed nor compensated, saga messages without the
correlation field or keyed by another field, compensations that can overtake their step,
compensations on paths where their step never ran, a cancel or timer undoing a step after the
pivot, a cancel after the pivot with no defined outcome, and escalations that never fire.
`check` runs the same verification; `check --explain SAG010` explains a rule. The model's
`rules:` section (ignore, severity) applies here too.

Every run ends with what was explored, per saga: stages (or reactions), states, path ends,
faults per path, cancel points, timer races, outcomes, and whether exploration was complete
(`explored` in JSON).

Exit codes: 0 no errors (no warnings either with --strict), 1 findings at the failing
severity, 2 unusable input (the model cannot be read, or --saga names no saga)."""


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="explore the failure paths of the model's sagas",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("model", metavar="MODEL", help="the design model (YAML)")
    verify.add_argument(
        "--saga", action="append", metavar="NAME", help="only this saga (repeatable)"
    )
    verify.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    verify.add_argument("--strict", action="store_true", help="warnings fail the run too")
    verify.add_argument(
        "--allow-outside",
        action="store_true",
        help="allow schema files outside the model's folder",
    )


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..findings import exit_code
    from ..model.loader import load_model
    from ..report import render_findings
    from ..rules import engine
    from ..rules.sagas import verify_with_coverage

    model = load_model(args.model, allow_outside=args.allow_outside)
    names = args.saga
    if names:
        unknown = [name for name in names if name not in model.sagas]
        if unknown:
            known = ", ".join(model.sagas) or "none"
            raise InputError(
                f"no saga named {', '.join(repr(n) for n in unknown)} in the model "
                f"(sagas: {known})",
                args.model,
            )
    selection = engine.selection_for(model)
    verified, coverage = verify_with_coverage(model, names)
    findings = [
        f._replace(severity=selection.severity.get(f.rule, f.severity))
        for f in verified
        if f.rule in selection.ids
    ]
    text = render_findings(
        findings,
        args.format,
        command=NAME,
        notes=[f"explored: {c.describe()}" for c in coverage],
        extra={"explored": [c.as_dict() for c in coverage]},
    )
    print(text, end="")
    return exit_code(findings, "warning" if args.strict else "error")
