"""`buf breaking` itself: grimoire's WIRE, WIRE_JSON and FILE verdicts must match the real CLI.

One base payload (an insurance claim) and one change per pair, covering every rule grimoire
models: renames, JSON names, each scalar group, labels and maps, deletions with and without
reservations, enum values, oneof moves, packages, messages and enums. Each pair is a file of
one buf module (`old/` and `new/`); buf runs once per category and its rule IDs per file are
compared with grimoire's. buf comes from npm (@bufbuild/buf) and runs offline.
"""

from __future__ import annotations

import pytest

from conftest import buf_breaking
from eventdesign.protobuf import buf_rules
from eventdesign.protobuf.schema import compile_schema
from eventdesign.protobuf.toolchain import ProtoSource

BASE = """syntax = "proto3";
package acme.claims.v1;

message ClaimFiled {
  string claim_id = 1;
  int32 amount_cents = 2;
  string notes = 3;
  bytes evidence = 4;
  Status status = 5;
  Address address = 6;
  repeated string tags = 7;
  map<string, string> labels = 8;
  fixed32 checksum = 9;
  sint32 delta = 10;
  bool urgent = 11;
  float score = 12;
  oneof contact {
    string email = 13;
    string phone = 14;
  }
  int64 filed_at = 15;
}

message Address {
  string street = 1;
  string city = 2;
}

message Note {
  string text = 1;
}

enum Channel {
  CHANNEL_UNSPECIFIED = 0;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_OPEN = 1;
  STATUS_CLOSED = 2;
}
"""


def sub(old, new, count=1):
    def apply(text):
        assert old in text, old
        return text.replace(old, new, count)

    return apply


MUTATIONS = {
    "field-renamed": sub("string notes = 3;", "string remarks = 3;"),
    "json-name-set": sub("string notes = 3;", 'string notes = 3 [json_name = "comment"];'),
    "int32-to-int64": sub("int32 amount_cents = 2;", "int64 amount_cents = 2;"),
    "int32-to-uint32": sub("int32 amount_cents = 2;", "uint32 amount_cents = 2;"),
    "int32-to-sint32": sub("int32 amount_cents = 2;", "sint32 amount_cents = 2;"),
    "int64-to-fixed64": sub("int64 filed_at = 15;", "fixed64 filed_at = 15;"),
    "fixed32-to-sfixed32": sub("fixed32 checksum = 9;", "sfixed32 checksum = 9;"),
    "sint32-to-sint64": sub("sint32 delta = 10;", "sint64 delta = 10;"),
    "string-to-bytes": sub("string notes = 3;", "bytes notes = 3;"),
    "bytes-to-string": sub("bytes evidence = 4;", "string evidence = 4;"),
    "bool-to-int32": sub("bool urgent = 11;", "int32 urgent = 11;"),
    "float-to-double": sub("float score = 12;", "double score = 12;"),
    "int32-to-enum": sub("int32 amount_cents = 2;", "Status amount_cents = 2;"),
    "enum-to-int32": sub("Status status = 5;", "int32 status = 5;"),
    "message-to-string": sub("Address address = 6;", "string address = 6;"),
    "string-to-repeated": sub("string notes = 3;", "repeated string notes = 3;"),
    "repeated-to-string": sub("repeated string tags = 7;", "string tags = 7;"),
    "int-to-repeated": sub("int32 amount_cents = 2;", "repeated int32 amount_cents = 2;"),
    "map-to-repeated": sub("map<string, string> labels = 8;", "repeated string labels = 8;"),
    "map-value-type": sub("map<string, string> labels = 8;", "map<string, int32> labels = 8;"),
    "implicit-to-optional": sub("string notes = 3;", "optional string notes = 3;"),
    "field-deleted": sub("  string notes = 3;\n", ""),
    "field-deleted-number-reserved": sub("  string notes = 3;\n", "  reserved 3;\n"),
    "field-deleted-both-reserved": sub(
        "  string notes = 3;\n", '  reserved 3;\n  reserved "notes";\n'
    ),
    "field-added": sub(
        "  int64 filed_at = 15;\n", "  int64 filed_at = 15;\n  string adjuster = 16;\n"
    ),
    "enum-value-renamed": sub("STATUS_CLOSED = 2;", "STATUS_DONE = 2;"),
    "enum-value-deleted": sub("  STATUS_CLOSED = 2;\n", ""),
    "enum-value-deleted-reserved": sub(
        "  STATUS_CLOSED = 2;\n", '  reserved 2;\n  reserved "STATUS_CLOSED";\n'
    ),
    "enum-value-added": sub(
        "  STATUS_CLOSED = 2;\n", "  STATUS_CLOSED = 2;\n  STATUS_REOPENED = 3;\n"
    ),
    "field-into-new-oneof": sub(
        "  bool urgent = 11;\n", "  oneof priority {\n    bool urgent = 11;\n  }\n"
    ),
    "field-out-of-oneof": sub(
        "  oneof contact {\n    string email = 13;\n    string phone = 14;\n  }\n",
        "  string email = 13;\n  oneof contact {\n    string phone = 14;\n  }\n",
    ),
    "oneof-renamed": sub("oneof contact {", "oneof reach {"),
    "oneof-member-deleted": sub("    string phone = 14;\n", ""),
    "two-fields-into-oneof": sub(
        "  bool urgent = 11;\n  float score = 12;\n",
        "  oneof rank {\n    bool urgent = 11;\n    float score = 12;\n  }\n",
    ),
    "package-changed": sub("package acme.claims.v1;", "package acme.claims.v2;"),
    "message-deleted": sub("message Note {\n  string text = 1;\n}\n", ""),
    "nested-field-type": sub("  string city = 2;\n", "  int32 city = 2;\n"),
    "field-type-other-message": sub("Address address = 6;", "Note address = 6;"),
    "enum-deleted": sub("enum Channel {\n  CHANNEL_UNSPECIFIED = 0;\n}\n", ""),
}


