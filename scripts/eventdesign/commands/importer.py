"""`grimoire import asyncapi`: bootstrap a design model from an AsyncAPI 2.x or 3.0 document."""

from __future__ import annotations

import argparse

NAME = "import"
HELP = "bootstrap a design model from an AsyncAPI 2.x or 3.0 document"
ORDER = 60
REQUIRES = ("yaml", "jsonschema")
DESCRIPTION = """\
Write a design model (grimoire/1) from an AsyncAPI document (YAML or JSON, one file; local
$refs only): events from messages, channels and brokers from channels and servers,
producers and consumers from operations.

  import asyncapi FILE -o MODEL [--force] [--invert-2x-operations]

Who sends: 3.0 `send` / `receive` say it directly. 2.x is read per its specification:
`subscribe` = the application SENDS to the channel, `publish` = it RECEIVES from it. Many
2.x documents were written the other way round; when an operation's id or summary says so
("publishOrder" under `publish`), a note says which, and --invert-2x-operations reads
`publish` as sending and `subscribe` as receiving.
Which service: the operation's `x-service`, else an operation tag `service:NAME`, else the
document's `x-service`, else `info.title` (one application per document).
Messages no operation sends get the producer `external`. Every guess and every default
filled in (service policies, event kinds and versions, compatibility, envelope) is printed as
a note on stderr; review them and run `check` on the result. A document `export asyncapi`
wrote carries its model in `x-grimoire` extensions: commands, contexts, service policies,
read models, sagas and settings come back as they were.
What the model has no field for (operationIds, tags, info contact/license/terms, security
schemes, server and operation bindings, message titles, header schemas, named examples,
servers of other protocols) is kept under `asyncapi:` keys, so `export asyncapi` writes it
back. Kafka bindings become model fields: the message key (when it names a payload field);
on the channel partitions, retention.ms (retention), cleanup.policy (cleanup), replicas and
min.insync.replicas (replication) and the rest of the topic configuration (topic_config);
groupId and clientId on each consumer (group_id, client_id). Header names make the envelope
(CloudEvents or the team's own names, kept as they are). A 3.0 reply is sent by the service
that receives the request. A definition several payloads share is written once (YAML anchor).
MODEL is never overwritten without --force.

examples:
  import asyncapi asyncapi.yaml -o design.yaml
  import asyncapi orders.asyncapi.json -o design.yaml --force
  import asyncapi legacy-2x.yaml -o design.yaml --invert-2x-operations

Exit codes: 0 written, 2 unusable input or MODEL exists."""


def configure(parser: argparse.ArgumentParser) -> None:
    sources = parser.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True
    asyncapi = sources.add_parser(
        "asyncapi",
        help="AsyncAPI 2.x or 3.0 (YAML or JSON)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    asyncapi.add_argument("file", metavar="FILE", help="the AsyncAPI document")
    asyncapi.add_argument(
        "-o", "--output", metavar="MODEL", required=True, help="the design model to write"
    )
    asyncapi.add_argument("--force", action="store_true", help="overwrite MODEL if it exists")
    asyncapi.add_argument(
        "--invert-2x-operations",
        action="store_true",
        help="read 2.x `publish` as the application sending and `subscribe` as receiving",
    )


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..errors import InputError
    from ..importer import import_asyncapi
    from ..importer.model_text import model_yaml
    from ..model.loader import validate_model_data
    from ..model.source import load_document, parse_yaml
    from ..output import OutputConflict, write_file
    from ..terminal import printable

    target = Path(args.output)
    if target.is_file() and not args.force:  # fail before the work; write_file decides
        raise OutputConflict(
            "already exists; pass --force to overwrite it or choose another path", str(target)
        )
    source = load_document(Path(args.file), args.file)
    result = import_asyncapi(source.data, args.file, args.invert_2x_operations)
    body = model_yaml(result.model, result.shared)
    text = f"# Imported from {Path(args.file).name} by `grimoire import asyncapi`.\n{body}"
    problems = validate_model_data(parse_yaml(text, str(target)))
    if problems:
        raise InputError(
            "the imported model does not match the grimoire/1 format; the document holds "
            "something the importer cannot map",
            args.file,
            details=[f"{location}: {message}" for location, message in problems],
        )
    write_file(target, text, force=args.force, inputs=[args.file])
    for note in result.notes:
        print(f"note: {printable(note)}", file=sys.stderr)
    events = len(result.model.get("events", {}))
    services = len(result.model.get("services", {}))
    print(f"wrote {printable(str(target))}: {events} events, {services} services", file=sys.stderr)
    return 0
