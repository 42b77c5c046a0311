"""Time `compat`: the shared corpus, a recursive union, wide schemas and a git history.

    python3 bench/bench_compat.py [--repeat 5] [--events 100] [--versions 20]

Prints the best of `--repeat` runs for each figure; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from eventdesign.cli import main  # noqa: E402
from eventdesign.rules.compatibility import check_schemas  # noqa: E402
from generate_model import generate_model  # noqa: E402
from machine import cached_bytecode_environment, reference_seconds  # noqa: E402

CORPUS_COPIES = REPO_ROOT / "tests" / "data" / "compat"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def corpus(name: str) -> list[dict]:
    path = CORPUS_COPIES / name if (CORPUS_COPIES / name).exists() else SHARED_CORPUS / name
    return json.loads(path.read_text(encoding="utf-8"))


def best_of(repeat: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def wide_schema(properties: int, max_length: int) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            f"field{i}": {"type": "string", "maxLength": max_length}
            if i % 2
            else {"type": "object", "properties": {"value": {"type": "number", "minimum": 0}}}
            for i in range(properties)
        },
        "required": [f"field{i}" for i in range(0, properties, 10)],
    }


def bench_recursive_union(repeat: int, json_cases: list[dict]) -> None:
    """Confluent's recursive trade union with one property changed deep inside."""
    from eventdesign.compat.deep_recursion import call_with_deep_stack
    from eventdesign.compat.jsonschema_diff import JsonSchemaDiff
    from eventdesign.compat.jsonschema_nodes import load_schema

    case = next(c for c in json_cases if c["id"].endswith("testRecursiveOneOfUnionTerminates"))
    old = case["old"]
    new = json.loads(json.dumps(old))
    new["definitions"]["Asset"]["properties"]["id"] = {"type": "number"}
    for label, update in (("identical", old), ("Asset.id string -> number", new)):
        seconds = best_of(repeat, lambda update=update: check_schemas([old, update], "FULL"))
        differ = JsonSchemaDiff()
        roots = load_schema(old, "old").root, load_schema(update, "new").root
        call_with_deep_stack(differ.differences, *roots)
        print(
            f"recursive oneOf union ({len(old['definitions'])} definitions), {label}, FULL: "
            f"{seconds * 1000:.0f} ms ({differ.passes} passes per direction)"
        )


def bench_wide_union(repeat: int) -> None:
    """The widest anyOf compat accepts, every branch compatible with every other under a
    warning: the matching must still pair each branch with its own counterpart."""
    from eventdesign.compat.jsonschema_nodes import MAX_COMBINED_SUBSCHEMAS

    branches = [
        {"type": "object", "required": [f"tag{i}"], "description": f"variant {i}"}
        for i in range(MAX_COMBINED_SUBSCHEMAS)
    ]
    old = {"anyOf": branches}
    half = len(branches) // 2
    for label, update in (
        ("identical", old),
        ("reordered", {"anyOf": branches[half:] + branches[:half]}),
    ):
        seconds = best_of(repeat, lambda update=update: check_schemas([old, update], "FULL"))
        print(f"{len(branches)}-branch anyOf, {label}, FULL: {seconds * 1000:.0f} ms")


def _git(repository: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=repository,
        check=True,
        capture_output=True,
    )


