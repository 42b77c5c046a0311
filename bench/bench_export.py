"""Time `export`: AsyncAPI (YAML and JSON) and the Markdown catalog of a 1,000-event model.

    python3 bench/bench_export.py [--events 1000] [--services 200] [--sagas 20]
                                  [--commands 200] [--repeat 5] [--model FILE]

The headline figures are the commands as a user runs them: `grimoire.py export asyncapi MODEL
-o FILE` and `grimoire.py export docs MODEL -o DIR` (a new directory each time), each in a fresh
Python process, best wall time of `--repeat` runs, interpreter start and model loading
included. They are measured twice: with Python's bytecode caches (and the compiled templates
that live beside them) written by a first run, as on a user's machine, in a temporary
`PYTHONPYCACHEPREFIX` so the checkout is left alone; and in this shell's own environment
as it is (under PYTHONDONTWRITEBYTECODE with stale caches, every module compiles again).

Then the breakdown inside one process: loading the model, building and serialising the
AsyncAPI document, rendering the catalog, and writing it to a new directory, an unchanged
one and one where every page changed; and the first export of a process, which pays for
imports and cold caches. The model comes from bench/generate_model.py plus `--commands`
commands (each handled by one service and issued by the next; every other one on a
channel), or from `--model`. The script prints figures and asserts nothing; the target is
each export command under 1 s for 1,000 events.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY = REPO_ROOT / "scripts" / "grimoire.py"
sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from eventdesign.model.loader import load_model  # noqa: E402
from eventdesign.output import write_file, write_tree  # noqa: E402
from eventdesign.render.asyncapi import build_asyncapi, dump_asyncapi  # noqa: E402
from eventdesign.render.docs import DOCS_FOLDERS, DOCS_MARKER, render_docs  # noqa: E402
from generate_model import generate_model  # noqa: E402
from machine import cached_bytecode_environment, reference_seconds  # noqa: E402


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """(best wall-clock seconds, best CPU seconds of this process) over `repeat` runs.

    Each run starts from a collected heap and runs with the cyclic collector paused, as a
    command's run does in its own process (the console entry pauses it)."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        finally:
            gc.enable()
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
    print(f"{label:<40}{wall * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU {extra}".rstrip())


def command_wall(arguments: list[str], cwd: Path, environment: dict[str, str]) -> float:
    """Wall seconds of one `grimoire.py ARGUMENTS` run in a fresh Python process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ENTRY), *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"grimoire {' '.join(arguments)} failed:\n{done.stderr}")
    return wall


def time_commands(
    label: str, model_path: Path, work: Path, environment: dict[str, str], repeat: int
) -> None:
    """Best wall time of `export asyncapi` and `export docs` (a new directory each run)."""
    folders = (work / f"docs-{label}-{index}" for index in range(10**6))
    commands = {
        "export asyncapi (YAML)": lambda: ["export", "asyncapi", str(model_path), "-o", "a.yaml"],
        "export asyncapi (JSON)": lambda: ["export", "asyncapi", str(model_path), "-o", "a.json"],
        "export docs (new directory)": lambda: [
            "export",
            "docs",
            str(model_path),
            "-o",
            str(next(folders)),
        ],
    }
    for name, arguments in commands.items():
        command_wall(arguments(), work, environment)  # writes the caches when they are kept
        best = min(command_wall(arguments(), work, environment) for _ in range(repeat))
        verdict = "under" if best < 1.0 else "OVER"
        print(f"  {name:<38}{best * 1000:9.1f} ms wall ({verdict} the 1 s target)")
    print(f"  reference loop after: {reference_seconds():.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--sagas", type=int, default=20)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", type=Path, help="time this model instead of a generated one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.model is not None:
            model_path = args.model.resolve()
        else:
            model_path = work / "design.yaml"
            data = generate_model(args.services, args.events, args.sagas)
            data["commands"] = synthetic_commands(data, args.commands)
            model_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        model = load_model(model_path)
        print(
            f"model: {len(model.events)} events, {len(model.services)} services, "
            f"{len(model.channels)} channels, {len(model.commands)} commands, "
            f"{len(model.sagas)} sagas "
            f"({model_path.stat().st_size:,} bytes of YAML); best of {args.repeat}; "
            f"reference loop {reference_seconds():.2f} s"
        )

        print("fresh process, bytecode and template caches written by a first run:")
        cached = cached_bytecode_environment(work / "pycache")
        time_commands("cached", model_path, work, cached, args.repeat)
        inherited = (
            ", PYTHONDONTWRITEBYTECODE set" if "PYTHONDONTWRITEBYTECODE" in os.environ else ""
        )
        print(f"fresh process, this shell's environment as it is{inherited}:")
        time_commands("inherited", model_path, work, dict(os.environ), args.repeat)

        print("inside one process (collector paused per run, as the console entry does):")
        # The first export in a process pays for imports, template loading and cold escape
        # caches, as one CLI run does.
        first = best_of(
            1,
            lambda: (
                write_file(
                    work / "asyncapi.yaml",
                    dump_asyncapi(build_asyncapi(model), "yaml"),
                    force=True,  # the bench rewrites its own file each round
                ),
                write_tree(work / "first", render_docs(model), DOCS_MARKER, ".md", DOCS_FOLDERS),
            ),
        )
        show(
            "load model (not part of export)", best_of(args.repeat, lambda: load_model(model_path))
        )
        show("asyncapi build", best_of(args.repeat, lambda: build_asyncapi(model)))
        show(
            "asyncapi 2.6 build",
            best_of(args.repeat, lambda: build_asyncapi(model, version="2.6")),
        )
        document = build_asyncapi(model)
        text = dump_asyncapi(document, "yaml")
        show(
            "asyncapi YAML text",
            best_of(args.repeat, lambda: dump_asyncapi(document, "yaml")),
            f"({len(text):,} bytes)",
        )
        show("asyncapi JSON text", best_of(args.repeat, lambda: dump_asyncapi(document, "json")))
        show(
            "asyncapi write file",
            best_of(args.repeat, lambda: write_file(work / "a.yaml", text, force=True)),
        )
        asyncapi_total = best_of(
            args.repeat,
            lambda: write_file(
                work / "asyncapi.yaml", dump_asyncapi(build_asyncapi(model), "yaml"), force=True
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

    show("in-process export asyncapi (YAML)", asyncapi_total)
    show("in-process export docs (new directory)", docs_total)
    show("first export in this process", first, "(imports, cold template and escape caches)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
