"""Golden sizings per transport from the matrix's documented figures, the arithmetic spelled out.

Each expected number is worked by hand in the comment above it from the figure named there
(scripts/eventdesign/transport/transports.yaml, with its source). A figure change in the matrix
breaks these on purpose: re-derive the numbers from the new source.
"""

from __future__ import annotations

import json
import math
import shutil

import pytest

from conftest import REPO_ROOT, run_grimoire
from eventdesign.transport.capacity import Load, duration_seconds, override_figures, size
from eventdesign.transport.matrix import load_matrix

DAY = 86_400


@pytest.fixture(scope="module")
def matrix():
    return load_matrix()


def sized(matrix, transport_id: str, **load):
    return size(matrix.get(transport_id), Load(**load))


def demands(sizing, unit_index: int = 0) -> dict[str, int]:
    return {d.figure.name: d.units for d in sizing.units[unit_index].demands}


# --- Kinesis: 1 MiB/s and 1,000 records/s of writes, 2 MiB/s of reads per shard (limits) ------


def test_kinesis_200k_small_records_is_decided_by_records_per_shard(matrix):
    sizing = sized(
        matrix,
        "kinesis",
        msgs_per_s=200_000,
        message_bytes=500,
        consumer_groups=3,
        retention_s=30 * DAY,
    )
    # ingress 200,000 x 500 = 100,000,000 B/s; egress x 3 groups = 300,000,000 B/s
    assert sizing.ingress_bytes_per_s == 100_000_000
    assert sizing.egress_bytes_per_s == 300_000_000
    # bytes 100,000,000 / 1,048,576 = 95.4 -> 96; records 200,000 / 1,000 = 200;
    # reads 300,000,000 / 2,097,152 = 143.05 -> 144
    assert demands(sizing) == {
        "write_bytes_per_s": 96,
        "write_records_per_s": 200,
        "read_bytes_per_s": 144,
    }
    assert sizing.primary.units_needed == 200
    assert sizing.deciding.name == "write_records_per_s"
    # storage counted once: 200,000 x 500 x 2,592,000 s = 259,200,000,000,000 B
    assert sizing.storage_bytes == 259_200_000_000_000
    # replay reads 200 shards x 2,097,152 B/s / 500 B = 838,860.8 msgs/s;
    # 518,400,000,000 retained / 838,860.8 = 617,981 s (7.15 days)
    assert sizing.replay_seconds == pytest.approx(617_981.0, abs=1)
    assert sizing.fits
    # billing: 200 shards x 730 h = 146,000 shard-hours a month
    assert sizing.billing_units()["shard_hours_per_month"] == 146_000


def test_kinesis_large_records_are_decided_by_bytes_per_shard(matrix):
    sizing = sized(matrix, "kinesis", msgs_per_s=5_000, message_bytes=4_000)
    # bytes 20,000,000 / 1,048,576 = 19.07 -> 20; records 5,000 / 1,000 = 5;
    # reads 20,000,000 / 2,097,152 = 9.5 -> 10
    assert demands(sizing) == {
        "write_bytes_per_s": 20,
        "write_records_per_s": 5,
        "read_bytes_per_s": 10,
    }
    assert sizing.deciding.name == "write_bytes_per_s"


def test_kinesis_beyond_the_default_shard_quota_does_not_fit(matrix):
    # 30,000,000 records/s / 1,000 per shard = 30,000 shards > 20,000 default quota
    sizing = sized(matrix, "kinesis", msgs_per_s=30_000_000, message_bytes=100)
    assert sizing.primary.units_needed == 30_000
    assert sizing.primary.over_max
    assert not sizing.fits


def test_kinesis_hot_key_is_over_one_shard(matrix):
    # 2% of 200,000 = 4,000 records/s on one key (a key always lands on one shard):
    # 4,000 > 1,000 records/s, and 4,000 x 500 = 2,000,000 B/s > 1,048,576 B/s
    sizing = sized(matrix, "kinesis", msgs_per_s=200_000, message_bytes=500, hot_key_share=0.02)
    assert sizing.key_msgs_per_s == 4_000
    assert {(c.figure.name, c.demand) for c in sizing.key_ceilings if c.exceeded} == {
        ("write_records_per_s", 4_000),
        ("write_bytes_per_s", 2_000_000),
    }
    assert not sizing.fits


# --- Kafka: 10 MB/s per partition (planning), one consumer per partition in a group (limit) -----