def committed_history(repository: Path, events: int, versions: int) -> Path:
    """A git repository whose model has `versions` commits; each commit relaxes a quarter of
    the events' schemas (a longer `reference`), and the working tree relaxes them once more."""
    import yaml

    model = generate_model(max(2, events // 5), events)
    model["system"]["compatibility"] = "BACKWARD_TRANSITIVE"
    design = repository / "design.yaml"
    _git(repository, "init", "-q")
    # Events whose payload has a bounded `reference` (the generator varies payload shapes).
    names = [
        name
        for name, event in model["events"].items()
        if "reference" in event.get("schema", {}).get("properties", {})
    ]
    for version in range(versions + 1):
        for index, name in enumerate(names):
            if version and index % 4 == version % 4:
                model["events"][name]["schema"]["properties"]["reference"]["maxLength"] += 1
        design.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
        if version < versions:
            _git(repository, "add", "design.yaml")
            _git(repository, "commit", "-q", "-m", f"version {version + 1}")
    return design


def bench_transitive_history(repeat: int, events: int, versions: int) -> None:
    """`compat --against HEAD` under BACKWARD_TRANSITIVE over a committed history."""
    with tempfile.TemporaryDirectory() as folder:
        repository = Path(folder) / "repo"
        repository.mkdir()
        design = committed_history(repository, events, versions)
        command = [
            sys.executable,
            str(REPO_ROOT / "scripts" / "grimoire.py"),
            "compat",
            "--against",
            "HEAD",
            str(design),
            "--format",
            "json",
        ]
        environment = cached_bytecode_environment(Path(folder) / "pycache")
        subprocess.run(command, env=environment, capture_output=True, check=False)  # warm-up
        outcome = subprocess.run(command, env=environment, capture_output=True, text=True)
        document = json.loads(outcome.stdout)
        checks = sum(len(v["checked"]) for v in document["verdicts"])
        seconds = best_of(
            repeat,
            lambda: subprocess.run(command, env=environment, capture_output=True, check=False),
        )
    print(
        f"--against HEAD, BACKWARD_TRANSITIVE, {events} events x {versions} committed versions "
        f"({checks} pair checks, exit {outcome.returncode}), fresh process: {seconds * 1000:.0f} ms"
    )


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--properties", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--versions", type=int, default=20)
    args = parser.parse_args()
    print(f"reference loop: {reference_seconds() * 1000:.0f} ms")

    json_cases = corpus("jsonschema-backward.json")
    avro_cases = corpus("avro-reader-writer.json")
    mode_cases = corpus("avro-modes.json")

    def run_json() -> None:
        for case in json_cases:
            check_schemas([case["old"], case["new"]], "BACKWARD")

    def run_avro() -> None:
        for case in avro_cases:
            check_schemas([case["reader"], case["writer"]], "FORWARD", "avro")
        for case in mode_cases:
            check_schemas([*case["previous"], case["new"]], case["mode"], "avro")

    json_time = best_of(args.repeat, run_json)
    avro_time = best_of(args.repeat, run_avro)
    print(f"JSON Schema corpus: {len(json_cases)} pairs in {json_time * 1000:.0f} ms")
    print(
        f"Avro corpus: {len(avro_cases)} pairs + {len(mode_cases)} mode histories "
        f"in {avro_time * 1000:.0f} ms"
    )
    print(f"whole corpus: {(json_time + avro_time) * 1000:.0f} ms")
    slowest_time, slowest_id = max(
        (best_of(1, lambda c=c: check_schemas([c["old"], c["new"]], "BACKWARD")), c["id"])
        for c in json_cases
    )
    print(f"slowest JSON Schema corpus case: {slowest_id} in {slowest_time * 1000:.0f} ms")
    bench_recursive_union(args.repeat, json_cases)
    bench_wide_union(args.repeat)
    bench_transitive_history(args.repeat, args.events, args.versions)

    old = wide_schema(args.properties, 50)
    new = wide_schema(args.properties, 40)
    same = best_of(args.repeat, lambda: check_schemas([old, old], "FULL"))
    changed = best_of(args.repeat, lambda: check_schemas([old, new], "FULL"))
    print(f"{args.properties}-property pair, identical, FULL: {same * 1000:.0f} ms")
    print(
        f"{args.properties}-property pair, every other maxLength lowered, FULL: "
        f"{changed * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory() as folder:
        old_file, new_file = Path(folder) / "old.json", Path(folder) / "new.json"
        old_file.write_text(json.dumps(old, indent=2), encoding="utf-8")
        new_file.write_text(json.dumps(new, indent=2), encoding="utf-8")
        arguments = ["compat", str(old_file), str(new_file), "--format", "json"]
        stdout = sys.stdout
        with open(Path(folder) / "out.json", "w", encoding="utf-8") as sink:
            try:
                sys.stdout = sink
                command = best_of(args.repeat, lambda: main(arguments))
            finally:
                sys.stdout = stdout
    print(
        f"{args.properties}-property files through the command (parse, metaschema, diff, "
        f"{args.properties // 2} located findings, JSON output): {command * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main_bench()
