"""grimoire's command line: argv to a subcommand, exit codes, and the one error boundary.

Exit codes: 0 clean or compatible, 1 findings or incompatible, 2 unusable input (including any
error reading or writing a file, a closed output, or text the output encoding cannot show),
130 interrupted by SIGINT (Ctrl-C), 143 terminated by SIGTERM, 129 by SIGHUP. Every message
is one line (plus detail lines) with control characters escaped and huge values shortened.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from . import __version__
from .deps import MissingDependency, require
from .errors import InputError

DESCRIPTION = (
    "Design, check and document event-driven systems from one YAML design model.\n"
    "Exit codes: 0 clean, 1 findings (or incompatible schemas), 2 unusable input."
)
INTERRUPTION = (
    "Interrupted runs: exit 130 on SIGINT (Ctrl-C), 143 on SIGTERM, 129 on SIGHUP; no\n"
    "half-written or temporary file is left behind. SIGKILL cannot be caught: a killed run may\n"
    "leave a hidden .grimoire-staging-* entry, which the next run writing there removes."
)
LIMITS = (
    "Limits (over one, the command refuses with exit 2 and says which): input files 8 MiB\n"
    "(schema files a model names 2 MiB), 64 levels of nesting, 500,000 values after YAML\n"
    "aliases; sequence diagrams of sagas up to 200 steps; compat up to 100 subschemas per\n"
    "allOf/anyOf/oneOf. A schema's regular expression gets 1 s per value: a runaway `pattern`\n"
    "is a finding in check and unusable input in compat."
)
SIGNAL_EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129}
MAX_DETAIL_LINES = 50


class GrimoireArgumentParser(argparse.ArgumentParser):
    """argparse whose error messages show control characters escaped (they echo argv)."""

    def error(self, message: str):  # type: ignore[override]
        from .terminal import printable

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


class Interrupted(BaseException):
    """A signal asked the run to stop: unwinds like KeyboardInterrupt, so staging is removed."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


