"""`grimoire export`: the design model as an AsyncAPI 3.0 document or a Markdown catalog."""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "export the model as AsyncAPI 3.0 or 2.6 (YAML/JSON) or a Markdown catalog with diagrams"
ORDER = 50
REQUIRES = ("yaml", "jsonschema")  # docs also needs jinja2, checked when asked for
DESCRIPTION = """\
Export MODEL for other tools and for people.

  export asyncapi MODEL [-o FILE] [--service NAME] [--asyncapi-version 3.0|2.6]
      AsyncAPI 3.0.0 for the whole system, or only the channels, operations and messages one
      service sends or receives; 2.6.0 for tooling still on 2.x (`subscribe` = the service
      sends, `publish` = it receives, per the 2.x specification). JSON when FILE ends in
      .json, YAML otherwise; no -o (or -o -) prints YAML. Servers come from brokers,
      operations from producers (send) and consumers (receive), headers from the envelope
      (CloudEvents binary mode, or the envelope's own header names), Kafka/AMQP bindings from
      channels. Commands are messages too: `receive` for the handler, `send` for each issuer
      (or, when none is declared, the orchestrator of a saga that sends it). Model details
      AsyncAPI has no field for go in `x-grimoire` / `x-service`; the root `x-grimoire`
      carries contexts, service policies, read models, sagas and the system settings, so
      `import asyncapi` gives back a model that checks like this one. What an imported
      contract said that the model has no field for (its `asyncapi:` keys: operationIds,
      security schemes, server bindings, tags, titles, named examples) is written back.
      Kafka consumer group ids are the consumers' `group_id`s; where none is stated the
      service name is offered as a marked suggestion (`examples`, not `enum`).
      A written file is marked as generated (a first comment line in YAML, a first
      `x-generated-by` member in JSON); a file without the mark is overwritten only with
      --force, the model never. A device or FIFO (-o /dev/stdout) is written into.

  export docs MODEL -o DIR
      A Markdown catalog: index.md, one page per event, service and saga, with Mermaid
      diagrams GitHub renders. Each generated file starts with a marker line; the export
      replaces and removes only marked files and refuses (exit 2) if a file without the
      marker is in the way (with --force such a file is replaced; a folder never is). The
      directory is updated all at once or not at all; the folder holding DIR must exist.

examples:
  export asyncapi design.yaml -o asyncapi.yaml
  export asyncapi design.yaml --service orders -o orders.asyncapi.json
  export asyncapi design.yaml --asyncapi-version 2.6 -o asyncapi-2.yaml
  export docs design.yaml -o docs/events

Exit codes: 0 written, 2 unusable input or a file in the way."""


def configure(parser: argparse.ArgumentParser) -> None:
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    targets.required = True
    asyncapi = targets.add_parser(
        "asyncapi",
        help="AsyncAPI 3.0.0 document (YAML or JSON)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    asyncapi.add_argument("model", metavar="MODEL", help="the design model (YAML)")
    asyncapi.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="output file; .json writes JSON, anything else YAML; '-' (default) prints YAML",
    )
    asyncapi.add_argument("--service", metavar="NAME", help="only what this service touches")
    asyncapi.add_argument(
        "--asyncapi-version",
        choices=("3.0", "2.6"),
        default="3.0",
        help="the AsyncAPI version to write (default 3.0)",
    )
    asyncapi.add_argument(
        "--force",
        action="store_true",
        help="overwrite FILE even if grimoire did not generate it (never the model itself)",
    )
    docs = targets.add_parser(
        "docs",
        help="Markdown catalog with Mermaid diagrams",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    docs.add_argument("model", metavar="MODEL", help="the design model (YAML)")
    docs.add_argument("-o", "--output", metavar="DIR", required=True, help="output directory")
    docs.add_argument(
        "--force",
        action="store_true",
        help="overwrite files in DIR's page paths that grimoire did not generate",
    )
    for sub in (asyncapi, docs):
        sub.add_argument(
            "--allow-outside",
            action="store_true",
            help="allow schema files outside the model's folder",
        )


def run(args: argparse.Namespace) -> int:
    from ..model.loader import load_model

    model = load_model(args.model, allow_outside=args.allow_outside)
    if args.target == "asyncapi":
        return _asyncapi(args, model)
    return _docs(args, model)


def _asyncapi(args: argparse.Namespace, model) -> int:
    import sys
    from pathlib import Path

    from ..errors import InputError
    from ..output import JSON_MARKER_KEY, json_marker, marker_line, write_file
    from ..render.asyncapi import build_asyncapi, dump_asyncapi
    from ..terminal import printable

    if args.service is not None and args.service not in model.services:
        known = ", ".join(sorted(model.services)) or "none"
        raise InputError(f"no service '{args.service}' in the model; services: {known}")
    document = build_asyncapi(model, args.service, args.asyncapi_version)
    if args.output == "-":
        sys.stdout.write(dump_asyncapi(document, "yaml"))
        return 0
    path = Path(args.output)
    command = f"{NAME} asyncapi"
    if path.suffix.lower() == ".json":
        fmt = "json"
        text = dump_asyncapi({JSON_MARKER_KEY: json_marker(command), **document}, fmt)
    else:
        fmt = "yaml"
        text = f"{marker_line('yaml', command)}\n{dump_asyncapi(document, fmt)}"
    write_file(path, text, force=args.force, inputs=[args.model])
    shown = printable(str(path))
    print(f"wrote AsyncAPI {document['asyncapi']} ({fmt.upper()}) to {shown}", file=sys.stderr)
    return 0


def _docs(args: argparse.Namespace, model) -> int:
    import sys
    from pathlib import Path

    from ..deps import require
    from ..output import write_tree
    from ..terminal import printable

    require("jinja2")
    from ..render.docs import DOCS_FOLDERS, DOCS_MARKER, render_docs

    files = render_docs(model)
    result = write_tree(
        Path(args.output), files, DOCS_MARKER, ".md", DOCS_FOLDERS, force=args.force
    )
    print(
        f"{printable(args.output)}: wrote {len(result.written)} Markdown files, "
        f"{result.unchanged} unchanged, removed {len(result.removed)} stale",
        file=sys.stderr,
    )
    return 0
