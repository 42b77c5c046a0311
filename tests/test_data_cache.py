"""Checked data from bundled files kept next to the bytecode: used only while nothing that
decides it changed, written only when Python writes bytecode, never a reason to fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ENTRY_SCRIPT
from eventdesign import data_cache
from eventdesign.transport import matrix as matrix_module
from eventdesign.transport.matrix import MATRIX_PATH, load_matrix


@pytest.fixture
def bytecode_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Python writes bytecode under tmp_path; the bundled matrix is read afresh."""
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    matrix_module._bundled_matrix.cache_clear()
    yield prefix
    matrix_module._bundled_matrix.cache_clear()


@pytest.fixture
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def kept_matrices(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("transports-*.json"))


def test_the_bundled_matrix_is_kept_beside_the_bytecode_and_read_back_the_same(
    bytecode_prefix: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_matrix()
    [kept] = kept_matrices(bytecode_prefix)
    assert kept.parent == data_cache.bytecode_folder(MATRIX_PATH.parent)
    # The next run reads neither the YAML nor the schema.
    matrix_module._bundled_matrix.cache_clear()
    monkeypatch.setattr(matrix_module, "load_document", _must_not_read)
    assert load_matrix() == first


def test_nothing_is_kept_when_python_writes_no_bytecode(
    bytecode_prefix: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    load_matrix()
    assert kept_matrices(bytecode_prefix) == []


def test_a_damaged_kept_matrix_is_read_again_from_the_yaml_and_replaced(
    bytecode_prefix: Path,
) -> None:
    first = load_matrix()
    [kept] = kept_matrices(bytecode_prefix)
    kept.write_text('{"transports": [', encoding="utf-8")
    matrix_module._bundled_matrix.cache_clear()
    assert load_matrix() == first
    assert json.loads(kept.read_text(encoding="utf-8"))["transports"]


def test_the_kept_data_is_named_by_every_file_that_decides_it(tmp_path: Path) -> None:
    data, code = tmp_path / "data.yaml", tmp_path / "reader.py"
    data.write_text("a: 1\n", encoding="utf-8")
    code.write_text("READ = 1\n", encoding="utf-8")
    before = data_cache.cache_file(tmp_path, "data", [data, code])
    assert data_cache.cache_file(tmp_path, "data", [data, code]) == before
    code.write_text("READ = 2\n", encoding="utf-8")
    assert data_cache.cache_file(tmp_path, "data", [data, code]) != before


@pytest.mark.usefixtures("writes_bytecode")
def test_kept_data_replaces_its_earlier_versions_only(tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("a: 1\n", encoding="utf-8")
    earlier = data_cache.cache_file(tmp_path, "data", [data])
    data_cache.store(earlier, {"a": 1})
    other = data_cache.cache_file(tmp_path, "data-other", [data])
    data_cache.store(other, {"a": 1})
    data.write_text("a: 2\n", encoding="utf-8")
    now = data_cache.cache_file(tmp_path, "data", [data])
    data_cache.store(now, {"a": 2})
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted([now.name, other.name])
    assert data_cache.load(now) == {"a": 2}


@pytest.mark.usefixtures("writes_bytecode")
def test_data_json_cannot_hold_exactly_is_not_kept(tmp_path: Path) -> None:
    for data in ({1: "an int key"}, {"size": float("inf")}):
        data_cache.store(tmp_path / "kept.json", data)
        assert not (tmp_path / "kept.json").exists()


@pytest.mark.usefixtures("writes_bytecode")
def test_a_folder_that_cannot_be_written_only_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    data_cache.store(blocker / "cache" / "kept.json", {"a": 1})
    assert data_cache.load(blocker / "cache" / "kept.json") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_run_keeps_the_matrix_and_the_next_run_prints_the_same(tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, str(ENTRY_SCRIPT), "transport", "--show", "kafka"]
    first = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert kept_matrices(tmp_path)
    second = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, "")
    assert "Apache Kafka [kafka]" in second.stdout


def _must_not_read(*args: object, **kwargs: object) -> None:
    raise AssertionError("the kept matrix should have been used")
