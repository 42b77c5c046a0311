"""CAP rules: a channel's stated load against its transport's sourced figures, in `check`.

Sound and flawed designs (IoT telemetry, ride-hailing pings) live in tests/data/capacity.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import run_grimoire
from eventdesign.model.loader import load_model
from eventdesign.rules.engine import run_rules, selection_for

DATA = Path(__file__).resolve().parent / "data" / "capacity"


def findings(path: Path) -> list[tuple[str, str, int]]:
    model = load_model(path)
    found = run_rules(model, selection_for(model))
    return [(f.rule, f.severity, f.location.line) for f in found]


@pytest.mark.parametrize("name", ["telemetry-sound.yaml", "pings-sound.yaml"])
def test_a_design_sized_for_its_load_is_clean(name):
    assert findings(DATA / name) == []


def test_flawed_telemetry_fires_each_capacity_rule_at_its_line():
    assert findings(DATA / "telemetry-flawed.yaml") == [
        ("CAP001", "error", 20),  # partitions: 12 for 48 consumers
        ("CAP002", "error", 21),  # retention: 7d for a 30d replay window
        ("CAP003", "warning", 24),  # 30% of 200,000 msgs/s on one key, over a planning figure
    ]


def test_partition_finding_shows_the_arithmetic_and_the_source():
    model = load_model(DATA / "telemetry-flawed.yaml")
    message = next(f.message for f in run_rules(model, selection_for(model)) if f.rule == "CAP001")
    assert "needs 48 partitions: consumers_per_group 48 / 1 per partition" in message
    assert "https://kafka.apache.org/documentation/#intro_concepts_and_terms" in message


def test_hot_key_over_a_documented_limit_is_an_error(tmp_path):
    data = yaml.safe_load((DATA / "pings-sound.yaml").read_text(encoding="utf-8"))
    # 1% of 200,000 = 2,000 records/s on one driver > 1,000 records/s per Kinesis shard
    data["channels"]["rides.locations"]["load"]["hot_key_share"] = 0.01
    path = tmp_path / "pings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert [(rule, severity) for rule, severity, _ in findings(path)] == [("CAP003", "error")]


def test_a_transport_that_keeps_nothing_cannot_meet_a_replay_window(tmp_path):
    data = yaml.safe_load((DATA / "pings-sound.yaml").read_text(encoding="utf-8"))
    data["channels"]["rides.locations"]["load"]["replay_window"] = "2d"
    path = tmp_path / "pings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert [rule for rule, _, _ in findings(path)] == ["CAP002"]  # 1d kept, 2d needed


def test_load_over_a_service_quota_is_reported_per_quota():
    assert [rule for rule, _, _ in findings(DATA / "pings-over-quota.yaml")] == [
        "CAP004",  # 200,000 invocations/s > 18,750
        "CAP004",  # 200,000 events/s > 100,000 PutEvents entries/s
    ]


def test_channels_without_a_load_are_not_sized(tmp_path):
    data = yaml.safe_load((DATA / "telemetry-flawed.yaml").read_text(encoding="utf-8"))
    del data["channels"]["telemetry.readings"]["load"]
    path = tmp_path / "telemetry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert findings(path) == []


def test_capacity_command_sizes_every_channel_of_a_model():
    result = run_grimoire("capacity", str(DATA / "telemetry-sound.yaml"), "--format", "json")
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)["channels"]
    assert (record["channel"], record["unit"], record["units_needed"]) == (
        "telemetry.readings",
        "partition",
        48,
    )
    assert record["consumer_groups"] == 2  # analytics and alerting each read every reading
    # stored at the average rate: 120,000 x 500 B x 2,592,000 s x 3 copies
    assert record["storage_bytes"] == 466_560_000_000_000


def test_capacity_derives_the_message_size_from_examples(tmp_path):
    data = yaml.safe_load((DATA / "telemetry-sound.yaml").read_text(encoding="utf-8"))
    del data["channels"]["telemetry.readings"]["load"]["message_bytes"]
    path = tmp_path / "telemetry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_grimoire("capacity", str(path), "--format", "json")
    (record,) = json.loads(result.stdout)["channels"]
    # {"deviceId":"d-1","celsius":21.5} is 33 bytes as compact JSON
    assert record["message_bytes"] == 33
    assert record["message_bytes_origin"].startswith("derived: the largest example")


def test_capacity_of_a_model_without_loads_says_what_to_add():
    result = run_grimoire("capacity", str(DATA.parent / "check" / "clean.yaml"))
    assert result.returncode == 2
    assert "no channel states a `load:`" in result.stderr


def test_explain_describes_each_capacity_rule_and_where_its_figures_come_from():
    for rule in ("CAP001", "CAP002", "CAP003", "CAP004"):
        result = run_grimoire("check", "--explain", rule)
        assert result.returncode == 0, result.stderr
        assert "Figures and sources: `grimoire capacity MODEL`" in result.stdout
        assert "\nSources\n- " in result.stdout


def test_a_replay_window_of_forever_needs_infinite_retention(tmp_path):
    data = yaml.safe_load((DATA / "telemetry-sound.yaml").read_text(encoding="utf-8"))
    data["channels"]["telemetry.readings"]["load"]["replay_window"] = "infinite"
    path = tmp_path / "telemetry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    model = load_model(path)
    (found,) = run_rules(model, selection_for(model))
    assert found.rule == "CAP002"
    assert "must keep its history forever, but its retention 30d is shorter" in found.message
    assert "retention: infinite" in found.hint


def test_capacity_estimates_the_message_size_from_the_schema_without_examples(tmp_path):
    data = yaml.safe_load((DATA / "telemetry-sound.yaml").read_text(encoding="utf-8"))
    del data["channels"]["telemetry.readings"]["load"]["message_bytes"]
    del data["events"]["ReadingRecorded"]["examples"]
    path = tmp_path / "telemetry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_grimoire("capacity", str(path), "--format", "json")
    (record,) = json.loads(result.stdout)["channels"]
    # {"deviceId":"xxxxxxxxxxxxxxxx","celsius":12345.678}: 16-character string, 9-digit number
    assert record["message_bytes"] == len('{"deviceId":"xxxxxxxxxxxxxxxx","celsius":12345.678}')
    assert record["message_bytes_origin"].startswith("estimated from the inline payload schema")


def test_capacity_applies_a_planning_override_to_the_model_channels():
    result = run_grimoire(
        "capacity", str(DATA / "telemetry-sound.yaml"), "--planning", "copies=2", "--format", "json"
    )
    (record,) = json.loads(result.stdout)["channels"]
    # 120,000 x 500 B x 2,592,000 s x 2 copies
    assert record["storage_bytes"] == 311_040_000_000_000


def test_capacity_rejects_an_override_no_channel_can_use():
    result = run_grimoire("capacity", str(DATA / "pings-sound.yaml"), "--planning", "copies=2")
    assert result.returncode == 2
    assert "no channel's transport has that planning figure" in result.stderr
