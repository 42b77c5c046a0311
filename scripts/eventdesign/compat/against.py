"""Compare every event schema of a design model with the same event at a git revision.

Like `buf breaking --against`: the model (and the schema files beside it) as they were at REV
are read with `git archive` into a temporary folder and loaded with the same loader; each event
is checked in its own `compatibility` mode (or the model's default, or `--mode`). Events new
since REV are fine; events removed since REV are reported. Git runs locally in the model's
repository; nothing is fetched.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Optional

from ..errors import InputError
from ..findings import Location
from .changes import ModelChange
from .history import ModeVerdict, SchemaVersion, check_history
from .impact import Impact, impact_of, readers_of
from .modes import is_transitive, normalize_mode
from .schema_files import schema_from_data
from .verdict_text import plural

GIT_TIMEOUT_SECONDS = 120
HISTORY_ROUNDS = 3
WORKING_TREE = "working tree"


@dataclass
class AgainstResult:
    """Per-event verdicts plus changes to events as a whole (removed, changed language)."""

    revision: str
    verdicts: list[tuple[str, ModeVerdict]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[ModelChange] = field(default_factory=list)
    impacts: dict[str, tuple[Impact, Location]] = field(default_factory=dict)
    history_size: int = 1


def _git(
    repository: Path, *args: str, binary: bool = False, input_text: Optional[str] = None
) -> subprocess.CompletedProcess:
    environment = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    try:
        return subprocess.run(
            ["git", "-c", "protocol.allow=never", *args],
            cwd=repository,
            input=input_text,
            capture_output=True,
            text=not binary,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
            env=environment,
        )
    except FileNotFoundError:
        raise InputError("git is not installed; --against needs git") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS}s") from None


def _repository_root(model_dir: Path, shown: str) -> Path:
    result = _git(model_dir, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise InputError(
            "is not inside a git repository, so --against has no revision to compare with; "
            "compare two schema files instead: grimoire compat OLD NEW "
            "(or --history V1 V2 ... VN)",
            shown,
        )
    return Path(result.stdout.strip()).resolve()


def _verify_revision(root: Path, revision: str) -> None:
    if revision.startswith("-"):
        raise InputError(f"'{revision}' is not a git revision")
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if result.returncode != 0:
        raise InputError(
            f"unknown git revision '{revision}'; give a tag, branch or commit of this repository"
        )


def _exists_at(root: Path, revision: str, path: PurePosixPath) -> bool:
    """Whether `path` is in `revision`'s tree; InputError when the clone lacks the objects.

    A partial clone (`--filter=blob:none`) has the trees but not every file's content, and
    `git cat-file -e REV:PATH` cannot tell "no such path" from "content not fetched": taking
    the second for the first would call every event new and pass an incompatible change.
    """
    listing = _git(root, "ls-tree", "-z", revision, "--", str(path))
    if listing.returncode != 0:
        reason = listing.stderr.strip().splitlines()
        raise InputError(
            f"cannot read the files of revision {revision} "
            f"({reason[-1] if reason else 'git ls-tree failed'}); the clone may be partial or "
            "shallow: fetch the revision's objects and run again"
        )
    entry = listing.stdout.split("\0", 1)[0]
    if not entry:
        return False
    object_id = entry.split("\t", 1)[0].split()[-1]
    if _git(root, "cat-file", "-e", object_id).returncode != 0:
        raise InputError(
            f"{path} exists at {revision} but its content is not in this clone (a partial "
            "clone?); fetch it (for example `git fetch --refetch`, or clone without --filter) "
            "and run again"
        )
    return True


def _extract(root: Path, revision: str, folder: PurePosixPath, target: Path) -> None:
    """Write `folder` as it was at `revision` under `target` (paths relative to the repo)."""
    pathspec = [] if str(folder) in ("", ".") else ["--", str(folder)]
    result = _git(root, "archive", "--format=tar", revision, *pathspec, binary=True)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git archive failed: {message[-1] if message else 'no reason given'}")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        members = []
        for member in archive.getmembers():
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts:
                raise InputError(f"git archive holds an unsafe path '{member.name}'")
            if member.isfile() or member.isdir():
                members.append(member)
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, members=members, filter="data")
        else:  # Python without extraction filters; members were checked above
            archive.extractall(target, members=members)


def _rewrite(error: InputError, temporary: Path, revision: str) -> InputError:
    prefix = str(temporary) + os.sep

    def show(text: str) -> str:
        return text.replace(prefix, f"{revision}:")

    return InputError(
        f"at revision {revision}: {show(error.message)}",
        show(error.file) if error.file else None,
        error.line,
        error.column,
        details=[show(d) for d in error.details],
    )


def _locator(model: Any, event: Any, rename: Callable[[str], str]) -> Callable[[str], Location]:
    def locate(pointer: str) -> Location:
        found = model.locate_in_schema(event, pointer)
        return Location(rename(found.file), found.line, found.column, found.pointer)

    return locate


def check_against(
    model_path: str,
    revision: str,
    *,
    severities: Mapping[str, str],
    mode_override: Optional[str] = None,
    require_avro: Callable[[], None] = lambda: None,
    released: Optional[str] = None,
) -> AgainstResult:
    """Check each event of the model at `model_path` against the same event at `revision`;
    `severities` are the compatibility rules' (see `check_history`)."""
    from ..model.loader import load_model

    model = load_model(model_path)
    shown = str(model_path)
    model_file = Path(model_path).resolve()
    root = _repository_root(model_file.parent, shown)
    _verify_revision(root, revision)
    relative = PurePosixPath(model_file.relative_to(root).as_posix())
    result = AgainstResult(revision)
    if not _exists_at(root, revision, relative):
        result.notes.append(f"{shown} did not exist at {revision}: every event is new")
        return result
    with tempfile.TemporaryDirectory(prefix="grimoire-compat-") as temporary_name:
        temporary = Path(temporary_name).resolve()
        at_revision = temporary / "at-revision"
        try:
            old = _load_at(root, revision, relative, at_revision, revision)
        except InputError as exc:
            raise _rewrite(exc, at_revision, revision) from None
        history = [old]
        if _needs_history(model, mode_override):
            known = _schema_files(model, root) | _schema_files(old.model, at_revision)
            history = [
                *_earlier_versions(root, revision, relative, released, temporary, result, known),
                old,
            ]
        _compare_events(model, history, result, mode_override, require_avro, severities)
    return result


