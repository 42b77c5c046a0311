"""Time `export`: AsyncAPI (YAML and JSON) and the Markdown catalog of a 1,000-event model.

    python3 bench/bench_export.py [--events 1000] [--services 200] [--sagas 20]
                                  [--commands 200] [--repeat 5]

The model comes from bench/generate_model.py, plus `--commands` commands (each handled by one
service and issued by the next; every other one on a channel). Prints the best of `--repeat`
runs for each step (building, serialising, rendering, writing) and the totals; it asserts
nothing. The target is an export (AsyncAPI + docs, written to disk) under 1 s for 1,000
events.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from eventdesign.model.loader import load_model  # noqa: E402
from eventdesign.output import write_file, write_tree  # noqa: E402
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi  # noqa: E402
from eventdesign.render.docs import DOCS_FOLDERS, DOCS_MARKER, render_docs  # noqa: E402
from generate_model import generate_model  # noqa: E402


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """(best wall-clock seconds, best CPU seconds of this process) over `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def synthetic_commands(model: dict, count: int) -> dict:
    """Commands between the model's services, every other one on one of its channels."""
    services = list(model["services"])
    channels = list(model.get("channels") or {})
    commands = {}
    for number in range(count if services else 0):
        command: dict = {
            "handler": services[number % len(services)],
            "issuers": [services[(number + 1) % len(services)]],
            "schema": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}},
            },
        }
        if channels and number % 2 == 0:
            command["channel"] = channels[number % len(channels)]
        commands[f"DoThing{number:04d}"] = command
    return commands


def show(label: str, figures: tuple[float, float], extra: str = "") -> None:
    wall, cpu = figures
    print(f"{label:<36}{wall * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU {extra}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--sagas", type=int, default=20)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        model_path = work / "design.yaml"
        data = generate_model(args.services, args.events, args.sagas)
        data["commands"] = synthetic_commands(data, args.commands)
        model_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        model = load_model(model_path)
        print(
            f"model: {len(model.events)} events, {len(model.services)} services, "
            f"{len(model.channels)} channels, {len(model.commands)} commands, "
            f"{len(model.sagas)} sagas "
            f"({model_path.stat().st_size:,} bytes of YAML); best of {args.repeat}"
        )
        # The first export in a process pays for template compilation and cold escape caches,
        # as one CLI run does.
        first = best_of(
            1,
            lambda: (
                write_file(work / "asyncapi.yaml", dump_asyncapi(build_asyncapi(model), "yaml")),
                write_tree(work / "first", render_docs(model), DOCS_MARKER, ".md", DOCS_FOLDERS),
            ),
        )
        show(
            "load model (not part of export)", best_of(args.repeat, lambda: load_model(model_path))
        )
        show("asyncapi build", best_of(args.repeat, lambda: build_asyncapi(model)))
        document = build_asyncapi(model)
        text = dump_asyncapi(document, "yaml")
        show(
            "asyncapi YAML text",
            best_of(args.repeat, lambda: dump_asyncapi(document, "yaml")),
            f"({len(text):,} bytes)",
        )
        show("asyncapi JSON text", best_of(args.repeat, lambda: dump_asyncapi(document, "json")))
        show("asyncapi write file", best_of(args.repeat, lambda: write_file(work / "a.yaml", text)))
        asyncapi_total = best_of(
            args.repeat,
            lambda: write_file(
                work / "asyncapi.yaml", dump_asyncapi(build_asyncapi(model), "yaml")
            ),
        )
        files = render_docs(model)
        show(f"docs render ({len(files)} pages)", best_of(args.repeat, lambda: render_docs(model)))
        # Every timed write goes to a directory of its own, and nothing is deleted between
        # runs: on this ext4 (mounted with `discard`) creating files right after deleting
        # thousands of them is several times slower, which would measure the bench, not us.
        targets = (work / f"docs-{index}" for index in range(10**6))
        show(
            "docs write, new directory",
            best_of(args.repeat, lambda: write_tree(next(targets), files, DOCS_MARKER, ".md")),
        )
        docs = work / "docs"
        write_tree(docs, files, DOCS_MARKER, ".md", DOCS_FOLDERS)
        show(
            "docs write, nothing changed",
            best_of(args.repeat, lambda: write_tree(docs, files, DOCS_MARKER, ".md", DOCS_FOLDERS)),
        )
        edited = {path: text + "\n" for path, text in files.items()}
        rounds = iter(range(10**6))

        def changed_write() -> None:
            pages = edited if next(rounds) % 2 == 0 else files
            write_tree(docs, pages, DOCS_MARKER, ".md", DOCS_FOLDERS)

        show("docs write, every page changed", best_of(args.repeat, changed_write))
        docs_total = best_of(
            args.repeat,
            lambda: write_tree(next(targets), render_docs(model), DOCS_MARKER, ".md", DOCS_FOLDERS),
        )

    show("TOTAL export asyncapi (YAML)", asyncapi_total)
    show("TOTAL export docs (new directory)", docs_total)
    total = (asyncapi_total[0] + docs_total[0], asyncapi_total[1] + docs_total[1])
    verdict = "under" if total[0] < 1.0 else "OVER"
    show("TOTAL asyncapi + docs", total, f"(wall {verdict} the 1 s target)")
    show("first export in this process", first, "(cold template and escape caches)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