def test_kafka_partitions_follow_consumer_parallelism_when_it_needs_more(matrix):
    sizing = sized(
        matrix,
        "kafka",
        msgs_per_s=200_000,
        message_bytes=500,
        consumer_parallelism=24,
        retention_s=7 * DAY,
    )
    # bytes 100,000,000 / 10,000,000 = 10 partitions; consumers 24 / 1 = 24 partitions
    assert demands(sizing) == {"write_bytes_per_s": 10, "consumers_per_group": 24}
    assert sizing.primary.units_needed == 24
    assert sizing.deciding.kind == "limit"
    # storage x 3 copies (planning): 200,000 x 500 x 604,800 x 3 = 181,440,000,000,000 B
    assert sizing.storage_bytes == 181_440_000_000_000


def test_kafka_planning_figures_can_be_overridden(matrix):
    kafka = override_figures(matrix.get("kafka"), {"write_bytes_per_s": 5_000_000, "copies": 2})
    sizing = size(kafka, Load(msgs_per_s=200_000, message_bytes=500, retention_s=DAY))
    # bytes 100,000,000 / 5,000,000 = 20 partitions
    assert sizing.primary.units_needed == 20
    assert "overridden by you" in sizing.deciding.note
    # 200,000 x 500 x 86,400 x 2 copies = 17,280,000,000,000 B
    assert sizing.storage_bytes == 17_280_000_000_000


def test_a_documented_limit_cannot_be_overridden(matrix):
    with pytest.raises(KeyError, match="not a planning figure"):
        override_figures(matrix.get("kinesis"), {"write_bytes_per_s": 9e9})


# --- Event Hubs Standard: per TU 1 MB/s, 1,000 events/s in, 2 MB/s out; 40 TUs; 32 partitions --


def test_event_hubs_sizes_throughput_units_and_partitions(matrix):
    sizing = sized(
        matrix, "azure-event-hubs", msgs_per_s=10_000, message_bytes=1_500, consumer_groups=2
    )
    # TUs: bytes 15,000,000 / 1,000,000 = 15; events 10,000 / 1,000 = 10;
    # egress 30,000,000 / 2,000,000 = 15 -> 15 TUs
    assert demands(sizing, 0) == {
        "write_bytes_per_s": 15,
        "write_records_per_s": 10,
        "read_bytes_per_s": 15,
    }
    # partitions: 15,000,000 / 1,000,000 (planning, 1:1 with TUs) = 15
    assert sizing.units[1].units_needed == 15
    assert sizing.fits


def test_event_hubs_standard_over_40_throughput_units_does_not_fit(matrix):
    # 50,000 events/s / 1,000 per TU = 50 TUs > 40 per namespace
    sizing = sized(matrix, "azure-event-hubs", msgs_per_s=50_000, message_bytes=100)
    assert sizing.primary.units_needed == 50
    assert not sizing.fits


# --- Pub/Sub: 1 MB/s per ordering key; 200 MB/s publish per large region (limits) --------------


def test_pubsub_needs_ordering_keys_for_ordered_throughput(matrix):
    sizing = sized(matrix, "pubsub", msgs_per_s=200_000, message_bytes=500)
    # 100,000,000 B/s / 1,000,000 per ordering key = 100 ordering keys at least
    assert sizing.primary.units_needed == 100
    # channel: 100,000,000 B/s within 200,000,000 B/s per large region
    assert [c.exceeded for c in sizing.channel_ceilings] == [False]
    assert sizing.fits


def test_pubsub_hot_ordering_key_over_1_mb_per_s_does_not_fit(matrix):
    # 2% of 200,000 = 4,000 msgs/s x 500 B = 2,000,000 B/s > 1,000,000 per ordering key
    sizing = sized(matrix, "pubsub", msgs_per_s=200_000, message_bytes=500, hot_key_share=0.02)
    assert [(c.demand, c.exceeded) for c in sizing.key_ceilings] == [(2_000_000, True)]
    assert not sizing.fits


def test_pubsub_over_the_regional_publish_quota_does_not_fit(matrix):
    # 500,000 x 1,000 B = 500,000,000 B/s > 200,000,000
    assert not sized(matrix, "pubsub", msgs_per_s=500_000, message_bytes=1_000).fits


# --- SQS FIFO: 3,000 msgs/s per message group (batched), 700,000 per queue (HT mode) ----------


def test_sqs_fifo_needs_message_groups_for_its_rate(matrix):
    sizing = sized(matrix, "sqs-fifo", msgs_per_s=200_000, message_bytes=500)
    # 200,000 / 3,000 per group = 66.7 -> 67 message groups; within 700,000 per queue
    assert sizing.primary.units_needed == 67
    assert sizing.fits