def compare_models(
    model: Any,
    old_model: Any,
    *,
    severities: Mapping[str, str],
    revision: str = "the earlier version",
    mode_override: Optional[str] = None,
    require_avro: Callable[[], None] = lambda: None,
) -> AgainstResult:
    """Compare each event of a loaded `model` with the same event in `old_model`, the model as
    it was at `revision`, as `check_against` does with one earlier version."""
    result = AgainstResult(revision)
    history = [_OldModel(revision, old_model, lambda file: file)]
    _compare_events(model, history, result, mode_override, require_avro, severities)
    return result


@dataclass(frozen=True)
class _OldModel:
    """The model as committed at one version: its label, the model, and how to name its files."""

    label: str
    model: Any
    rename: Callable[[str], str]


def _load_at(
    root: Path, commit: str, relative: PurePosixPath, folder: Path, label: str
) -> _OldModel:
    from ..model.loader import load_model

    folder.mkdir()
    _extract(root, commit, relative.parent, folder)
    prefix = str(folder) + os.sep
    return _OldModel(
        label, load_model(folder / relative), lambda file: file.replace(prefix, f"{label}:")
    )


def _needs_history(model: Any, mode_override: Optional[str]) -> bool:
    if mode_override is not None:
        return is_transitive(mode_override)
    modes = [model.system.compatibility] + [e.compatibility for e in model.events.values()]
    return any(mode and is_transitive(mode.strip().upper()) for mode in modes)


def _schema_files(model: Any, folder: Path) -> set[PurePosixPath]:
    """The schema files a model reads, as paths inside the repository extracted at `folder`."""
    found = set()
    for event in model.events.values():
        if event.schema_file is not None:
            try:
                found.add(PurePosixPath(Path(event.schema_file).resolve().relative_to(folder)))
            except ValueError:
                continue  # outside the repository: not versioned with it
    return found


def _earlier_versions(
    root: Path,
    revision: str,
    relative: PurePosixPath,
    released: Optional[str],
    temporary: Path,
    result: AgainstResult,
    schema_files: set[PurePosixPath],
) -> list[_OldModel]:
    """The model at every earlier committed version (oldest first); unloadable ones noted.

    Only commits that touched the model file or a schema file it reads count. Files an older
    version read under another name are learnt from that version, and the history is listed
    again with them (a few rounds at most)."""
    from .git_history import earlier_models

    loaded: dict[str, _OldModel] = {}
    committed: list = []
    for _ in range(HISTORY_ROUNDS):
        committed = earlier_models(
            lambda *args, **kw: _git(root, *args, **kw),
            revision,
            relative,
            released,
            sorted(schema_files),
        )
        learnt: set[PurePosixPath] = set()
        for version in committed:
            if version.commit in loaded:
                continue
            folder = temporary / version.commit
            try:
                old = _load_at(root, version.commit, version.path, folder, version.label)
            except InputError as exc:
                result.notes.append(
                    f"skipped {version.label}: the model did not load there ({exc.message})"
                )
                continue
            loaded[version.commit] = old
            learnt |= _schema_files(old.model, folder)
        if learnt <= schema_files:
            break
        schema_files = schema_files | learnt
    result.history_size = len(committed) + 1
    return [loaded[v.commit] for v in committed if v.commit in loaded]


