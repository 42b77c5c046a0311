"""Time Protobuf compatibility: the Confluent corpus, and two 500-field `.proto` files.

    python3 bench/bench_protobuf.py [--repeat 5] [--fields 500]

The wide pair is timed in process (protoc compile of both files, Confluent's diff, buf's rules)
and through the command in a fresh Python process (start-up, imports, compile, diff, report),
beside a reference loop that says how fast the machine is now. It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from eventdesign.compat.history import SchemaVersion, check_history  # noqa: E402
from eventdesign.compat.schema_files import read_schema_file  # noqa: E402
from eventdesign.protobuf.confluent_diff import compare  # noqa: E402
from eventdesign.protobuf.schema import compile_schema  # noqa: E402
from eventdesign.protobuf.toolchain import ProtoSource  # noqa: E402
from eventdesign.rules.compat_catalogue import SEVERITIES  # noqa: E402
from machine import cached_bytecode_environment, reference_seconds  # noqa: E402

SCALARS = ("string", "int64", "int32", "bool", "double", "bytes")


def wide_proto(fields: int, changed_every: int = 0) -> str:
    """A payload of `fields` fields: scalars, nested messages, a oneof, an enum, maps.

    With `changed_every`, every n-th scalar changes type (int32 -> int64: registry-compatible,
    a WIRE_JSON break) so both analyses have work to report."""
    lines = ['syntax = "proto3";', "package bench.wide.v1;", "", "message Wide {"]
    for number in range(1, fields + 1):
        scalar = SCALARS[number % len(SCALARS)]
        if changed_every and number % changed_every == 0 and scalar == "int32":
            scalar = "int64"
        if number % 25 == 0:
            lines.append(f"  Part part_{number} = {number};")
        elif number % 40 == 0:
            lines.append(f"  map<string, int64> counts_{number} = {number};")
        elif number % 50 == 1:
            lines.append(f"  repeated {scalar} list_{number} = {number};")
        else:
            lines.append(f"  {scalar} field_{number} = {number};")
    lines += [
        "  oneof choice {",
        f"    string left = {fields + 1};",
        f"    int64 right = {fields + 2};",
    ]
    lines += ["  }", f"  Level level = {fields + 3};", "}", ""]
    lines += ["message Part {", "  string id = 1;", "  repeated string tags = 2;", "}", ""]
    lines += ["enum Level {", "  LEVEL_UNSPECIFIED = 0;", "  LEVEL_HIGH = 1;", "}", ""]
    return "\n".join(lines)


def best_of(repeat: int, work) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fields", type=int, default=500)
    args = parser.parse_args()
    print(f"reference loop: {reference_seconds():.2f} s (about 0.5 s on a quiet machine)")

    cases = json.loads((REPO_ROOT / "tests/data/compat/protobuf-backward.json").read_text())
    text_cases = [c for c in cases if "\n" in c["old"]]

    def run_corpus() -> None:
        for case in text_cases:
            old_files = {d["name"]: d["dependency"] for d in case.get("original_dependencies", [])}
            new_files = {d["name"]: d["dependency"] for d in case.get("update_dependencies", [])}
            compare(
                compile_schema(ProtoSource("s.proto", case["old"], "old", None, old_files)),
                compile_schema(ProtoSource("s.proto", case["new"], "new", None, new_files)),
            )

    corpus_time = best_of(args.repeat, run_corpus)
    print(
        f"Confluent corpus: {len(text_cases)} pairs (2 protoc compiles each) in "
        f"{corpus_time * 1000:.0f} ms"
    )

    with tempfile.TemporaryDirectory() as folder:
        old_file, new_file = Path(folder) / "old.proto", Path(folder) / "new.proto"
        old_file.write_text(wide_proto(args.fields), encoding="utf-8")
        new_file.write_text(wide_proto(args.fields, changed_every=7), encoding="utf-8")

        def in_process() -> None:
            versions = [
                SchemaVersion("old", read_schema_file(str(old_file))),
                SchemaVersion("new", read_schema_file(str(new_file))),
            ]
            check_history(versions, "FULL_TRANSITIVE", severities=SEVERITIES)

        wide = best_of(args.repeat, in_process)
        print(
            f"{args.fields}-field pair, FULL_TRANSITIVE, in process (read, 2 compiles, diff "
            f"both ways, buf rules): {wide * 1000:.0f} ms"
        )
        environment = cached_bytecode_environment(Path(folder) / "pycache")
        command = [sys.executable, str(REPO_ROOT / "scripts" / "grimoire.py"), "compat"]
        command += [str(old_file), str(new_file), "--mode", "FULL_TRANSITIVE", "--format", "json"]
        subprocess.run(command, env=environment, capture_output=True, check=False)  # warm cache

        def fresh_process() -> None:
            result = subprocess.run(command, env=environment, capture_output=True, check=False)
            assert result.returncode in (0, 1), result.stderr

        whole = best_of(args.repeat, fresh_process)
        report = subprocess.run(command, env=environment, capture_output=True, text=True).stdout
        warnings = json.loads(report)["verdicts"][0]["warnings"]
        print(
            f"{args.fields}-field pair through the command in a fresh process: "
            f"{whole * 1000:.0f} ms ({warnings} warnings reported)"
        )


if __name__ == "__main__":
    main()
