"""The transport advisor: matrix data, exclusions, ranking, needs from models, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.errors import InputError
from eventdesign.model.source import load_document
from eventdesign.transport.advisor import advise
from eventdesign.transport.matrix import MATRIX_PATH, load_matrix, matrix_schema
from eventdesign.transport.needs import Needs, apply, inferred_from_model, needs_from_section

DATA = Path(__file__).resolve().parent / "data" / "transport"


@pytest.fixture(scope="module")
def matrix():
    return load_matrix()


def fitting(matrix, **needs) -> list[str]:
    return [c.transport.id for c in advise(matrix, Needs(**needs)).candidates]


def excluded(matrix, **needs) -> dict[str, tuple[str, ...]]:
    return {e.transport.id: e.reasons for e in advise(matrix, Needs(**needs)).excluded}


# --- the data -------------------------------------------------------------------------------


def test_matrix_file_is_found_from_the_package_not_the_working_directory():
    assert MATRIX_PATH == REPO_ROOT / "scripts" / "eventdesign" / "transport" / "transports.yaml"


def test_bundled_matrix_validates_against_its_schema():
    from jsonschema import Draft202012Validator

    data = load_document(MATRIX_PATH).data
    errors = list(Draft202012Validator(matrix_schema()).iter_errors(data))
    assert errors == []


def test_schema_itself_is_a_valid_draft_2020_12_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(matrix_schema())


def test_matrix_covers_every_transport_the_brief_names(matrix):
    ids = {t.id for t in matrix.transports}
    assert ids == {
        "kafka", "pulsar", "rabbitmq-classic", "rabbitmq-quorum", "rabbitmq-stream",
        "nats-jetstream", "redis-streams", "sqs", "sqs-fifo", "sns", "sns-fifo", "eventbridge",
        "kinesis", "pubsub", "azure-service-bus", "azure-event-hubs", "in-process",
    }  # fmt: skip


def test_every_model_transport_value_has_a_matrix_entry(matrix):
    model_values = set(
        json.loads((REPO_ROOT / "scripts/eventdesign/model/design-model.schema.json").read_text())[
            "$defs"
        ]["transport"]["enum"]
    )
    assert model_values == {t.model_transport for t in matrix.transports}


@pytest.mark.parametrize(
    "field, has_number",
    [
        ("message_size", lambda t: t.default_message_bytes is not None),
        ("replay", lambda t: t.max_retention_days is not None),
        ("capacity", lambda t: t.capacity is not None),
    ],
)
def test_every_number_in_the_matrix_has_a_source_covering_it(matrix, field, has_number):
    unsourced = [
        t.id
        for t in matrix.transports
        if has_number(t) and not any(field in s.covers for s in t.sources)
    ]
    assert unsourced == []


def test_every_capacity_figure_cites_a_source_of_its_entry_that_covers_capacity(matrix):
    from eventdesign.transport.matrix import _figures

    data = load_document(MATRIX_PATH).data
    for entry in data["transports"]:
        capacity_urls = {s["url"] for s in entry["sources"] if "capacity" in s["covers"]}
        for path, figure in _figures(entry.get("capacity") or {}, ()):
            assert figure["source"] in capacity_urls, (entry["id"], path)


def test_a_figure_citing_no_source_of_its_entry_is_rejected_with_its_line():
    with pytest.raises(InputError, match="is not one of its sources") as caught:
        load_matrix(DATA / "unsourced-figure.yaml")
    assert caught.value.line == 26


def test_every_source_names_its_access_date(matrix):
    dates = {s.accessed for t in matrix.transports for s in t.sources}
    assert dates and all(len(d) == 10 for d in dates)


def test_a_matrix_with_an_unknown_support_level_is_rejected_with_its_line():
    with pytest.raises(InputError) as caught:
        load_matrix(DATA / "unknown-support.yaml")
    assert caught.value.line == 17
    assert "sometimes" in "\n".join(caught.value.details)


def test_a_matrix_with_a_repeated_id_is_rejected():
    with pytest.raises(InputError, match="'queue' appears twice"):
        load_matrix(DATA / "duplicate-ids.yaml")


# --- exclusions -----------------------------------------------------------------------------


def test_needing_replay_rules_out_sqs(matrix):
    reasons = excluded(matrix, replay=True)
    assert "no replay" in reasons["sqs"][0]
    assert "sqs-fifo" in reasons
    assert "kafka" not in reasons


def test_per_key_ordering_at_high_throughput_keeps_the_partitioned_logs(matrix):
    fits = fitting(matrix, ordering="per-key", throughput_msgs_per_s=1_000_000)
    assert {"kafka", "kinesis", "pulsar"} <= set(fits)


def test_event_hubs_standard_is_ruled_out_above_its_throughput_unit_quota(matrix):
    # 1,000,000 events/s / 1,000 events/s per throughput unit = 1,000 units > 40 per namespace
    reasons = excluded(matrix, ordering="per-key", throughput_msgs_per_s=1_000_000)
    assert reasons["azure-event-hubs"][0].startswith(
        "1,000,000 msgs/s in / 1,000 per throughput unit (limit) = 1,000 throughput units, "
        "over the limit of 40"
    )


def test_per_key_ordering_at_high_throughput_rules_out_sqs_fifo_by_its_documented_ceiling(matrix):
    reasons = excluded(matrix, ordering="per-key", throughput_msgs_per_s=1_000_000)
    assert reasons["sqs-fifo"][0].startswith(
        "needs 1,000,000 msgs/s in, over the documented 700,000 per channel"
    )


def test_sqs_fifo_fits_per_key_ordering_below_its_ceiling(matrix):
    assert "sqs-fifo" in fitting(matrix, ordering="per-key", throughput_msgs_per_s=2_000)


def test_per_key_ordering_rules_out_unordered_transports(matrix):
    reasons = excluded(matrix, ordering="per-key")
    assert set(reasons) >= {"sqs", "sns"}
    assert reasons["sqs"][0].startswith("no per-key ordering")


def test_partial_ordering_support_is_kept_with_a_caveat(matrix):
    advice = advise(matrix, Needs(ordering="per-key"))
    rabbit = next(c for c in advice.candidates if c.transport.id == "rabbitmq-quorum")
    assert any(caveat.startswith("per-key ordering (partial)") for caveat in rabbit.caveats)


def test_global_ordering_rules_out_eventbridge(matrix):
    assert "eventbridge" in excluded(matrix, ordering="global")


def test_fan_out_rules_out_plain_queues(matrix):
    reasons = excluded(matrix, fan_out=True)
    assert set(reasons) >= {"sqs", "sqs-fifo"}
    assert "SNS or EventBridge" in reasons["sqs"][0]


def test_retention_beyond_31_days_rules_out_pubsub_but_keeps_kinesis(matrix):
    reasons = excluded(matrix, retention_days=60)
    assert "at most 31 days" in reasons["pubsub"][0]
    assert "kinesis" in fitting(matrix, retention_days=60)


def test_retention_beyond_a_year_keeps_only_unbounded_logs(matrix):
    fits = set(fitting(matrix, retention_days=400))
    assert "kinesis" not in fits
    assert {"kafka", "pulsar"} <= fits


def test_messages_over_the_hard_limit_rule_out_sqs_and_eventbridge(matrix):
    reasons = excluded(matrix, max_message_kb=2048)
    assert "limited to 1 MiB" in reasons["sqs"][0]
    assert "eventbridge" in reasons


def test_messages_over_the_default_but_under_the_maximum_get_a_caveat(matrix):
    advice = advise(matrix, Needs(max_message_kb=2048))
    kinesis = next(c for c in advice.candidates if c.transport.id == "kinesis")
    assert any("exceed the default 1 MiB" in caveat for caveat in kinesis.caveats)


def test_transactions_rule_out_kinesis_and_keep_kafka(matrix):
    reasons = excluded(matrix, transactions=True)
    assert "kinesis" in reasons
    assert "kafka" not in reasons


def test_dead_lettering_rules_out_event_hubs_and_rabbitmq_streams(matrix):
    reasons = excluded(matrix, dead_letter=True)
    assert {"azure-event-hubs", "rabbitmq-stream"} <= set(reasons)


def test_publish_deduplication_rules_out_standard_sqs_and_keeps_fifo(matrix):
    fits = fitting(matrix, broker_dedup=True)
    assert "sqs-fifo" in fits
    assert "sqs" not in fits


def test_the_in_process_bus_is_ruled_out_unless_everything_runs_in_one_process(matrix):
    reasons = excluded(matrix)
    assert "--single-process" in reasons["in-process"][0]
    assert fitting(matrix, single_process=True)[0] == "in-process"


def test_durability_rules_out_the_in_process_bus(matrix):
    assert "in-process" in excluded(matrix, single_process=True, durable=True)


def test_managed_on_gcp_keeps_pubsub_and_rules_out_aws_and_azure_services(matrix):
    fits = fitting(matrix, hosting="managed", cloud="gcp")
    assert "pubsub" in fits
    assert not {"sqs", "kinesis", "azure-service-bus"} & set(fits)
    reasons = excluded(matrix, hosting="managed", cloud="gcp")
    assert reasons["kinesis"] == ("no managed offering on gcp",)


def test_a_cloud_keeps_self_run_transports_that_can_run_anywhere(matrix):
    assert "nats-jetstream" in fitting(matrix, cloud="azure")


def test_self_run_rules_out_managed_only_services(matrix):
    reasons = excluded(matrix, hosting="self-run")
    assert reasons["pubsub"][0].startswith("only available as a managed service")
    assert "kafka" in fitting(matrix, hosting="self-run")


def test_third_party_only_management_is_a_caveat(matrix):
    advice = advise(matrix, Needs(hosting="managed"))
    pulsar = next(c for c in advice.candidates if c.transport.id == "pulsar")
    assert any("third party" in caveat for caveat in pulsar.caveats)


def test_every_transport_either_fits_or_is_excluded_exactly_once(matrix):
    advice = advise(matrix, Needs(ordering="per-key", replay=True, cloud="aws"))
    ids = [c.transport.id for c in advice.candidates] + [e.transport.id for e in advice.excluded]
    assert sorted(ids) == sorted(t.id for t in matrix.transports)


# --- ranking --------------------------------------------------------------------------------


def test_ranking_prefers_less_to_operate_when_needs_are_modest(matrix):
    fits = fitting(matrix, cloud="aws", dead_letter=True)
    assert fits.index("sqs") < fits.index("kafka")


def test_ranking_prefers_first_party_services_on_the_stated_cloud(matrix):
    # Kafka counts as first party on Azure through the Event Hubs Kafka endpoint.
    fits = fitting(matrix, ordering="per-key", cloud="azure")
    assert set(fits[:3]) == {"kafka", "azure-event-hubs", "azure-service-bus"}


def test_heavy_load_ranks_very_high_tiers_above_moderate_ones(matrix):
    fits = fitting(matrix, ordering="per-key", throughput_msgs_per_s=200_000)
    assert fits.index("kafka") < fits.index("rabbitmq-quorum")


def test_ranking_is_deterministic(matrix):
    needs = Needs(ordering="per-key", fan_out=True)
    assert advise(matrix, needs) == advise(matrix, needs)


# --- needs from a model ---------------------------------------------------------------------


def test_needs_are_inferred_from_the_example_model():
    inferred = inferred_from_model(load_document(EXAMPLE_MODEL).data)
    assert inferred["ordering"][0] == "per-key"
    assert inferred["fan_out"][0] is True


def test_declared_dead_letter_channels_do_not_imply_broker_dead_lettering():
    # The example parks failures on its own *.dlq channels; no broker feature is needed.
    inferred = inferred_from_model(load_document(EXAMPLE_MODEL).data)
    assert "dead_letter" not in inferred


def test_transport_needs_section_is_read_from_the_model():
    values = needs_from_section(load_document(DATA / "needs-model.yaml"))
    assert values == {"replay": True, "retention_days": 60.0, "cloud": "gcp", "hosting": "managed"}


def test_a_bad_transport_needs_value_names_its_line():
    with pytest.raises(InputError) as caught:
        needs_from_section(load_document(DATA / "bad-needs-model.yaml"))
    assert caught.value.line == 8
    assert "ordering must be one of" in caught.value.message


def test_later_layers_override_earlier_ones_and_remember_their_origin():
    needs = apply(Needs(), {"ordering": "per-key"}, "inferred")
    needs = apply(needs, {"ordering": "global"}, "flag")
    assert needs.ordering == "global"
    assert needs.origins["ordering"] == "flag"


def test_the_model_schema_accepts_a_transport_needs_section():
    from jsonschema import Draft202012Validator

    schema = json.loads(
        (REPO_ROOT / "scripts/eventdesign/model/design-model.schema.json").read_text()
    )
    data = load_document(DATA / "needs-model.yaml").data
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    data["transport_needs"]["ordering"] = "sorted"
    assert list(Draft202012Validator(schema).iter_errors(data)) != []


# --- the command ----------------------------------------------------------------------------


def test_cli_exits_0_when_a_transport_fits():
    result = run_grimoire("transport", "--ordering", "per-key", "--replay")
    assert result.returncode == 0, result.stderr
    assert "Fits (" in result.stdout
    assert "Amazon SQS standard queues [sqs]:" in result.stdout


def test_cli_exits_1_when_nothing_fits():
    matrix = str(DATA / "two-transports.yaml")
    result = run_grimoire("transport", "--matrix", matrix, "--replay")
    assert result.returncode == 1
    assert "No transport meets every need" in result.stdout


def test_cli_exits_2_on_a_bad_flag_value():
    result = run_grimoire("transport", "--throughput", "-5")
    assert result.returncode == 2
    assert "must be above 0" in result.stderr


def test_cli_exits_2_on_a_missing_model():
    result = run_grimoire("transport", "no-such-design.yaml")
    assert result.returncode == 2
    assert "no-such-design.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_exits_2_on_a_bad_transport_needs_section():
    result = run_grimoire("transport", str(DATA / "bad-needs-model.yaml"))
    assert result.returncode == 2
    assert "bad-needs-model.yaml:8:" in result.stderr


def test_cli_exits_2_on_an_invalid_matrix():
    result = run_grimoire("transport", "--matrix", str(DATA / "unknown-support.yaml"))
    assert result.returncode == 2
    assert "unknown-support.yaml:17" in result.stderr


def test_cli_reads_needs_from_a_model_and_flags_win(tmp_path):
    result = run_grimoire(
        "transport", str(DATA / "needs-model.yaml"), "--cloud", "aws", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["needs"]["cloud"] == "aws"
    assert report["need_origins"]["cloud"] == "flag"
    assert report["need_origins"]["retention_days"].endswith("transport_needs")
    assert report["needs"]["ordering"] == "per-key"
    assert {f["id"] for f in report["fits"]} >= {"kinesis"}


def test_cli_json_lists_fits_and_exclusions_with_reasons():
    result = run_grimoire("transport", "--replay", "--format", "json")
    report = json.loads(result.stdout)
    assert report["fits"][0]["rank"] == 1
    sqs = next(e for e in report["excluded"] if e["id"] == "sqs")
    assert sqs["reasons"][0].startswith("no replay")


def test_cli_show_prints_an_entry_with_its_sources():
    result = run_grimoire("transport", "--show", "kinesis")
    assert result.returncode == 0
    assert "365" in result.stdout
    assert "https://docs.aws.amazon.com/streams/" in result.stdout


def test_cli_show_of_an_unknown_id_exits_2():
    result = run_grimoire("transport", "--show", "carrier-pigeon")
    assert result.returncode == 2
    assert "known ids:" in result.stderr


def test_cli_works_from_any_working_directory(tmp_path):
    result = run_grimoire("transport", "--fan-out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_broken_bundled_matrix_is_an_input_error_with_its_line(tmp_path, monkeypatch):
    from eventdesign.transport import matrix as matrix_module

    broken = tmp_path / "transports.yaml"
    broken.write_text("format: grimoire-transports/1\naccessed: x: y\n", encoding="utf-8")
    monkeypatch.setattr(matrix_module, "MATRIX_PATH", broken)
    matrix_module._bundled_matrix.cache_clear()
    try:
        with pytest.raises(InputError) as caught:
            load_matrix()
        assert caught.value.line == 2
    finally:
        matrix_module._bundled_matrix.cache_clear()