def _compare_events(
    model: Any,
    history: list[_OldModel],
    result: AgainstResult,
    mode_override: Optional[str],
    require_avro: Callable[[], None],
    severities: Mapping[str, str],
) -> None:
    from .succession import successors, weakened_modes

    revision = result.revision
    old_model = history[-1].model
    successor_of = {e.supersedes: n for n, e in model.events.items() if e.supersedes}
    for name in old_model.events:
        if name not in model.events:
            successor = successor_of.get(name)
            readers = [reader.service for reader in readers_of(old_model, name)]
            result.changes.append(
                ModelChange(
                    "EVENT_TYPE_REMOVED",
                    name,
                    f"removed since {revision}"
                    + (f" (superseded by {successor})" if successor else "")
                    + (f"; read there by {', '.join(readers)}" if readers else ""),
                    model.locate("/events"),
                )
            )
    result.changes += weakened_modes(model, old_model, revision)
    found, notes = successors(
        model, old_model, revision, require_avro, history[-1].rename, severities=severities
    )
    result.changes += found
    result.notes += notes
    for name, event in model.events.items():
        old = old_model.events.get(name)
        if old is None:
            result.notes.append(f"{name}: new since {revision}, nothing to compare")
            continue
        mode_text = mode_override or event.compatibility or model.system.compatibility
        try:
            mode = normalize_mode(mode_text)
        except ValueError as exc:
            location = model.locate(f"{event.pointer}/compatibility")
            raise InputError(str(exc), location.file, location.line, location.column) from None
        if old.schema is None:
            result.notes.append(f"{name}: had no schema at {revision}, nothing to compare")
            continue
        if event.schema is None:
            result.changes.append(
                ModelChange(
                    "EVENT_SCHEMA_REMOVED",
                    name,
                    f"has no schema now but had one at {revision}",
                    model.locate(event.pointer),
                )
            )
            continue
        if old.schema_format != event.schema_format:
            result.changes.append(
                ModelChange(
                    "SCHEMA_LANGUAGE_CHANGED",
                    name,
                    f"schema changed from {old.schema_format} to {event.schema_format}",
                    model.locate(event.pointer),
                )
            )
            continue
        if event.schema_format == "avro":
            require_avro()
        new_locate = _locator(model, event, lambda file: file)
        earlier = history if is_transitive(mode) else history[-1:]
        versions = _event_versions(name, event.schema_format, earlier)
        if is_transitive(mode):
            result.notes.append(
                f"{name}: {mode} checked {plural(len(versions), 'earlier version')} "
                f"of its schema (from {plural(result.history_size, 'committed model version')})"
            )
        versions += [
            SchemaVersion(
                WORKING_TREE,
                schema_from_data(
                    event.schema, new_locate("").file, event.schema_format, new_locate
                ),
            ),
        ]
        verdict = check_history(versions, mode, severities=severities)
        result.verdicts.append((name, verdict))
        if not verdict.compatible:
            impact = impact_of(verdict, name, event.producer, readers_of(model, name))
            result.impacts[name] = (impact, model.locate(event.pointer))


def _event_versions(name: str, schema_format: str, history: list[_OldModel]) -> list[SchemaVersion]:
    """The event's distinct committed schemas in `history` (oldest first), in one language.

    Committing the same schema again is not a new version, as in a registry; the newest commit
    holding a schema names it."""
    import json

    versions = []
    seen = set()
    for old_model in reversed(history):
        old = old_model.model.events.get(name)
        if old is None or old.schema is None or old.schema_format != schema_format:
            continue
        if schema_format == "protobuf":  # the .proto text (its imports are not compared)
            text = old.schema.text
        else:
            text = json.dumps(old.schema, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        locate = _locator(old_model.model, old, old_model.rename)
        versions.append(
            SchemaVersion(
                old_model.label,
                schema_from_data(old.schema, locate("").file, old.schema_format, locate),
            )
        )
    return versions[::-1]
