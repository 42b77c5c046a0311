"""Compile `.proto` text to descriptors with protoc from the optional `grpcio-tools` package.

protoc does the parsing, name resolution and import handling, so what grimoire compares is what
every Protobuf code generator sees. Imports resolve, in order, against the files handed in with
the source, the folder of the schema file itself, and the well-known types bundled with
grpcio-tools (`google/protobuf/timestamp.proto` and friends): nothing is fetched. protoc's own
messages (`file.proto:3:5: ...`) become one InputError with every problem as a detail line.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Optional

from ..errors import InputError

TOOLCHAIN_REQUIREMENT = "grpcio-tools>=1.60"
_PROTOC_MESSAGE = re.compile(r"^(?P<file>[^:\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<text>.*)$")


@dataclass(frozen=True)
class ProtoSource:
    """One `.proto` file to compile.

    `name` is the path protoc knows it by (and other files import it by); `shown` names it in
    messages; `import_root` is the folder its imports resolve against (its own folder for a file
    on disk, None for text from a model or a git revision); `extra_files` are further importable
    files given as text, by import path.
    """

    name: str
    text: str
    shown: str
    import_root: Optional[Path] = None
    extra_files: Mapping[str, str] = field(default_factory=dict)


def toolchain_available() -> bool:
    try:
        return importlib.util.find_spec("grpc_tools") is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
        return False


def install_command() -> str:
    """The command that installs the toolchain into the Python running grimoire."""
    return f"{shlex.quote(sys.executable)} -m pip install '{TOOLCHAIN_REQUIREMENT}'"


def require_toolchain(shown: str) -> None:
    """InputError with the install command when protoc (grpcio-tools) is not importable."""
    if not toolchain_available():
        raise InputError(
            "Protobuf schemas need the optional Protobuf toolchain (the grpcio-tools package, "
            f"which bundles protoc); install it with: {install_command()}",
            shown,
        )


def _relative_path(name: str, shown: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InputError(f"'{name}' is not a relative .proto import path", shown)
    return path


def _well_known_types_folder() -> Path:
    import grpc_tools

    return Path(grpc_tools.__file__).resolve().parent / "_proto"


def _run_protoc(arguments: list[str]) -> tuple[int, str]:
    """Run protoc in this process; its messages go to file descriptor 2, so catch them there."""
    from grpc_tools import protoc

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            status = protoc.main(["protoc", *arguments])
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        messages = captured.read().decode("utf-8", "replace")
    return status, messages


def _input_error(messages: str, source: ProtoSource, staged: Path) -> InputError:
    """protoc's messages as one InputError, paths shown as the user knows them."""
    details = []
    first: Optional[re.Match] = None
    for raw in messages.splitlines():
        line = raw.replace(str(staged) + os.sep, "").strip()
        if not line or line.startswith("warning:") or ": warning:" in line:
            continue
        match = _PROTOC_MESSAGE.match(line)
        if match and match.group("file") == source.name:
            line = f"{source.shown}:{match.group('line')}:{match.group('column')}: "
            line += match.group("text")
            first = first or match
        details.append(line)
    if first is not None:
        return InputError(
            f"protoc rejects the schema: {first.group('text')}",
            source.shown,
            int(first.group("line")),
            int(first.group("column")),
            details if len(details) > 1 else None,
        )
    summary = details[0] if details else "protoc rejected the schema"
    return InputError(
        f"protoc rejects the schema: {summary}", source.shown, None, None, details[1:] or None
    )


def compile_source(source: ProtoSource) -> Any:
    """The FileDescriptorSet of `source` and everything it imports (imports first)."""
    require_toolchain(source.shown)
    from google.protobuf import descriptor_pb2

    main = _relative_path(source.name, source.shown)
    with tempfile.TemporaryDirectory(prefix="grimoire-proto-") as folder:
        staged = Path(folder) / "src"
        for name, text in {**source.extra_files, source.name: source.text}.items():
            target = staged / _relative_path(name, source.shown)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        output = Path(folder) / "descriptors.pb"
        include = [staged]
        if source.import_root is not None:
            include.append(source.import_root)
        include.append(_well_known_types_folder())
        arguments = [f"--proto_path={path}" for path in include]
        arguments += [
            f"--descriptor_set_out={output}",
            "--include_imports",
            "--include_source_info",
            str(main),
        ]
        status, messages = _run_protoc(arguments)
        if status != 0 or not output.exists():
            raise _input_error(messages, source, staged)
        descriptors = descriptor_pb2.FileDescriptorSet()
        descriptors.ParseFromString(output.read_bytes())
    return descriptors
