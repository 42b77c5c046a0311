"""Whether an interpreter already has what grimoire needs (requirements.txt's ranges)."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

MINIMUM = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)\s*(?:#.*)?$")


def minimum_versions(requirements: Path) -> dict[str, tuple[int, ...]]:
    """Distribution name -> lowest accepted release, from `name>=X.Y` lines."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = MINIMUM.match(line)
        if match:
            found[match.group(1)] = release(match.group(2))
    return found


def release(version: str) -> tuple[int, ...]:
    """The leading numeric release of a version string: `6.0.2rc1` -> (6, 0, 2)."""
    parts = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
        if digits.group() != part:
            break
    return tuple(parts)


def satisfied(requirements: Path) -> bool:
    """True when this interpreter has every requirement at an accepted version."""
    for name, lowest in minimum_versions(requirements).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            return False
        if release(installed) < lowest:
            return False
    return True