def _file_name(change: str) -> str:
    return "claim_" + change.replace("-", "_") + ".proto"


def _pair(change: str) -> tuple[str, str]:
    """The old and new text of a pair, in a package of its own (one buf module holds all)."""
    package = "acme." + change.replace("-", "_")
    return (
        BASE.replace("acme.claims", package),
        MUTATIONS[change](BASE).replace("acme.claims", package),
    )


@pytest.fixture(scope="module")
def buf_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], set[str]]:
    """(change, category) -> the rule IDs `buf breaking` reports for that pair."""
    root = tmp_path_factory.mktemp("buf")
    for side in ("old", "new"):
        (root / side).mkdir()
    for change in MUTATIONS:
        old, new = _pair(change)
        (root / "old" / _file_name(change)).write_text(old)
        (root / "new" / _file_name(change)).write_text(new)
    by_file = {_file_name(change): change for change in MUTATIONS}
    verdicts: dict[tuple[str, str], set[str]] = {}
    for category in buf_rules.CATEGORIES:
        for change in MUTATIONS:
            verdicts[(change, category)] = set()
        for annotation in buf_breaking(root, category):
            verdicts[(by_file[annotation["path"]], category)].add(annotation["type"])
    return verdicts


@pytest.mark.parametrize("change", sorted(MUTATIONS))
def test_grimoire_reports_the_rules_buf_breaking_reports(
    change: str, buf_verdicts: dict[tuple[str, str], set[str]]
) -> None:
    name = _file_name(change)
    old, new = _pair(change)
    previous = compile_schema(ProtoSource(name, old, "old/" + name))
    current = compile_schema(ProtoSource(name, new, "new/" + name))
    violations = buf_rules.check(previous, current)
    for category in buf_rules.CATEGORIES:
        ours = {v.rule for v in violations if category in v.categories}
        assert ours == buf_verdicts[(change, category)], category


def test_the_pairs_exercise_every_category_both_ways(
    buf_verdicts: dict[tuple[str, str], set[str]],
) -> None:
    for category in buf_rules.CATEGORIES:
        rejected = [c for c in MUTATIONS if buf_verdicts[(c, category)]]
        assert rejected and len(rejected) < len(MUTATIONS), category