def test_sqs_fifo_with_few_groups_has_a_hot_group(matrix):
    # 200,000 msgs/s evenly over 10 groups = 20,000 per group > 3,000
    sizing = sized(matrix, "sqs-fifo", msgs_per_s=200_000, key_cardinality=10)
    assert sizing.key_msgs_per_s == 20_000
    assert not sizing.fits
    assert "only 10 distinct keys" in sizing.notes[0]


def test_sqs_fifo_over_the_high_throughput_quota_does_not_fit(matrix):
    assert not sized(matrix, "sqs-fifo", msgs_per_s=1_000_000).fits  # > 700,000


# --- SNS FIFO: 3,000 msgs/s and 20 MB/s per topic (topic scope) --------------------------------


def test_sns_fifo_fits_a_modest_rate_and_not_200k(matrix):
    assert sized(matrix, "sns-fifo", msgs_per_s=2_000, message_bytes=1_000).fits
    # 200,000 > 3,000 msgs/s per topic; 200,000 x 500 = 100,000,000 B/s > 20,000,000
    sizing = sized(matrix, "sns-fifo", msgs_per_s=200_000, message_bytes=500)
    assert [c.exceeded for c in sizing.channel_ceilings] == [True, True]


# --- EventBridge classic bus: 10,000 PutEvents/s x 10 entries; 18,750 invocations/s ------------


def test_eventbridge_200k_is_over_the_put_events_quota(matrix):
    sizing = sized(matrix, "eventbridge", msgs_per_s=200_000, message_bytes=500)
    # 200,000 events/s > 10,000 requests/s x 10 entries = 100,000; and one rule delivers
    # 200,000 invocations/s > 18,750, the larger overshoot (10.7x against 2x), which decides
    assert [(c.figure.name, c.exceeded) for c in sizing.channel_ceilings] == [
        ("write_records_per_s", True),
        ("deliveries_per_s", True),
    ]
    assert sizing.deciding.name == "deliveries_per_s"
    assert not sizing.fits


def test_eventbridge_fan_out_counts_every_rule_delivery(matrix):
    # 10,000 events/s x 3 rules = 30,000 invocations/s > 18,750
    sizing = sized(matrix, "eventbridge", msgs_per_s=10_000, consumer_groups=3)
    assert [(c.figure.name, c.exceeded) for c in sizing.channel_ceilings] == [
        ("write_records_per_s", False),
        ("deliveries_per_s", True),
    ]


# --- Redis Streams: retention in RAM; one stream is one key on one shard (419.09 GiB planning) --


def test_redis_streams_small_retention_fits_one_stream(matrix):
    # 1,000 x 200 B x 604,800 s = 120,960,000,000 B of RAM < 449,994,461,020
    sizing = sized(
        matrix, "redis-streams", msgs_per_s=1_000, message_bytes=200, retention_s=7 * DAY
    )
    assert sizing.primary.units_needed == 1


def test_redis_streams_30_days_at_200k_needs_hundreds_of_streams_of_ram(matrix):
    # 200,000 x 500 x 2,592,000 = 259,200,000,000,000 B / 449,994,461,020 = 576.007 -> 577
    sizing = sized(
        matrix, "redis-streams", msgs_per_s=200_000, message_bytes=500, retention_s=30 * DAY
    )
    assert sizing.primary.units_needed == 577
    assert "memory" in sizing.notes[-1]


# --- Pulsar, NATS JetStream, SQS: what the matrix has ------------------------------------------


def test_pulsar_partitions_follow_consumer_parallelism(matrix):
    sizing = sized(matrix, "pulsar", msgs_per_s=1_000, consumer_parallelism=8, retention_s=DAY)
    assert sizing.primary.units_needed == 8  # 8 consumers / 1 per partition
    # 1,000 msgs/s with no size: storage unknown, said so rather than guessed
    assert sizing.storage_bytes is None


def test_nats_storage_counts_three_replicas(matrix):
    sizing = sized(matrix, "nats-jetstream", msgs_per_s=100, message_bytes=1_000, retention_s=DAY)
    # 100 x 1,000 x 86,400 x 3 = 25,920,000,000 B
    assert sizing.storage_bytes == 25_920_000_000


def test_standard_sqs_has_nothing_to_provision(matrix):
    sizing = sized(matrix, "sqs", msgs_per_s=200_000, message_bytes=500)
    assert sizing.units == () and sizing.fits and sizing.deciding is None


