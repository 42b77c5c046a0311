"""The advisor per channel, in numbers: hosting-aware burden, the incumbent, latency, quotas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_grimoire
from eventdesign.model.source import load_document
from eventdesign.transport.advisor import advise
from eventdesign.transport.matrix import load_matrix
from eventdesign.transport.needs import Needs
from eventdesign.transport.per_channel import advise_channels

DATA = Path(__file__).resolve().parent / "data" / "transport"
HIGH_VOLUME = dict(
    ordering="per-key", throughput_msgs_per_s=200_000, message_bytes=500, retention_days=30
)


@pytest.fixture(scope="module")
def matrix():
    return load_matrix()


def ranked(matrix, **needs) -> list[str]:
    return [c.transport.id for c in advise(matrix, Needs(**needs)).candidates]


def reasons(matrix, **needs) -> dict[str, tuple[str, ...]]:
    return {e.transport.id: e.reasons for e in advise(matrix, Needs(**needs)).excluded}


def test_commands_and_replayable_events_in_one_system_get_different_answers(matrix):
    data = load_document(DATA / "hotel-booking.yaml").data
    below = [({"cloud": "aws", "hosting": "managed"}, "transport_needs")]
    groups = {g.channels: g for g in advise_channels(matrix, data, below, [])}
    commands = groups[("bookings.commands",)]
    events = groups[("bookings.events",)]
    # commands: per-key order, one handler, nothing to replay: a FIFO queue fits
    assert "sqs-fifo" in [c.transport.id for c in commands.advice.candidates]
    assert not commands.needs.fan_out and not commands.needs.replay
    # events: three services read 30 days of history: queues are ruled out, streams fit
    excluded = {e.transport.id: e.reasons for e in events.advice.excluded}
    assert excluded["sqs-fifo"][0].startswith("no replay")
    assert events.needs.fan_out and events.needs.retention_days == 30
    assert "kinesis" in [c.transport.id for c in events.advice.candidates]


def test_redis_streams_cannot_keep_30_days_of_200k_msgs_in_memory(matrix):
    why = reasons(matrix, **HIGH_VOLUME)["redis-streams"][0]
    # 200,000 x 500 B x 2,592,000 s = 259.2 TB against 419.09 GiB (450.0 GB) per stream
    assert why.startswith("retention is held in memory: 200,000 msgs/s x 500 B x 30 days")
    assert "259.2 TB of RAM, 577 times the 450.0 GB" in why


def test_eventbridge_is_ruled_out_at_200k_by_its_put_events_quota(matrix):
    why = reasons(matrix, **HIGH_VOLUME)["eventbridge"]
    assert any("over the documented 100,000 per channel" in reason for reason in why)


def test_sns_fifo_is_ruled_out_at_200k_not_ranked_first(matrix):
    why = reasons(matrix, **HIGH_VOLUME)["sns-fifo"]
    assert "needs 200,000 msgs/s in, over the documented 3,000 per channel" in " ".join(why)


def test_fits_carry_the_sizing_arithmetic(matrix):
    advice = advise(matrix, Needs(**HIGH_VOLUME))
    kinesis = next(c for c in advice.candidates if c.transport.id == "kinesis")
    assert "200,000 msgs/s in / 1,000 per shard (limit) = 200 shards" in " ".join(kinesis.fits)


def test_managed_kafka_is_not_high_burden_but_self_run_kafka_is(matrix):
    managed = advise(matrix, Needs(ordering="per-key", hosting="managed", cloud="aws"))
    self_run = advise(matrix, Needs(ordering="per-key", hosting="self-run"))
    assert next(c for c in managed.candidates if c.transport.id == "kafka").burden == "low"
    assert next(c for c in self_run.candidates if c.transport.id == "kafka").burden == "high"


def test_the_incumbent_is_preferred_when_it_fits_and_others_say_the_switch_cost(matrix):
    needs = dict(ordering="per-key", replay=True, cloud="aws", incumbent=("kafka",))
    advice = advise(matrix, Needs(**needs))
    assert advice.candidates[0].transport.id == "kafka"
    assert advice.candidates[0].switch_cost == ""
    kinesis = next(c for c in advice.candidates if c.transport.id == "kinesis")
    assert kinesis.switch_cost.startswith("switching from kafka: a second transport to run")


def test_an_incumbent_that_does_not_fit_is_not_preferred(matrix):
    assert "sqs" not in ranked(matrix, ordering="per-key", replay=True, incumbent=("sqs",))


def test_latency_is_checked_where_the_matrix_has_a_figure(matrix):
    # Kinesis: average propagation delay typically below 1,000 ms with 1 s polling (planning)
    assert "latency 1,000 ms" in reasons(matrix, latency_ms=500)["kinesis"][0]
    fits = advise(matrix, Needs(latency_ms=2_000)).candidates
    assert (
        "latency target 2,000 ms (typical 1,000)"
        in next(c for c in fits if c.transport.id == "kinesis").fits
    )
    kafka = next(c for c in fits if c.transport.id == "kafka")
    assert any(caveat.startswith("no latency figure in the matrix") for caveat in kafka.caveats)


def test_throughput_without_a_sourced_figure_is_a_caveat_not_a_tier(matrix):
    advice = advise(matrix, Needs(throughput_msgs_per_s=200_000))
    rabbit = next(c for c in advice.candidates if c.transport.id == "rabbitmq-quorum")
    assert rabbit.caveats[0].startswith("no sourced throughput figure to check 200,000 msgs/s")


def test_cli_with_a_model_advises_per_channel_group_in_json():
    result = run_grimoire("transport", str(DATA / "hotel-booking.yaml"), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    groups = {tuple(g["channels"]): g for g in report["channel_groups"]}
    assert set(groups) == {("bookings.commands",), ("bookings.events",)}
    events = groups[("bookings.events",)]
    assert events["needs"]["retention_days"] == 30
    assert events["need_origins"]["fan_out"] == "3 services read channel bookings.events"


def test_cli_text_names_each_channel_group():
    result = run_grimoire("transport", str(DATA / "hotel-booking.yaml"), "--top", "1")
    assert "== Channel bookings.commands" in result.stdout
    assert "== Channel bookings.events" in result.stdout


def test_a_typical_message_size_is_checked_when_no_largest_is_stated(matrix):
    # 2,000,000 B = 1,953 KiB > EventBridge's 1 MiB per event
    why = reasons(matrix, message_bytes=2_000_000)["eventbridge"][0]
    assert why.startswith("messages are limited to 1 MiB, under the 1.907 MiB needed")


def test_global_order_at_200k_rules_out_one_shard_and_one_fifo_group(matrix):
    needs = dict(ordering="global", throughput_msgs_per_s=200_000, message_bytes=500)
    why = reasons(matrix, **needs)
    # one shard takes 1,000 records/s; one FIFO message group 3,000 msgs/s
    assert "global order puts all 200,000 msgs/s in on one key, over the limit of 1,000" in (
        " ".join(why["kinesis"])
    )
    assert "over the limit of 3,000" in " ".join(why["sqs-fifo"])
    # Kafka's one partition is a planning figure: a caveat with the numbers, not an exclusion
    kafka = next(c for c in advise(matrix, Needs(**needs)).candidates if c.transport.id == "kafka")
    assert any("100,000,000 B/s in on one key" in caveat for caveat in kafka.caveats)


def test_fan_out_egress_counts_every_consumer_group(matrix):
    # 10,000 events/s x 3 rules = 30,000 EventBridge invocations/s > 18,750
    why = reasons(matrix, throughput_msgs_per_s=10_000, consumer_groups=3)["eventbridge"]
    assert why == (
        "needs 30,000 deliveries/s, over the documented 18,750 per channel: "
        + why[0].split("per channel: ", 1)[1],
    )
