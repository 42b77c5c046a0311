"""Time bin/grimoire: the first run that builds the environment, and every run after it.

    python3 bench/bench_launcher.py [--repeat 20]

The first run is `grimoire_launcher.py prepare` into an empty data folder, once with venv +
pip and once with uv (when tests/tools/install.sh put it in .cache/tools/uv, with an empty uv
cache), from the local wheelhouse when there is one (else from the package index). A later
run is `bin/grimoire --version` and `bin/grimoire check` on the bundled example with the
environment ready, measured alternately with a bare `python3 -c pass` of the same base Python
in the same run: best and median wall time of `--repeat` runs each. Bytecode is kept between
runs (in a temporary PYTHONPYCACHEPREFIX) as on a user's machine. The target: a later run
starts within 150 ms of a bare `python3 -c pass`. The script prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = REPO_ROOT / "bin" / "grimoire"
HOOK = REPO_ROOT / "hooks" / "session-start"
PREPARE = REPO_ROOT / "scripts" / "grimoire_launcher.py"
EXAMPLE = REPO_ROOT / "examples" / "order-flow" / "design.yaml"
WHEELHOUSE = REPO_ROOT / ".cache" / "wheelhouse"
UV_DIR = REPO_ROOT / ".cache" / "tools" / "uv" / "bin"
sys.path.insert(0, str(REPO_ROOT / "bench"))

from machine import cached_bytecode_environment, reference_seconds  # noqa: E402

BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def package_source() -> dict[str, str]:
    if not any(WHEELHOUSE.glob("*.whl")):
        return {}
    wheels = str(WHEELHOUSE)
    return dict(PIP_NO_INDEX="1", PIP_FIND_LINKS=wheels, UV_OFFLINE="1", UV_FIND_LINKS=wheels)


def first_run(data: Path, environment: dict[str, str], with_uv: bool) -> float:
    """Seconds to build the environment into the empty folder `data`."""
    path = [p for p in environment["PATH"].split(os.pathsep) if not (Path(p) / "uv").exists()]
    if with_uv:
        path.insert(0, str(UV_DIR))
    env = {**environment, **package_source(), "PATH": os.pathsep.join(path)}
    env["UV_CACHE_DIR"] = str(data.parent / f"{data.name}-uv-cache")  # a new user's: empty
    started = time.perf_counter()
    subprocess.run([BASE_PYTHON, PREPARE, "prepare", str(data)], env=env, check=True)
    elapsed = time.perf_counter() - started
    if not (data / "runtime" / "requirements.lock").exists():
        raise SystemExit(f"the build into {data} failed")
    return elapsed


def wall(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=environment, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def later_runs(data: Path, environment: dict[str, str], repeat: int) -> dict[str, list[float]]:
    """Alternating runs of a bare Python and of the launcher with the environment ready."""
    env = {**environment, "GRIMOIRE_DATA_DIR": str(data)}
    commands = {
        "python3 -c pass": [BASE_PYTHON, "-c", "pass"],
        "grimoire --version": [str(LAUNCHER), "--version"],
        "grimoire check example": [str(LAUNCHER), "check", str(EXAMPLE)],
    }
    for command in commands.values():  # warm up: bytecode written, files in the page cache
        wall(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(wall(command, env))
    return times


def hook_runs(data: Path, environment: dict[str, str], repeat: int) -> dict[str, float]:
    """Seconds the SessionStart hook takes to return: environment ready, and not yet built."""
    path = os.pathsep.join([str(Path(BASE_PYTHON).parent), environment["PATH"]])
    env = {**environment, **package_source(), "PATH": path}
    env["CLAUDE_ENV_FILE"] = str(data.parent / "env.sh")
    ready = {**env, "CLAUDE_PLUGIN_DATA": str(data)}
    figures = {"hook, environment ready": min(wall([str(HOOK)], ready) for _ in range(repeat))}
    fresh = data.parent / "hook-data"
    figures["hook, starting a build"] = wall([str(HOOK)], {**env, "CLAUDE_PLUGIN_DATA": str(fresh)})
    started = time.perf_counter()
    while time.perf_counter() - started < 600:
        building = (fresh / "runtime.lock").exists()
        if not building and (fresh / "runtime" / "requirements.lock").exists():
            figures["background build after it"] = time.perf_counter() - started
            break
        if not building and time.perf_counter() - started > 5:
            print("the hook started no build: this Python already has the packages")
            break
        time.sleep(0.05)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    print(f"machine reference: {reference_seconds():.2f} s; base Python {BASE_PYTHON}")
    source = "local wheelhouse" if package_source() else "package index"
    with tempfile.TemporaryDirectory() as folder:
        environment = cached_bytecode_environment(Path(folder) / "pycache")
        data = Path(folder) / "venv-pip"
        seconds = first_run(data, environment, False)
        print(f"first run, venv + pip from the {source}: {seconds:.1f} s")
        if (UV_DIR / "uv").exists():
            seconds = first_run(Path(folder) / "uv", environment, True)
            print(f"first run, uv from the {source}: {seconds:.1f} s")
        times = later_runs(data, environment, options.repeat)
        hooks = hook_runs(data, environment, options.repeat)
    bare = times["python3 -c pass"]
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        over = ""
        if values is not bare:
            extra_best = (best - min(bare)) * 1000
            extra_median = (median - statistics.median(bare)) * 1000
            over = f"  ({extra_best:+.0f} ms best, {extra_median:+.0f} ms median)"
        print(f"{name:24} best {best * 1000:6.1f} ms  median {median * 1000:6.1f} ms{over}")
    for name, seconds in hooks.items():
        print(f"{name:28} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
