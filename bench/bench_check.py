"""Benchmark `grimoire check` on synthetic models of growing size.

    python3 bench/bench_check.py [--repeat 3] [--sizes 250,1000,4000]

For each size it writes a clean model (bench/generate_model.py: events/5 services, events/50
sagas of 4 reactions), runs `grimoire.py check` as a user does, and prints the best and the
median wall time of the whole process (interpreter start and imports included), its CPU time,
and its peak memory (ru_maxrss), then the growth from one size to the next against linear.
Beside it, in the same run, the best wall time of a process that only loads the same file with
plain PyYAML: `yaml.safe_load` (pure Python) and libyaml's CSafeLoader when installed (the
parser `check` itself uses), so the figures can be read against the floor of reading YAML.
Python's bytecode is cached by a warm-up run first, as on a user's machine after the first
run (in a temporary PYTHONPYCACHEPREFIX, so the checkout is left alone).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENTRY = HERE.parent / "scripts" / "grimoire.py"
sys.path.insert(0, str(HERE))

from generate_model import generate_model  # noqa: E402
from machine import cached_bytecode_environment, reference_seconds  # noqa: E402

# A process that only parses the model with PyYAML; argv[1] is the loader, argv[2] the file.
PLAIN_LOAD = (
    "import sys, yaml\n"
    "loader = getattr(yaml, sys.argv[1])\n"
    "with open(sys.argv[2], encoding='utf-8') as file:\n"
    "    yaml.load(file, Loader=loader)\n"
)


def plain_load_seconds(model_path: Path, loader: str, environment: dict, repeat: int) -> float:
    """Best wall time of a process that only loads the model with a PyYAML loader."""
    command = [sys.executable, "-c", PLAIN_LOAD, loader, str(model_path)]
    best = float("inf")
    for _ in range(repeat + 1):  # the first run warms the page cache, as for check
        started = time.perf_counter()
        subprocess.run(command, env=environment, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def measure(model_path: Path, environment: dict[str, str]) -> dict:
    """Wall time, CPU time and peak memory of one `grimoire.py check MODEL --format json`."""
    command = [sys.executable, str(ENTRY), "check", str(model_path), "--format", "json"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    out, err = process.stdout.read(), process.stderr.read()  # small: a clean model's summary
    _pid, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"check failed on {model_path}:\n{err.decode()}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_kb": usage.ru_maxrss,
        "summary": json.loads(out)["summary"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="event counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (best is shown)")
    args = parser.parse_args(argv)
    import yaml

    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"grimoire check benchmark (load average {os.getloadavg()[0]:.1f}, "
        f"reference loop {reference_seconds():.2f} s)"
    )
    loaders = ["SafeLoader"] + (["CSafeLoader"] if hasattr(yaml, "CSafeLoader") else [])
    print(
        f"{'events':>7} {'services':>8} {'sagas':>5} {'lines':>7} {'wall s':>7} "
        f"{'median':>7} {'cpu s':>6} {'peak MB':>7} {'findings':>8}  plain PyYAML load s"
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        # As on a user's machine after the first run: Python's bytecode is cached (in a
        # temporary PYTHONPYCACHEPREFIX, so the checkout is left alone) by a warm-up run.
        environment = cached_bytecode_environment(Path(folder) / "pycache")
        for events in sizes:
            services, sagas = max(2, events // 5), events // 50
            model = generate_model(services, events, sagas, steps_per_saga=4)
            path = Path(folder) / f"model-{events}.yaml"
            text = yaml.safe_dump(model, sort_keys=False, width=100)
            path.write_text(text, encoding="utf-8")
            measure(path, environment)
            runs = [measure(path, environment) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["wall"])
            median = sorted(r["wall"] for r in runs)[len(runs) // 2]
            summary = best["summary"]
            found = summary["error"] + summary["warning"] + summary["info"]
            rows.append((events, best))
            plain = ", ".join(
                f"{loader} {plain_load_seconds(path, loader, environment, args.repeat):.2f}"
                for loader in loaders
            )
            print(
                f"{events:>7} {services:>8} {len(model.get('sagas', {})):>5} "
                f"{text.count(chr(10)):>7} {best['wall']:>7.2f} {median:>7.2f} {best['cpu']:>6.2f} "
                f"{best['peak_kb'] / 1024:>7.1f} {found:>8}  {plain}"
            )
    print(f"reference loop after: {reference_seconds():.2f} s")
    for (small, first), (large, second) in zip(rows, rows[1:]):
        ratio = second["cpu"] / first["cpu"]
        print(
            f"growth {small} -> {large} events: cpu x{ratio:.2f} for x{large / small:.0f} "
            f"events ({'linear or better' if ratio <= large / small * 1.1 else 'SUPERLINEAR'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
