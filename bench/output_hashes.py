"""Hash every command's output on the bundled examples, the test models and the bench models.

    python3 bench/output_hashes.py > before.txt   # on one commit
    python3 bench/output_hashes.py > after.txt    # on another
    diff before.txt after.txt                     # empty: outputs are byte-identical

One line per run: the command (paths relative to the repository), its exit code and the
SHA-256 of its stdout, stderr and any files it wrote. A refactoring that changes no behaviour
keeps every line. The runs: `check` (text, json, sarif), `saga verify` (text, json, sarif),
`diagram`, `export asyncapi` (3.0 YAML and JSON, 2.6), `export docs`, `transport` and
`capacity` (text, json) on every design model; `check --list-rules` and `check --explain` for
every rule in text and json; `compat` (text, json, sarif, markdown) on each rule's case and on
the schema files under tests/data/compat.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "scripts" / "grimoire.py"
sys.path.insert(0, str(ROOT / "bench"))

from generate_model import generate_model  # noqa: E402

MODEL_COMMANDS = (
    ("check", "{model}", "--format", "text"),
    ("check", "{model}", "--format", "json"),
    ("check", "{model}", "--format", "sarif"),
    ("saga", "verify", "{model}", "--format", "text"),
    ("saga", "verify", "{model}", "--format", "json"),
    ("saga", "verify", "{model}", "--format", "sarif"),
    ("diagram", "{model}"),
    ("export", "asyncapi", "{model}"),
    ("export", "asyncapi", "{model}", "-o", "{out}/asyncapi.json"),
    ("export", "asyncapi", "{model}", "--asyncapi-version", "2.6"),
    ("export", "docs", "{model}", "-o", "{out}/docs"),
    ("transport", "{model}", "--format", "text"),
    ("transport", "{model}", "--format", "json"),
    ("capacity", "{model}", "--format", "text"),
    ("capacity", "{model}", "--format", "json"),
)
COMPAT_FORMATS = ("text", "json", "sarif", "markdown")
SUFFIX = {"jsonschema": ".json", "avro": ".avsc", "protobuf": ".proto"}


def design_models() -> list[Path]:
    """The bundled examples and every design model (format grimoire/...) under tests/data."""
    found = sorted(ROOT.glob("examples/*/design.yaml"))
    for path in sorted((ROOT / "tests" / "data").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "format: grimoire/" in text or "format: 'grimoire/" in text:
            found.append(path)
    return found


# Folders whose names vary per run or per checkout, and what they are replaced with.
VARYING: dict[str, str] = {str(ROOT): "{root}"}


def steady(data: bytes, out: Path) -> bytes:
    """data with the varying folder names replaced, so two runs can be compared."""
    for folder, token in {str(out): "{out}", **VARYING}.items():
        data = data.replace(folder.encode(), token.encode())
    return data


def digest_tree(folder: Path) -> str:
    """SHA-256 over the relative names and bytes of every file under folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder)).encode()
        digest.update(name + b"\0" + steady(path.read_bytes(), folder))
    return digest.hexdigest()[:16]


# Scratch folder names of letters and digits only: a name with `_` or `-` would be escaped
# in Markdown output, where replacing the plain name would miss it.
RUN_NUMBERS = itertools.count()


def scratch_folder(kind: str) -> Path:
    folder = Path(tempfile.gettempdir()) / f"grimoirehash{kind}{os.getpid()}n{next(RUN_NUMBERS)}"
    folder.mkdir()
    return folder


def run(argv: list[str], label: str) -> str:
    """Run one grimoire command in a fresh output folder; one line: label, exit, hashes."""
    scratch = scratch_folder("out")
    try:
        out = scratch / "out"
        out.mkdir()
        args = [a.replace("{out}", str(out)) for a in argv]
        process = subprocess.run(
            [sys.executable, str(ENTRY), *args], cwd=ROOT, capture_output=True, check=False
        )
        parts = [
            hashlib.sha256(steady(process.stdout, out)).hexdigest()[:16],
            hashlib.sha256(steady(process.stderr, out)).hexdigest()[:16],
            digest_tree(out),
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return f"{label}  exit={process.returncode}  " + " ".join(parts)


def compat_runs(scratch: Path) -> list[tuple[list[str], str]]:
    """compat on each rule's smallest case and on the schema file pairs in tests/data."""
    runs: list[tuple[list[str], str]] = []
    cases = json.loads((ROOT / "tests/data/compat/rule_cases.json").read_text(encoding="utf-8"))
    for rule, case in sorted(cases["cases"].items()):
        suffix = SUFFIX[case["language"]]
        pair = []
        for side in ("old", "new"):
            path = scratch / f"{rule}-{side}{suffix}"
            body = case[side]
            path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
            pair.append(str(path))
        for fmt in COMPAT_FORMATS:
            runs.append((["compat", *pair, "--format", fmt], f"compat case {rule} --format {fmt}"))
    files = "tests/data/compat/files"
    pairs = (
        (f"{files}/order-v1.json", f"{files}/order-v2-price-string.json"),
        (f"{files}/order-v1.avsc", f"{files}/order-v2.avsc"),
        (f"{files}/order-v1.yaml", f"{files}/order-v2-closed.yaml"),
    )
    for old, new in pairs:
        for mode in ("BACKWARD", "FULL"):
            for fmt in COMPAT_FORMATS:
                runs.append(
                    (
                        ["compat", old, new, "--mode", mode, "--format", fmt],
                        f"compat {old} {new} --mode {mode} --format {fmt}",
                    )
                )
    return runs


def rule_ids() -> list[str]:
    """Every rule id `check --list-rules` lists (the first word of each line)."""
    process = subprocess.run(
        [sys.executable, str(ENTRY), "check", "--list-rules"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    return [line.split()[0] for line in process.stdout.splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-bench", action="store_true", help="skip the generated models")
    parser.add_argument("--only", default="", help="only the runs whose label starts so")
    options = parser.parse_args()
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    scratch = scratch_folder("models")
    scratch_name = str(scratch)
    VARYING[scratch_name] = "{bench}"
    try:
        models = [str(p.relative_to(ROOT)) for p in design_models()]
        if not options.no_bench:
            for events in (250, 1000):
                path = scratch / f"bench-{events}.yaml"
                model = generate_model(events // 5, events, events // 50, steps_per_saga=4)
                path.write_text(yaml.safe_dump(model, sort_keys=False, width=100), "utf-8")
                models.append(str(path))
        runs: list[tuple[list[str], str]] = []
        for model in models:
            label_model = model.replace(str(scratch), "{bench}")
            for command in MODEL_COMMANDS:
                argv = [a.replace("{model}", model) for a in command]
                runs.append((argv, " ".join(command).replace("{model}", label_model)))
        for fmt in ("text", "json"):
            runs.append((["check", "--list-rules", "--format", fmt], f"list-rules {fmt}"))
            for rule in rule_ids():
                runs.append(
                    (["check", "--explain", rule, "--format", fmt], f"explain {rule} {fmt}")
                )
        runs.extend(compat_runs(scratch))
        if options.only:
            runs = [item for item in runs if item[1].startswith(options.only)]
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            lines = list(pool.map(lambda item: run(item[0], item[1]), runs))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for line in lines:
        print(line.replace(scratch_name, "{bench}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
