"""What a test does when a real client it needs is not installed.

A contributor's quick `pytest` skips such a test and says how to install the client; under CI
(`CI=true`, which `.ci/run` sets, as most CI services do) the same test fails instead, so a
missing client can never make CI pass by skipping what it proves.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

INSTALL = "run `bash tests/tools/install.sh` (make test does)"


def required() -> bool:
    """True under CI, where every real client must be there."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(what: str, install: str = INSTALL) -> NoReturn:
    """Skip (or, under CI, fail) the test that needs `what`, saying how to install it."""
    message = f"{what} is missing: {install}"
    if required():
        pytest.fail(message)
    pytest.skip(message)
