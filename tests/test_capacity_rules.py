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
from eventdesign.rules.registry import all_rules

DATA = Path(__file__).resolve().parent / "data" / "capacity"


def located(path: Path) -> list[tuple[str, str, int, int, str]]:
    """(rule, severity, line, column, message) of every finding, in report order."""
    model = load_model(path)
    found = run_rules(model, selection_for(model))
    return [(f.rule, f.severity, f.location.line, f.location.column, f.message) for f in found]


@pytest.mark.parametrize("name", ["telemetry-sound.yaml", "pings-sound.yaml"])
def test_a_design_sized_for_its_load_is_clean(name):
    assert located(DATA / name) == []


KAFKA_PARTITION_FIGURE = (
    "a single partition takes tens of MB/s of writes; 10 MB/s is the conservative figure to "
    "plan with until you measure yours; "
    "https://www.confluent.io/blog/how-choose-number-topics-partitions-kafka-cluster/"
)
EVENTBRIDGE_QUOTAS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
# Every finding of each flawed design, pinned to its line, column and message.
LOCATED = {
    "telemetry-flawed.yaml": [
        (  # partitions: 12 for 48 consumers
            "CAP001",
            "error",
            20,
            5,
            "channel 'telemetry.readings' declares 12 partitions; its load needs 48 partitions: "
            "consumers_per_group 48 / 1 per partition (limit 1: a partition is read by one "
            "consumer of a group at a time, so partitions cap a group parallelism; "
            "https://kafka.apache.org/documentation/#intro_concepts_and_terms)",
        ),
        (  # retention: 7d for a 30d replay window
            "CAP002",
            "error",
            21,
            5,
            "channel 'telemetry.readings' must replay 30 days of history, but its retention 7d "
            "is shorter",
        ),
        (  # 30% of 200,000 msgs/s on one key, over a planning figure: a warning
            "CAP003",
            "warning",
            24,
            5,
            "channel 'telemetry.readings': the busiest key carries 60,000 msgs/s, "
            "write_bytes_per_s 30,000,000 over the per-key planning 10,000,000: "
            + KAFKA_PARTITION_FIGURE,
        ),
    ],
    "pings-over-quota.yaml": [
        (
            "CAP004",
            "error",
            18,
            5,
            "channel 'rides.locations': deliveries_per_s 200,000 is over the limit 18,750: "
            "Custom Event Bus - Classic: 18,750 invocations (rule target deliveries) per second "
            f"in us-east-1; above it deliveries are delayed; {EVENTBRIDGE_QUOTAS}",
        ),
        (
            "CAP004",
            "error",
            18,
            5,
            "channel 'rides.locations': write_records_per_s 200,000 is over the limit 100,000: "
            "Custom Event Bus - Classic: PutEvents 10,000 requests/s per account in us-east-1, "
            "us-west-2 and eu-west-1 (2,400 in us-east-2, less elsewhere; adjustable) times 10 "
            "entries per request; the newer Custom Event Bus has separate [EventsV2] quotas; "
            + EVENTBRIDGE_QUOTAS,
        ),
    ],
    "telemetry-event-hubs-over-namespace.yaml": [
        (
            "CAP004",
            "error",
            20,
            5,
            "channel 'telemetry.readings' needs 100 partitions, over the limit 32: Standard: "
            "partitions per event hub (Premium 100, Dedicated 1,024); "
            "https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas",
        ),
        (
            "CAP004",
            "error",
            20,
            5,
            "channel 'telemetry.readings' needs 200 throughput units, over the limit 40: "
            "Standard: up to 40 throughput units can be purchased per namespace, shared by its "
            "event hubs; https://learn.microsoft.com/azure/event-hubs/event-hubs-scalability",
        ),
    ],
}


@pytest.mark.parametrize("name", LOCATED)
def test_flawed_design_findings_are_pinned_to_line_column_and_message(name):
    assert located(DATA / name) == LOCATED[name]


def test_every_capacity_rule_has_a_pinned_finding():
    pinned = {finding[0] for findings_ in LOCATED.values() for finding in findings_}
    assert pinned == {r.id for r in all_rules() if r.family == "capacity"}


def test_hot_key_over_a_documented_limit_is_an_error(tmp_path):
    data = yaml.safe_load((DATA / "pings-sound.yaml").read_text(encoding="utf-8"))
    # 1% of 200,000 = 2,000 records/s on one driver > 1,000 records/s per Kinesis shard
    data["channels"]["rides.locations"]["load"]["hot_key_share"] = 0.01
    path = tmp_path / "pings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    # line 9 of the dumped model is rides.locations' `load:`
    assert located(path) == [
        (
            "CAP003",
            "error",
            9,
            5,
            "channel 'rides.locations': the busiest key carries 2,000 msgs/s, "
            "write_records_per_s 2,000 over the per-key limit 1,000: a shard takes 1,000 "
            "records/s of writes; https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html",
        )
    ]


def test_a_transport_that_keeps_nothing_cannot_meet_a_replay_window(tmp_path):
    data = yaml.safe_load((DATA / "pings-sound.yaml").read_text(encoding="utf-8"))
    data["channels"]["rides.locations"]["load"]["replay_window"] = "2d"
    path = tmp_path / "pings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    # line 16 of the dumped model is rides.locations' `retention: 1d`
    assert located(path) == [
        (
            "CAP002",
            "error",
            16,
            5,
            "channel 'rides.locations' must replay 2 days of history, but its retention 1d is "
            "shorter",
        )
    ]


def test_channels_without_a_load_are_not_sized(tmp_path):
    data = yaml.safe_load((DATA / "telemetry-flawed.yaml").read_text(encoding="utf-8"))
    del data["channels"]["telemetry.readings"]["load"]
    path = tmp_path / "telemetry.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert located(path) == []


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
