"""Time the model reader's YAML builder against libyaml on documents with and without aliases.

    python3 bench/bench_yaml_reader.py [--events 1000] [--repeat 7]

In one process, with the collector paused as the console entry pauses it, prints the best CPU
time of `parse_yaml` (data plus the position of every value) and of plain
`yaml.load(text, Loader=yaml.CSafeLoader)` (data only) on: a synthetic model
(bench/generate_model.py), the same model with one anchor and one alias appended, a document
that repeats that model through aliases as PyYAML writes shared values, and a list of 20,000
aliases of one small mapping. Asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any, Callable

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))

from eventdesign.model.source import parse_yaml  # noqa: E402
from generate_model import generate_model  # noqa: E402
from machine import reference_seconds  # noqa: E402


def best_cpu_seconds(read: Callable[[str], Any], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        read(text)
        best = min(best, time.process_time() - started)
    return best


def documents(events: int) -> dict[str, str]:
    """Named YAML texts: the model alone, with one alias, shared through aliases, all aliases."""
    model = generate_model(max(2, events // 5), events, events // 50, steps_per_saga=4)
    text = yaml.safe_dump(model, sort_keys=False, width=100)
    shared = {"events": model["events"], "services": model["services"]}
    small = "defaults: &defaults {retries: 3, codes: [500, 503], backoff: {base: 1s}}\nitems:\n"
    return {
        f"model, {events} events": text,
        "the same with one alias": f"{text.rstrip()}\nzz: &zz {{x: [1, 2]}}\nzz-again: *zz\n",
        "model shared through aliases": yaml.safe_dump(
            {"first": model, "shared": shared, "again": [shared, model]}, sort_keys=False
        ),
        "20,000 aliases of a mapping": small + "  - *defaults\n" * 20_000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="events in the model")
    parser.add_argument("--repeat", type=int, default=7, help="runs per document (best shown)")
    args = parser.parse_args(argv)
    print(f"YAML reader benchmark (reference loop {reference_seconds():.2f} s)")
    print(f"{'document':<32} {'lines':>7} {'parse_yaml ms':>13} {'CSafeLoader ms':>14}")
    gc.disable()
    for name, text in documents(args.events).items():
        ours = best_cpu_seconds(lambda text: parse_yaml(text, "bench.yaml"), text, args.repeat)
        plain = best_cpu_seconds(
            lambda text: yaml.load(text, Loader=yaml.CSafeLoader), text, args.repeat
        )
        lines = text.count("\n")
        print(f"{name:<32} {lines:>7} {ours * 1000:>13.1f} {plain * 1000:>14.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
