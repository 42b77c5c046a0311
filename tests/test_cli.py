"""The command line as users meet it: help, exit codes, errors, missing packages, and installs.

Every subcommand (and nested subcommand, such as `export asyncapi`) is found through
`eventdesign.cli.build_parser()`, so each new one is covered as soon as it exists.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    ENTRY_SCRIPT,
    EXAMPLE_DIR,
    EXAMPLE_MODEL,
    REPO_ROOT,
    SCRIPTS_DIR,
    run_grimoire,
)
from eventdesign import __version__, cli, deps

THIRD_PARTY = ("yaml", "jsonschema", "jinja2", "avro", "markupsafe", "referencing")
PYTHON39 = Path.home() / ".pyenv" / "versions" / "3.9.18" / "bin" / "python3"
PEP723_BLOCK = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)
INSTALL_TIMEOUT = 600


def command_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (sub)command as (words after `grimoire`, its parser), nested ones included."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:  # an alias of a command already listed
                    continue
                seen.add(id(sub))
                found.append((prefix + (name,), sub))
                found.extend(command_paths(sub, prefix + (name,)))
    return found


def has_subcommands(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def positionals(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
    ]


def required_option_values(parser: argparse.ArgumentParser, folder: Path) -> list[str] | None:
    """Values for the command's required options (an output path, or the first choice).

    None when the command needs something else that cannot be guessed (a required group).
    """
    if any(g.required for g in parser._mutually_exclusive_groups):
        return None
    values: list[str] = []
    for action in parser._actions:
        if action.option_strings and action.required:
            if action.nargs not in (None, 1):
                return None
            value = action.choices[0] if action.choices else str(folder / action.dest)
            values += [action.option_strings[-1], str(value)]
    return values


PARSER = cli.build_parser()
COMMANDS = command_paths(PARSER)
COMMAND_IDS = [" ".join(path) for path, _ in COMMANDS]
TOP_PARSERS = {path[0]: sub for path, sub in COMMANDS if len(path) == 1}
TOP_COMMANDS = list(TOP_PARSERS)
LEAVES = [(path, sub) for path, sub in COMMANDS if not has_subcommands(sub)]
FILE_COMMANDS = [
    (path, sub)
    for path, sub in LEAVES
    if positionals(sub) and required_option_values(sub, Path()) is not None
]


def bare_env() -> dict[str, str]:
    """The environment minus anything that would let another interpreter find our packages."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(command: list[str], cwd: Path | None = None, timeout: float = 120):
    return subprocess.run(
        command,
        cwd=cwd,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def make_venv(python: Path | str, target: Path, with_pip: bool) -> Path:
    command = [str(python), "-m", "venv", str(target)]
    if not with_pip:
        command.insert(3, "--without-pip")
    result = run(command, timeout=INSTALL_TIMEOUT)
    assert result.returncode == 0, result.stderr
    return target / "bin" / "python"


def pip_install(python: Path, *args: str) -> None:
    result = run(
        [str(python), "-m", "pip", "install", "-q", "--no-input", *args], timeout=INSTALL_TIMEOUT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def copy_source(target: Path) -> Path:
    """The repo as git would ship it (without .git and what .gitignore names)."""
    ignored = [".git"]
    for line in (REPO_ROOT / ".gitignore").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            ignored.append(line.strip().rstrip("/"))
    shutil.copytree(REPO_ROOT, target, ignore=shutil.ignore_patterns(*ignored))
    return target


# --- the subcommand contract -----------------------------------------------------------------


def test_subcommands_are_discovered() -> None:
    assert "check" in TOP_COMMANDS


@pytest.mark.parametrize("name", TOP_COMMANDS)
def test_subcommand_declares_what_it_needs(name: str) -> None:
    module = TOP_PARSERS[name].get_default("_module")
    assert name == module.NAME
    assert isinstance(module.HELP, str) and module.HELP.strip() and "\n" not in module.HELP
    assert isinstance(module.ORDER, int)
    assert isinstance(module.REQUIRES, tuple)
    unknown = set(module.REQUIRES) - set(deps.PACKAGES)
    assert not unknown, f"deps.PACKAGES must name the PyPI package for {unknown}"


def test_subcommand_orders_are_distinct() -> None:
    orders = [sub.get_default("_module").ORDER for sub in TOP_PARSERS.values()]
    assert len(set(orders)) == len(orders)


def test_every_package_grimoire_may_need_is_in_the_install_command() -> None:
    requirements = (REPO_ROOT / "requirements.txt").read_text().lower()
    for distribution in deps.PACKAGES.values():
        assert distribution in deps.INSTALL_SET
        assert re.search(rf"^{re.escape(distribution)}\b", requirements, re.MULTILINE)


# --- help ------------------------------------------------------------------------------------


def test_top_level_help_lists_every_subcommand_and_the_exit_codes() -> None:
    result = run_grimoire("--help")
    assert result.returncode == 0, result.stderr
    for name in TOP_COMMANDS:
        assert re.search(rf"^\s+{re.escape(name)}\b", result.stdout, re.MULTILINE), name
    assert "Exit codes" in result.stdout


def test_version_prints_the_package_version() -> None:
    result = run_grimoire("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"grimoire {__version__}"


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=COMMAND_IDS)
def test_subcommand_help_mentions_every_option(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    result = run_grimoire(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: grimoire {' '.join(path)}")
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            assert max(action.option_strings, key=len) in result.stdout
        elif not isinstance(action, argparse._SubParsersAction):
            assert (action.metavar or action.dest) in result.stdout


@pytest.mark.parametrize("path", [(), *(p for p, _ in COMMANDS)], ids=["top", *COMMAND_IDS])
def test_help_imports_no_third_party_package(path: tuple[str, ...]) -> None:
    result = run([sys.executable, "-X", "importtime", str(ENTRY_SCRIPT), *path, "--help"])
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "eventdesign" in imported
    assert not imported & set(THIRD_PARTY)


# --- exit codes and errors -------------------------------------------------------------------


def test_no_subcommand_exits_2_with_usage() -> None:
    result = run_grimoire()
    assert result.returncode == 2
    assert "usage: grimoire" in result.stdout + result.stderr


def test_unknown_subcommand_exits_2() -> None:
    result = run_grimoire("frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["__init__", "importer", "Transport"])
def test_a_commands_module_that_is_not_a_command_name_exits_2(name: str) -> None:
    # Files of the commands package that are no command's name: the package itself, a
    # module whose command has another name, another case of a command's name.
    result = run_grimoire(name, "--help")
    assert result.returncode == 2, result.stdout
    assert f"invalid choice: '{name}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_runs_from_a_thread_other_than_the_main_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Signal handlers can only be set from the main thread: elsewhere the run goes on
    # without them.
    import threading

    codes = []
    worker = threading.Thread(target=lambda: codes.append(cli.main(["--version"])))
    worker.start()
    worker.join()
    assert codes == [0]
    assert capsys.readouterr().out == f"grimoire {__version__}\n"


@pytest.mark.parametrize(
    ("path", "parser"), FILE_COMMANDS, ids=[" ".join(p) for p, _ in FILE_COMMANDS]
)
def test_missing_input_file_exits_2_with_one_line(
    path: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path: Path
) -> None:
    arguments = []
    for index, action in enumerate(positionals(parser)):
        count = action.nargs if isinstance(action.nargs, int) else 1
        if action.nargs in ("*", "+"):
            count = 2
        arguments += [str(tmp_path / f"missing-{index}-{n}.yaml") for n in range(count)]
    options = required_option_values(parser, tmp_path / "out")
    assert options is not None
    result = run_grimoire(*path, *options, *arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = stderr_lines(result)
    assert "missing-0-0.yaml" in line
    assert not any(tmp_path.iterdir()), "nothing may be written for unusable input"


def test_invalid_yaml_exits_2_with_one_line_naming_line_and_column(tmp_path: Path) -> None:
    model = tmp_path / "design.yaml"
    model.write_text("format: grimoire/1\nsystem: {name: [Shop}\n")
    result = run_grimoire("check", str(model))
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert re.search(rf"{re.escape(str(model))}:2:\d+: invalid YAML", line), line


def test_non_utf8_model_exits_2_with_one_line(tmp_path: Path) -> None:
    model = tmp_path / "design.yaml"
    model.write_bytes(b"format: grimoire/1\nsystem:\n  name: Caf\xe9\n")
    result = run_grimoire("check", str(model))
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert f"{model}:3:12:" in line and "UTF-8" in line


def test_model_not_matching_the_format_exits_2_listing_every_problem(tmp_path: Path) -> None:
    model = tmp_path / "design.yaml"
    model.write_text(
        "format: grimoire/1\nsystem: {name: Shop}\nservices: {orders: {state: x}}\n"
        "events:\n  OrderPlaced: {ordering: random}\n"
    )
    result = run_grimoire("check", str(model))
    assert result.returncode == 2
    lines = stderr_lines(result)
    assert "3 problems" in lines[0]
    assert [line.split(": ")[0].strip() for line in lines[1:]] == [
        f"{model}:3:21",
        f"{model}:5:3",
        f"{model}:5:17",
    ]
    assert "Traceback" not in result.stderr


# --- where and how it runs -------------------------------------------------------------------


def test_check_runs_from_an_unrelated_working_directory(tmp_path: Path) -> None:
    result = run_grimoire("check", str(EXAMPLE_MODEL), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_takes_a_path_relative_to_the_working_directory() -> None:
    result = run_grimoire("check", "design.yaml", cwd=EXAMPLE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_runs_offline() -> None:
    result = run_grimoire("check", str(EXAMPLE_MODEL), offline=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- missing packages ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter with none of grimoire's packages (and no pip)."""
    return make_venv(sys.executable, tmp_path_factory.mktemp("bare") / "venv", with_pip=False)


def test_bare_interpreter_really_lacks_the_packages(bare_python: Path) -> None:
    result = run([str(bare_python), "-c", "import yaml"])
    assert result.returncode != 0


def test_missing_packages_exit_2_with_one_line_naming_them_and_the_install_command(
    bare_python: Path, tmp_path: Path
) -> None:
    result = run([str(bare_python), str(ENTRY_SCRIPT), "check", str(EXAMPLE_MODEL)], cwd=tmp_path)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert "Traceback" not in result.stderr
    module = TOP_PARSERS["check"].get_default("_module")
    for import_name in module.REQUIRES:
        assert deps.PACKAGES[import_name] in line
    assert f"{bare_python} -m pip install " in line


@pytest.mark.parametrize("path", [(), *(p for p, _ in COMMANDS)], ids=["top", *COMMAND_IDS])
def test_help_works_without_any_package(bare_python: Path, path: tuple[str, ...]) -> None:
    result = run([str(bare_python), str(ENTRY_SCRIPT), *path, "--help"])
    assert result.returncode == 0, result.stderr


def test_the_printed_install_command_makes_check_work(tmp_path: Path) -> None:
    python = make_venv(sys.executable, tmp_path / "venv", with_pip=True)
    check = [str(python), str(ENTRY_SCRIPT), "check", str(EXAMPLE_MODEL)]
    first = run(check, cwd=tmp_path)
    assert first.returncode == 2
    command = re.search(r"install with: (.+?)\s+\(or ", first.stderr)
    assert command, first.stderr
    installed = run(shlex.split(command.group(1)), timeout=INSTALL_TIMEOUT)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    second = run(check, cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr


# --- Python 3.9 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def python39(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python 3.9 virtual environment with requirements.txt installed."""
    found = PYTHON39 if PYTHON39.exists() else shutil.which("python3.9")
    if not found:
        pytest.skip(f"no Python 3.9 interpreter ({PYTHON39} or python3.9 on PATH)")
    python = make_venv(found, tmp_path_factory.mktemp("py39") / "venv", with_pip=True)
    pip_install(python, "-r", str(REPO_ROOT / "requirements.txt"))
    return python


def test_python39_venv_is_python39(python39: Path) -> None:
    result = run([str(python39), "-c", "import sys; print(sys.version_info[:2])"])
    assert result.stdout.strip() == "(3, 9)"


@pytest.mark.parametrize("path", [(), *(p for p, _ in COMMANDS)], ids=["top", *COMMAND_IDS])
def test_help_runs_under_python39(python39: Path, path: tuple[str, ...]) -> None:
    result = run([str(python39), str(ENTRY_SCRIPT), *path, "--help"])
    assert result.returncode == 0, result.stderr


def test_every_module_imports_under_python39(python39: Path) -> None:
    program = (
        "import importlib, pkgutil, sys\n"
        f"sys.path.insert(0, {str(SCRIPTS_DIR)!r})\n"
        "import eventdesign\n"
        "for info in pkgutil.walk_packages(eventdesign.__path__, 'eventdesign.'):\n"
        "    importlib.import_module(info.name)\n"
        "    print(info.name)\n"
    )
    result = run([str(python39), "-c", program])
    assert result.returncode == 0, result.stderr
    assert "eventdesign.model.loader" in result.stdout.split()


def test_check_on_the_example_under_python39(python39: Path, tmp_path: Path) -> None:
    result = run([str(python39), str(ENTRY_SCRIPT), "check", str(EXAMPLE_MODEL)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == run_grimoire("check", str(EXAMPLE_MODEL), cwd=tmp_path).stdout


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_subcommand_on_the_example_behaves_the_same_under_python39(
    python39: Path, path: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path: Path
) -> None:
    """Wherever `SUBCOMMAND EXAMPLE` runs on this Python, it gives the same result on 3.9."""
    arguments = [*path, str(EXAMPLE_MODEL)]
    here = run_grimoire(*arguments, cwd=tmp_path)
    if here.returncode not in (0, 1):
        pytest.skip(f"`{' '.join(path)} MODEL` alone is not a complete command")
    there = run([str(python39), str(ENTRY_SCRIPT), *arguments], cwd=tmp_path)
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout), there.stderr


# --- packaging -------------------------------------------------------------------------------


def toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads(text)


def script_metadata() -> dict:
    """The PEP 723 `script` block of the entry script, parsed as the specification says."""
    text = ENTRY_SCRIPT.read_text(encoding="utf-8")
    blocks = [m for m in PEP723_BLOCK.finditer(text) if m.group("type") == "script"]
    assert len(blocks) == 1
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    return toml_loads(content)


def normalized(requirements: list[str]) -> set[str]:
    return {re.sub(r"\s+", "", r).lower() for r in requirements}


def test_script_metadata_lists_the_project_dependencies() -> None:
    project = toml_loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert normalized(script_metadata()["dependencies"]) == normalized(project["dependencies"])


def test_script_metadata_lists_requirements_txt() -> None:
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    requirements = [line for line in lines if line.strip() and not line.startswith("#")]
    assert normalized(script_metadata()["dependencies"]) == normalized(requirements)


def test_script_metadata_requires_the_same_python_as_the_project() -> None:
    project = toml_loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert script_metadata()["requires-python"] == project["requires-python"] == ">=3.9"


@pytest.fixture(scope="module")
def pip_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install .` of a clean copy of the repo into a fresh venv; returns its bin folder."""
    base = tmp_path_factory.mktemp("pip-install")
    source = copy_source(base / "source")
    python = make_venv(sys.executable, base / "venv", with_pip=True)
    pip_install(python, str(source))
    return python.parent


def test_pip_install_gives_a_grimoire_command_with_help(pip_installed: Path) -> None:
    result = run([str(pip_installed / "grimoire"), "--help"])
    assert result.returncode == 0, result.stderr
    for name in TOP_COMMANDS:
        assert name in result.stdout


def test_pip_installed_grimoire_checks_the_example(pip_installed: Path, tmp_path: Path) -> None:
    result = run([str(pip_installed / "grimoire"), "check", str(EXAMPLE_MODEL)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_pip_installed_subcommand_on_the_example_behaves_like_the_script(
    pip_installed: Path,
    path: tuple[str, ...],
    parser: argparse.ArgumentParser,
    tmp_path: Path,
) -> None:
    arguments = [*path, str(EXAMPLE_MODEL)]
    here = run_grimoire(*arguments, cwd=tmp_path)
    if here.returncode not in (0, 1):
        pytest.skip(f"`{' '.join(path)} MODEL` alone is not a complete command")
    there = run([str(pip_installed / "grimoire"), *arguments], cwd=tmp_path)
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout), there.stderr


def test_pip_install_carries_every_data_file_of_the_package(pip_installed: Path) -> None:
    where = run(
        [
            str(pip_installed / "python"),
            "-c",
            "import eventdesign, os; print(os.path.dirname(eventdesign.__file__))",
        ]
    )
    installed = Path(where.stdout.strip())
    assert installed != SCRIPTS_DIR / "eventdesign"

    def data_files(root: Path) -> set[str]:
        return {
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
        }

    source = data_files(SCRIPTS_DIR / "eventdesign")
    assert source, "the package ships data files (at least the model's JSON Schema)"
    assert source <= data_files(installed)


def test_output_on_a_pipe_arrives_whole_before_the_process_ends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The entry script ends the process without interpreter shutdown, so stdout must be
    # flushed first. Many small prints leave a tail in the buffer of a block-buffered pipe
    # (PYTHONUNBUFFERED, set in some environments, would hide a missing flush).
    assert cli.main(["check", "--list-rules"]) == 0
    expected = capsys.readouterr().out
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    piped = subprocess.run(
        [sys.executable, str(ENTRY_SCRIPT), "check", "--list-rules"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert piped.returncode == 0
    assert len(expected) > 8192  # more than one buffer
    assert piped.stdout == expected


@pytest.mark.parametrize("command", TOP_COMMANDS)
def test_a_run_parses_its_command_as_the_full_command_line_does(command, capsys) -> None:
    """A run builds only its own command's parser: help and usage errors stay the same."""
    said = []
    for parser in (PARSER, cli.build_parser(command)):
        for argv in ([command, "--help"], [command, "--no-such-option"]):
            with pytest.raises(SystemExit) as stopped:
                parser.parse_args(argv)
            said.append((argv, stopped.value.code, capsys.readouterr()))
    assert said[:2] == said[2:]


def test_the_core_leaves_the_garbage_collector_to_its_caller(monkeypatch):
    """Only the console entry pauses the cyclic collector; `main` (and the model reader under
    it) run with the collector as the calling process has it."""

    def refuse() -> None:
        raise AssertionError("gc.disable() called below the console entry")

    monkeypatch.setattr(gc, "disable", refuse)
    assert cli.main(["check", str(EXAMPLE_MODEL)]) == 0
    assert gc.isenabled()
