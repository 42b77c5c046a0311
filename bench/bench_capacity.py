"""Benchmark `grimoire capacity` and `grimoire transport` on a 200-channel model.

    python3 bench/bench_capacity.py [--repeat 5] [--services 100]

The model comes from bench/generate_model.py (services x 2 channels: each service's events
channel and its dead-letter channel); every events channel states a `load:` (rates, message
size, keys, consumer parallelism, replay window) so both commands do their full work. Prints,
per command, the wall time in-process (the command's `main()` again and again, modules
already imported: the work itself) and in a fresh process as a user runs it (interpreter start
and imports included, bytecode cached by a warm-up run), and that process's CPU time (user +
system: on a busy machine it varies less than the wall time), best and median of --repeat
runs. The target is under 100 ms for 200 channels.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENTRY = HERE.parent / "scripts" / "grimoire.py"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from generate_model import generate_model  # noqa: E402
from machine import cached_bytecode_environment, reference_seconds  # noqa: E402


def loaded_model(services: int) -> dict:
    """A clean generated model whose events channels each state a load."""
    model = generate_model(services, services * 2)
    for index, (name, channel) in enumerate(sorted(model["channels"].items())):
        if name.endswith(".events"):
            channel["retention"] = "7d"
            channel["partitions"] = 12
            channel["load"] = {
                "peak_msgs_per_s": 100 + 37 * index,
                "average_msgs_per_s": 50 + 11 * index,
                "message_bytes": 400 + 3 * index,
                "key_cardinality": 10_000,
                "consumer_parallelism": 6,
                "replay_window": "7d",
            }
    return model


def in_process(arguments: list[str], repeat: int) -> list[float]:
    from eventdesign.cli import main

    times = []
    for _ in range(repeat + 1):  # the first run imports the modules; not counted
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(arguments)
        times.append(time.perf_counter() - started)
        if code not in (0, 1):
            raise SystemExit(f"{arguments} exited {code}")
    return times[1:]


def fresh_process(
    arguments: list[str], repeat: int, environment: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system) of `repeat` runs in a fresh process."""
    command = [sys.executable, str(ENTRY), *arguments]
    subprocess.run(command, env=environment, capture_output=True, check=False)  # warm-up
    times, cpu_times = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, env=environment, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{arguments} failed:\n{result.stderr.decode()}")
    return times, cpu_times


def _best_and_median(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f" {ordered[0] * 1000:>10.1f} {ordered[len(ordered) // 2] * 1000:>11.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure")
    parser.add_argument("--services", type=int, default=100, help="channels = 2 x services")
    args = parser.parse_args(argv)
    import yaml

    print(
        f"grimoire capacity/transport benchmark (load average {os.getloadavg()[0]:.1f}, "
        f"reference loop {reference_seconds():.2f} s)"
    )
    with tempfile.TemporaryDirectory() as folder:
        model = loaded_model(args.services)
        path = Path(folder) / "model.yaml"
        path.write_text(yaml.safe_dump(model, sort_keys=False, width=100), encoding="utf-8")
        environment = cached_bytecode_environment(Path(folder) / "pycache")
        print(f"model: {len(model['channels'])} channels, {len(model['events'])} events")
        print(f"{'command':<32} {'in-process ms':>22} {'fresh process ms':>22} {'its CPU ms':>22}")
        print(f"{'':<32}" + f" {'best':>10} {'median':>11}" * 3)
        for arguments in (
            ["capacity", str(path), "--format", "json"],
            ["capacity", str(path)],
            ["transport", str(path), "--format", "json"],
            ["transport", str(path)],
        ):
            inside = in_process(arguments, args.repeat)
            outside, cpu = fresh_process(arguments, args.repeat, environment)
            label = " ".join(a if a != str(path) else "MODEL" for a in arguments)
            print(f"{label:<32}" + "".join(_best_and_median(t) for t in (inside, outside, cpu)))
    print(f"reference loop after: {reference_seconds():.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
