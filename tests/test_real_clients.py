"""A missing real client skips a test on a contributor's machine and fails it under CI."""

from __future__ import annotations

import pytest

from real_clients import missing


def test_a_missing_client_skips_with_the_install_command(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="mmdc is missing: run `bash tests/tools"):
        missing("mmdc")


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_a_missing_client_fails_under_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="mmdc is missing"):
        missing("mmdc")


def test_ci_false_is_not_ci(monkeypatch):
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        missing("mmdc")