def test_durations_parse_as_the_model_writes_them():
    assert duration_seconds("30d") == 30 * DAY
    assert duration_seconds("12h") == 43_200
    assert math.isinf(duration_seconds("infinite"))
    with pytest.raises(ValueError):
        duration_seconds("a month")


# --- the command --------------------------------------------------------------------------------

HIGH_VOLUME = [
    "capacity", "--transport", "kinesis", "--msgs-per-s", "200000", "--message-bytes", "500",
    "--retention", "30d", "--consumers", "3",
]  # fmt: skip


def test_cli_json_names_the_fields_per_channel():
    result = run_grimoire(*HIGH_VOLUME, "--format", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)["channels"][0]
    assert record["transport"] == "kinesis"
    assert record["unit"] == "shard"
    assert record["units_needed"] == 200
    assert record["deciding_limit"]["name"] == "write_records_per_s"
    assert record["deciding_limit"]["kind"] == "limit"
    assert record["deciding_limit"]["source"].startswith("https://docs.aws.amazon.com/streams/")
    assert record["deciding_limit"]["accessed"] == "2026-12-06"
    assert record["ingress_bytes_per_s"] == 100_000_000
    assert record["storage_bytes"] == 259_200_000_000_000


def test_cli_text_shows_the_arithmetic_and_the_sources():
    result = run_grimoire(*HIGH_VOLUME)
    assert "shards: 200 needed, decided by write_records_per_s" in result.stdout
    assert "200,000 msgs/s in / 1,000 per shard = 200 (limit [1]" in result.stdout
    assert "(accessed 2026-12-06)" in result.stdout


def test_cli_exits_1_when_a_documented_limit_is_exceeded():
    result = run_grimoire(
        "capacity", "--transport", "eventbridge", "--msgs-per-s", "200000", "--message-bytes", "500"
    )
    assert result.returncode == 1
    assert "OVER the limit of 100,000" in result.stdout


def test_cli_rejects_overriding_a_limit_with_exit_2():
    result = run_grimoire(*HIGH_VOLUME, "--planning", "write_records_per_s=5000")
    assert result.returncode == 2
    assert "not a planning figure of kinesis" in result.stderr


def test_cli_without_model_or_flags_says_what_to_give():
    result = run_grimoire("capacity")
    assert result.returncode == 2
    assert "--transport and --msgs-per-s" in result.stderr


def test_global_order_puts_the_whole_rate_on_one_shard(matrix):
    # 2,000 records/s all on one key > 1,000 records/s per shard; bytes 1,000,000 < 1,048,576
    sizing = sized(matrix, "kinesis", msgs_per_s=2_000, message_bytes=500, ordering="global")
    assert [(c.figure.name, c.exceeded) for c in sizing.key_ceilings] == [
        ("write_bytes_per_s", False),
        ("write_records_per_s", True),
    ]
    assert not sizing.fits


def test_unordered_pubsub_needs_no_ordering_keys(matrix):
    sizing = sized(matrix, "pubsub", msgs_per_s=200_000, message_bytes=500, ordering="none")
    assert sizing.units == ()
    assert sizing.fits  # 100,000,000 B/s within 200,000,000 per large region


def test_a_queue_keeps_nothing_to_size_for_replay(matrix):
    sizing = sized(matrix, "sqs-fifo", msgs_per_s=1_000, message_bytes=500, retention_s=4 * DAY)
    assert sizing.storage_bytes is None and sizing.replay_seconds is None


def test_cli_says_when_the_matrix_has_no_figure_to_size_with():
    result = run_grimoire(
        "capacity", "--transport", "rabbitmq", "--msgs-per-s", "5000", "--message-bytes", "900"
    )
    assert result.returncode == 0
    assert "no sourced per-unit figure in the matrix; measure before committing" in result.stdout


def test_figures_too_large_for_any_system_are_refused_before_they_overflow(tmp_path) -> None:
    flags = run_grimoire(
        "capacity", "--transport", "kafka", "--msgs-per-s", "1e300", "--message-bytes", "1e300"
    )
    assert flags.returncode == 2
    assert "'1e300' is above 1,000,000,000,000" in flags.stderr
    shutil.copytree(REPO_ROOT / "examples" / "claims-intake", tmp_path / "claims")
    model = tmp_path / "claims" / "design.yaml"
    text = model.read_text()
    model.write_text(text.replace("peak_msgs_per_s: 50 ", "peak_msgs_per_s: 1.0e+300 "))
    result = run_grimoire("capacity", str(model), "--format", "json")
    assert result.returncode == 2
    assert "1e+300 is greater than the maximum of 1000000000000" in result.stderr
    assert "Traceback" not in result.stderr