class _ClosedStream:
    """Stands in for a standard stream that was closed before the run: every write fails."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass


def _command_modules(command: str | None = None) -> list[ModuleType]:
    """Every command's module; only `command`'s when a module of that name is that command
    (importing and configuring all of them is a quarter of a quick command's startup)."""
    from . import commands

    # The command's own file is found without pkgutil, which alone costs a quick command
    # about 2 ms to import.
    if (
        command
        and not command.startswith("_")
        and f"{command}.py" in os.listdir(commands.__path__[0])
    ):
        module = importlib.import_module(f"{commands.__name__}.{command}")
        if command == module.NAME:
            return [module]
    import pkgutil

    names = [info.name for info in pkgutil.iter_modules(commands.__path__)]
    modules = [importlib.import_module(f"{commands.__name__}.{name}") for name in names]
    return sorted(modules, key=lambda m: m.ORDER)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command`, one that knows only that command (its
    parsing, usage and help are the same)."""
    parser = GrimoireArgumentParser(
        prog="grimoire",
        description=DESCRIPTION,
        epilog=f"{INTERRUPTION}\n{LIMITS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"grimoire {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules(command):
        sub = subparsers.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=f"{INTERRUPTION}\n{LIMITS}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code, for a caller whose process goes on: the
    cyclic collector is left as the caller has it (only `console_main` pauses it)."""
    return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    """Parse argv, run the command, and turn every failure into one message and an exit code."""
    previous = _catch_signals()
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        sys.stdout = _ClosedStream()  # type: ignore[assignment]
    name = "grimoire"
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(arguments[0] if arguments else None)
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:  # --help, --version, or a usage error already printed
            sys.stdout.flush()
            return exc.code if isinstance(exc.code, int) else 2
        module = getattr(args, "_module", None)
        if module is None:
            parser.print_usage(sys.stderr)
            print("grimoire: error: give a command; see grimoire --help", file=sys.stderr)
            return 2
        name = f"grimoire {module.NAME}"
        require(*module.REQUIRES)
        code = int(module.run(args))
        sys.stdout.flush()
        return code
    except MissingDependency as exc:
        _error(name, str(exc))
    except InputError as exc:
        _error(name, str(exc), exc.details)
    except KeyboardInterrupt:
        return SIGNAL_EXIT_CODES["SIGINT"]
    except Interrupted as exc:
        return exc.exit_code
    except BrokenPipeError:
        return 0  # the reader went away (`| head`): what it wanted was printed
    except UnicodeEncodeError as exc:
        _error(name, _encoding_message(exc))
    except OSError as exc:
        _error(name, _os_error_message(exc))
    except RecursionError:
        _error(name, "the input is nested too deeply to process; flatten it")
    except MemoryError:
        _error(name, "out of memory; the input is too large, split it up")
    finally:
        _restore_signals(previous)
    return 2


def _error(name: str, message: str, details: Sequence[str] = ()) -> None:
    """Print one error line (and detail lines), escaped and shortened, to stderr."""
    from .terminal import printable

    lines = [f"{name}: error: {printable(message)}"]
    lines += [f"  {printable(detail)}" for detail in details[:MAX_DETAIL_LINES]]
    if len(details) > MAX_DETAIL_LINES:
        lines.append(f"  ... and {len(details) - MAX_DETAIL_LINES:,} more")
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("\n".join(lines) + "\n")


_OS_ERROR_ADVICE = {
    "ENOSPC": "no space left on the device; free some space and run again",
    "EDQUOT": "disk quota exceeded; free some space and run again",
    "EACCES": "permission denied; check the permissions of the file and its folder",
    "EPERM": "operation not permitted; check the permissions of the file and its folder",
    "EROFS": "the file system is read-only; choose a writable path",
    "ENAMETOOLONG": "the file name is too long; choose a shorter path",
    "ELOOP": "too many levels of symbolic links (a symlink loop?); fix or remove the link",
    "ENOENT": "no such file or folder; check the path",
    "ENOTDIR": "a part of the path is not a folder; check the path",
    "EISDIR": "is a directory; give a file",
    "EBADF": "standard output is closed; run with it open (not `>&-`)",
    "EIO": "input/output error; check the device",
}


def _os_error_message(exc: OSError) -> str:
    import errno

    code = errno.errorcode.get(exc.errno or 0, "")
    advice = _OS_ERROR_ADVICE.get(code) or (exc.strerror or str(exc))
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    where = " -> ".join(os.fsdecode(n) if isinstance(n, bytes) else str(n) for n in names)
    return f"{where}: {advice}" if where else advice


def _encoding_message(exc: UnicodeEncodeError) -> str:
    encoding = exc.encoding
    if encoding.lower().replace("-", "") in ("utf8", "utf8surrogateescape"):
        return "the text holds a character that cannot be written (a lone surrogate); remove it"
    return (
        f"the output encoding ({encoding}) cannot show {exc.object[exc.start : exc.end]!r}; "
        "set PYTHONIOENCODING=utf-8 or a UTF-8 locale"
    )


def _catch_signals() -> dict:
    """SIGTERM and SIGHUP unwind the run like Ctrl-C, so `finally` blocks remove staging."""
    import signal

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, _raise_interrupted)
            except ValueError:  # not the main thread (asking threading costs an import)
                return previous
    return previous


def _raise_interrupted(number: int, frame: object) -> None:
    import signal

    raise Interrupted(SIGNAL_EXIT_CODES.get(signal.Signals(number).name, 128 + number))


def _restore_signals(previous: dict) -> None:
    import signal

    for number, handler in previous.items():
        signal.signal(number, handler)


def console_main() -> None:
    """Run the command line and end the process at once, with the command's exit code.

    The collector stays paused to the end: turning it back on would make it walk everything
    the run allocated (a quarter of a 1,000-event export), and interpreter shutdown would
    then free the model object by object; neither helps a process that is about to end.
    Everything a command writes is closed or flushed before the process ends.
    """
    # A run is short and builds one large, long-lived model: the cyclic collector would walk
    # it again and again (reading a 1,000-event model took three times as long, a check a
    # tenth longer) to find almost no garbage, since plain reference counting frees what the
    # commands drop. Peak memory on a 4,000-event model grows about a tenth without it.
    gc.disable()
    if sys.stderr is not None:
        # Messages always print: what the encoding cannot show is written as an escape.
        with contextlib.suppress(AttributeError, ValueError):
            sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    code = _run(None)
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (as in _run), or a stream already closed.
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code)
