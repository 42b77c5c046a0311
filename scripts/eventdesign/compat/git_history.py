"""Earlier committed versions of a design model, for the _TRANSITIVE modes of `compat --against`.

The model file's history is followed across renames (`git log --follow`); every commit reachable
from the revision that touched the model file or one of the schema files it reads is a
candidate version. With `released`, only commits a matching tag points at count:
commits between releases are drafts, never seen by a consumer, and are not compared.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Optional

Git = Callable[..., subprocess.CompletedProcess]


@dataclass(frozen=True)
class CommittedModel:
    """The model file as it was at one commit: where it was, and a short label for messages."""

    commit: str
    path: PurePosixPath
    label: str


def model_paths(git: Git, revision: str, relative: PurePosixPath) -> list[PurePosixPath]:
    """Every path the model file had in the history of `revision`, newest first."""
    log = git("log", "--follow", "--format=", "--name-only", revision, "--", str(relative))
    paths: list[PurePosixPath] = []
    for line in log.stdout.splitlines() if log.returncode == 0 else ():
        path = PurePosixPath(line.strip())
        if line.strip() and path not in paths:
            paths.append(path)
    return paths or [relative]


def tags_by_commit(git: Git, revision: str, pattern: str = "*") -> dict[str, str]:
    """Commits reachable from `revision` that a tag matching `pattern` points at: commit ->
    the tag's name (the first in name order when several do)."""
    listing = git(
        "for-each-ref",
        "--merged",
        revision,
        "--sort=refname",
        "--format=%(refname:short) %(objectname) %(*objectname)",
        "refs/tags",
    )
    found: dict[str, str] = {}
    for line in listing.stdout.splitlines() if listing.returncode == 0 else ():
        name, *objects = line.split()
        if fnmatchcase(name, pattern):
            # An annotated tag's line ends with the commit it points at.
            found.setdefault(objects[-1], name)
    return found


def earlier_models(
    git: Git,
    revision: str,
    relative: PurePosixPath,
    released: Optional[str] = None,
    schema_files: Sequence[PurePosixPath] = (),
) -> list[CommittedModel]:
    """The model's committed versions reachable from `revision`, oldest first, `revision`'s own
    commit excluded; each commit that touched the model file (under any of its names) or one of
    `schema_files`, paired with the path the model had there."""
    head = git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").stdout.strip()
    paths = model_paths(git, revision, relative)
    pathspec = sorted({str(path) for path in paths} | {str(path) for path in schema_files})
    listing = git("rev-list", "--topo-order", "--reverse", revision, "--", *pathspec)
    commits = [c for c in listing.stdout.split() if c != head] if listing.returncode == 0 else []
    tags = tags_by_commit(git, revision, released or "*")
    if released is not None:
        commits = [c for c in commits if c in tags]
    if not commits:
        return []
    present = _paths_present(git, commits, paths)
    return [
        CommittedModel(commit, present[commit], tags.get(commit, commit[:12]))
        for commit in commits
        if commit in present
    ]


def _paths_present(
    git: Git, commits: list[str], paths: list[PurePosixPath]
) -> dict[str, PurePosixPath]:
    """For each commit, the first of `paths` (newest first) that exists there."""
    requests = "".join(f"{commit}:{path}\n" for commit in commits for path in paths)
    checked = git("cat-file", "--batch-check=%(objecttype)", input_text=requests)
    answers = checked.stdout.splitlines() if checked.returncode == 0 else []
    present: dict[str, PurePosixPath] = {}
    index = 0
    for commit in commits:
        for path in paths:
            answer = answers[index] if index < len(answers) else ""
            index += 1
            if answer == "blob" and commit not in present:
                present[commit] = path
    return present
