"""Shared test fixtures: paths, a CLI runner, and the real clients installed by tests/tools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from real_clients import missing

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS_DIR = REPO_ROOT / "scripts"
ENTRY_SCRIPT = SCRIPTS_DIR / "grimoire.py"
EXAMPLE_DIR = REPO_ROOT / "examples" / "order-flow"
EXAMPLE_MODEL = EXAMPLE_DIR / "design.yaml"
TOOLS_DIR = REPO_ROOT / ".cache" / "tools"
NODE_BIN = TOOLS_DIR / "node_modules" / ".bin"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))


def value_paths(value: object, path: tuple = ()) -> Iterator[tuple]:
    """The path (keys and indexes) of a JSON value and of everything inside it."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from value_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from value_paths(child, (*path, index))


def git(repository: Path, *args: str) -> str:
    """Run git in `repository` with a fixed author; its output, raising on failure."""
    result = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=repository,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def tagged_repository(tmp_path: Path, source: Path, folder: str, tag: str = "v1") -> Path:
    """A git repository in tmp_path holding a copy of `source` under `folder`, tagged `tag`."""
    shutil.copytree(source, tmp_path / folder)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", tag)
    git(tmp_path, "tag", tag)
    return tmp_path


def edit_json(path: Path, change) -> None:
    """Apply `change` to the JSON document in `path` and write it back, indented."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def run_grimoire(
    *args: str, cwd: Path | str | None = None, offline: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run the entry script as a user would; `offline` runs it with no network at all."""
    command = [sys.executable, str(ENTRY_SCRIPT), *args]
    if offline:
        command = offline_command(command)
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_grimoire_without_protobuf_toolchain(*args: str) -> subprocess.CompletedProcess:
    """Run the entry script as if the optional Protobuf toolchain (grpcio-tools) were absent."""
    hide_toolchain = (
        "import runpy, sys; sys.modules['grpc_tools'] = None; "
        f"sys.argv = [{str(ENTRY_SCRIPT)!r}, *{list(args)!r}]; "
        f"runpy.run_path({str(ENTRY_SCRIPT)!r}, run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", hide_toolchain], capture_output=True, text=True, check=False
    )


def offline_command(command: list[str]) -> list[str]:
    """Wrap a command in a network namespace with no interfaces up (needs root and unshare)."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        missing(
            "root and unshare (util-linux), which offline tests need,", "run as root, as CI does"
        )
    return [unshare, "-n", *command]


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled example; returns the copied design.yaml."""
    target = tmp_path / "order-flow"
    shutil.copytree(EXAMPLE_DIR, target)
    return target / "design.yaml"


def _tool(name: str) -> Path:
    path = NODE_BIN / name
    if not path.exists():
        missing(str(path))
    return path


def buf_breaking(module: Path, category: str) -> list[dict]:
    """`buf breaking` on the module at `module`/new against `module`/old, in one category:
    one annotation (path, type, message...) per breaking change."""
    config = {"version": "v2", "breaking": {"use": [category]}}
    result = subprocess.run(
        [str(_tool("buf")), "breaking", ".", "--against", "../old", "--config", json.dumps(config)]
        + ["--against-config", '{"version":"v2"}', "--error-format", "json"],
        cwd=module / "new",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 100), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="session")
def claude_bin() -> Path:
    """The real Claude Code CLI from npm."""
    return _tool("claude")


@pytest.fixture(scope="session")
def mmdc_bin() -> Path:
    """mermaid-cli (renders Mermaid in Debian's chromium)."""
    return _tool("mmdc")


@pytest.fixture(scope="session")
def puppeteer_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium = shutil.which("chromium")
    if chromium is None:
        missing("Debian chromium")
    config = tmp_path_factory.mktemp("puppeteer") / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": chromium, "args": CHROMIUM_ARGS}))
    return config


@pytest.fixture(scope="session")
def plantuml_bin() -> Path:
    found = shutil.which("plantuml")
    if found is None:
        missing("Debian plantuml")
    return Path(found)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The node_modules folder holding @asyncapi/parser and the other npm clients."""
    path = TOOLS_DIR / "node_modules"
    if not (path / "@asyncapi" / "parser").exists():
        missing(f"{path}/@asyncapi/parser")
    return path


# A throwaway PostgreSQL cluster (and a PgBouncer) for the database pattern tests, started on use.
from postgres_cluster import postgres, postgres_server, through_pgbouncer  # noqa: E402, F401
