"""`export docs`: a Markdown catalog whose links resolve, which owns only the files it generated.

Models: the bundled example and tests/data/export/ (see its README).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign import output
from eventdesign.model.loader import load_model
from eventdesign.render.docs import DOCS_MARKER, payload_fields, render_docs
from eventdesign.render.template_cache import attach_cache

DATA = REPO_ROOT / "tests" / "data" / "export"
EVERY_FEATURE = DATA / "every-feature" / "design.yaml"
HOSTILE = DATA / "hostile-names" / "design.yaml"
MODELS = {"example": EXAMPLE_MODEL, "every-feature": EVERY_FEATURE, "hostile-names": HOSTILE}

FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.MULTILINE)


def github_anchor(heading: str) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def links_of(text: str) -> list[str]:
    """Link targets outside code blocks and code spans."""
    text = FENCE.sub("", text)
    text = CODE_SPAN.sub("", text)
    return [target for _, target in LINK.findall(text)]


def anchors_of(text: str) -> set[str]:
    return {github_anchor(h) for h in HEADING.findall(FENCE.sub("", text))}


def export(model: Path, target: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_grimoire("export", "docs", str(model), "-o", str(target), *extra)


def entries_of(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("label", sorted(MODELS))
def test_every_relative_link_resolves_to_a_file_and_anchor(label: str, tmp_path: Path) -> None:
    result = export(MODELS[label], tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "docs"
    checked = 0
    for page in root.rglob("*.md"):
        for target in links_of(page.read_text(encoding="utf-8")):
            assert "://" not in target, f"{page}: external link {target}"
            path_part, _, anchor = target.partition("#")
            destination = (page.parent / path_part).resolve() if path_part else page
            assert destination.is_file(), f"{page}: {target} points at no file"
            if anchor:
                anchors = anchors_of(destination.read_text(encoding="utf-8"))
                assert anchor in anchors, f"{page}: {target} names no heading"
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("label", sorted(MODELS))
def test_catalog_has_a_page_per_event_service_and_saga(label: str) -> None:
    model = load_model(MODELS[label])
    files = render_docs(model)
    assert "index.md" in files
    assert sum(path.startswith("events/") for path in files) == len(model.events)
    assert sum(path.startswith("services/") for path in files) == len(model.services)
    assert sum(path.startswith("sagas/") for path in files) == len(model.sagas)


def test_every_page_starts_with_the_marker() -> None:
    for text in render_docs(load_model(EVERY_FEATURE)).values():
        assert text.startswith(DOCS_MARKER + "\n")


def test_hostile_names_get_safe_unique_file_names() -> None:
    files = render_docs(load_model(HOSTILE))
    for path in files:
        assert re.fullmatch(r"(events|services|sagas)/[a-z0-9-]+\.md|index\.md", path), path
    assert len(files) == 1 + 6 + 5 + 1


def test_hostile_names_render_as_text_not_html_or_links() -> None:
    files = render_docs(load_model(HOSTILE))
    for text in files.values():
        prose = FENCE.sub("", text)
        assert "<img" not in prose and "<script" not in prose
    index = files["index.md"]
    assert r"\[links\](http://x)" in index
    assert "http://x" not in links_of(index)


def test_mermaid_diagrams_are_embedded_in_index_and_saga_pages() -> None:
    files = render_docs(load_model(EXAMPLE_MODEL))
    assert "```mermaid\n" in files["index.md"]
    assert files["sagas/order-fulfilment.md"].count("```mermaid\n") == 2


def test_embedded_diagrams_render_in_mermaid_cli(
    mmdc_bin: Path, puppeteer_config: Path, tmp_path: Path
) -> None:
    files = render_docs(load_model(EVERY_FEATURE))
    blocks = [
        block
        for text in files.values()
        for block in re.findall(r"^```mermaid\n.*?^```$", text, re.MULTILINE | re.DOTALL)
    ]
    assert len(blocks) >= 3
    source = tmp_path / "all.md"
    source.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    result = subprocess.run(
        [
            str(mmdc_bin),
            "-p",
            str(puppeteer_config),
            "-i",
            str(source),
            "-o",
            str(tmp_path / "out.md"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("out-*.svg"))) == len(blocks)


def test_json_schema_payload_table_walks_nested_objects_arrays_and_refs() -> None:
    event = load_model(EXAMPLE_MODEL).events["OrderPlaced"]
    rows = {row.path: row for row in payload_fields(event.schema, event.schema_format)}
    assert rows["customer.email"].required and rows["customer.email"].type == "string (email)"
    assert rows["lines[].unitPrice.amount"].description.startswith("Decimal amount")
    assert "money" in rows["total"].type


def test_avro_payload_table_walks_records_arrays_unions_and_enums() -> None:
    event = load_model(EVERY_FEATURE).events["InvoiceIssued"]
    rows = {row.path: row for row in payload_fields(event.schema, event.schema_format)}
    assert rows["invoiceId"].required and rows["invoiceId"].description.startswith("Invoice")
    assert rows["lines[].quantity"].type == "int"
    assert not rows["note"].required
    assert rows["status"].type == "enum InvoiceStatus: OPEN, PAID"


def test_recursive_ref_is_shown_once_not_followed_forever() -> None:
    schema = {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/node"}, "name": {"type": "string"}},
            }
        },
    }
    paths = [row.path for row in payload_fields(schema, "jsonschema")]
    assert paths == ["root", "root.child", "root.name"]


def test_pii_and_example_sections_are_rendered() -> None:
    page = render_docs(load_model(EXAMPLE_MODEL))["events/order-placed.md"]
    assert "| `customer.email` | crypto-shredding |" in page
    assert '```json\n{\n  "orderId": "ord-1001"' in page


def test_service_page_lists_produced_consumed_policies_and_sagas() -> None:
    page = render_docs(load_model(EXAMPLE_MODEL))["services/payments.md"]
    assert "| Outbox | cdc |" in page
    assert "[PaymentConfirmed](../events/payment-confirmed.md)" in page
    assert "[StockReserved](../events/stock-reserved.md)" in page
    assert "[OrderFulfilment](../sagas/order-fulfilment.md)" in page


def test_user_file_in_the_directory_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.mkdir()
    notes = target / "notes.md"
    notes.write_text("my notes\n")
    result = export(EXAMPLE_MODEL, target)
    assert result.returncode == 0, result.stderr
    assert notes.read_text() == "my notes\n"
    assert (target / "index.md").is_file()


def test_conflicting_user_file_refuses_and_leaves_the_directory_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert export(EXAMPLE_MODEL, target).returncode == 0
    user_page = target / "events" / "order-placed.md"
    user_page.write_text("hand written\n")
    (target / "events" / "stale.md").write_text(DOCS_MARKER + "\nold\n")
    before = snapshot(target)
    result = export(EXAMPLE_MODEL, target)
    assert result.returncode == 2
    assert str(user_page) in result.stderr
    assert "pass --force to overwrite it or choose another directory" in result.stderr
    assert snapshot(target) == before
    forced = export(EXAMPLE_MODEL, target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert user_page.read_text().startswith(DOCS_MARKER)
    assert not (target / "events" / "stale.md").exists()


def test_a_folder_in_the_way_is_refused_even_with_force(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    (target / "index.md").mkdir(parents=True)
    result = export(EXAMPLE_MODEL, target, "--force")
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert entries_of(tmp_path) == ["docs", "docs/index.md"]


def test_stale_generated_pages_are_removed(example_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert export(example_copy, target).returncode == 0
    (target / "sagas" / "gone.md").write_text(DOCS_MARKER + "\nfrom an older export\n")
    text = example_copy.read_text()
    example_copy.write_text(text[: text.index("\nsagas:")] + "\n")
    result = export(example_copy, target)
    assert result.returncode == 0, result.stderr
    assert not (target / "sagas").exists()
    assert (target / "events" / "order-placed.md").is_file()


def test_exporting_twice_gives_the_same_files(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert export(EVERY_FEATURE, target).returncode == 0
    first = snapshot(target)
    assert export(EVERY_FEATURE, target).returncode == 0
    assert snapshot(target) == first


def test_unchanged_pages_are_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert export(EXAMPLE_MODEL, target).returncode == 0
    index = target / "index.md"
    before = index.stat().st_ino
    result = export(EXAMPLE_MODEL, target)
    assert result.returncode == 0, result.stderr
    assert "wrote 0 Markdown files, 17 unchanged" in result.stderr
    assert index.stat().st_ino == before


def test_marked_file_outside_the_catalog_folders_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert export(EXAMPLE_MODEL, target).returncode == 0
    kept = target / "archive" / "old-index.md"
    kept.parent.mkdir()
    kept.write_text(DOCS_MARKER + "\ncopied by hand\n")
    assert export(EXAMPLE_MODEL, target).returncode == 0
    assert kept.read_text() == DOCS_MARKER + "\ncopied by hand\n"


def test_failure_while_moving_files_in_restores_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "docs"
    files = render_docs(load_model(EXAMPLE_MODEL))
    output.write_tree(target, files, DOCS_MARKER, ".md")
    (target / "events" / "stale.md").write_text(DOCS_MARKER + "\nold\n")
    before = snapshot(target)
    changed = {path: text + "\nchanged\n" for path, text in files.items()}
    real_replace = os.replace
    calls = {"count": 0}

    def failing_replace(source, destination):
        calls["count"] += 1
        if calls["count"] == len(files) + 5:
            raise OSError("disk full")
        return real_replace(source, destination)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(OSError):
        output.write_tree(target, changed, DOCS_MARKER, ".md")
    monkeypatch.setattr(output.os, "replace", real_replace)
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]


def test_new_directory_is_created_whole(tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    files = render_docs(load_model(EXAMPLE_MODEL))
    result = output.write_tree(target, files, DOCS_MARKER, ".md")
    assert set(result.written) == set(files)
    assert sorted(snapshot(target)) == sorted(files)
    assert [p.name for p in tmp_path.iterdir()] == ["fresh"]


def test_output_path_that_is_a_file_is_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "file.md"
    target.write_text("x")
    result = export(EXAMPLE_MODEL, target)
    assert result.returncode == 2
    assert "not a directory" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_with_a_page_name_is_not_a_generated_file(tmp_path: Path) -> None:
    pipe = tmp_path / "index.md"
    os.mkfifo(pipe)
    assert not output.is_generated(pipe, DOCS_MARKER)  # and returns without a writer


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_to_a_generated_page_is_not_a_generated_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(DOCS_MARKER + "\ntext\n")
    link = tmp_path / "link.md"
    link.symlink_to(page)
    assert output.is_generated(page, DOCS_MARKER)
    assert not output.is_generated(link, DOCS_MARKER)


def cached_environment(folder: Path, cache: Path, **settings: object) -> jinja2.Environment:
    """A jinja2 environment for the templates in `folder`, keeping compiled ones in `cache`."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=False, **settings
    )
    attach_cache(environment, cache)
    return environment


def test_compiled_template_is_kept_and_used_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "page.j2").write_text("Hello {{ name }}\n")
    cache = tmp_path / "cache"
    first = cached_environment(tmp_path, cache)
    assert first.get_template("page.j2").render(name="you") == "Hello you"
    assert len(list(cache.glob("*.jinja2"))) == 1
    second = cached_environment(tmp_path, cache)

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the cache has the template")

    monkeypatch.setattr(second, "compile", no_compiling)
    assert second.get_template("page.j2").render(name="again") == "Hello again"


def test_changed_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    template = tmp_path / "page.j2"
    cache = tmp_path / "cache"
    template.write_text("old {{ name }}")
    first = cached_environment(tmp_path, cache)
    first.get_template("page.j2").render(name="x")
    template.write_text("new {{ name }}")
    second = cached_environment(tmp_path, cache)
    assert second.get_template("page.j2").render(name="x") == "new x"


def test_environment_settings_are_part_of_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "page.j2").write_text("{% if true %}\nline\n{% endif %}\n")
    cache = tmp_path / "cache"
    plain = cached_environment(tmp_path, cache)
    assert plain.get_template("page.j2").render() == "\nline\n"
    trimmed = cached_environment(tmp_path, cache, trim_blocks=True)
    assert trimmed.get_template("page.j2").render() == "line\n"


def test_damaged_cache_file_is_compiled_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "page.j2").write_text("Hello {{ name }}")
    cache = tmp_path / "cache"
    first = cached_environment(tmp_path, cache)
    first.get_template("page.j2")
    damaged = list(cache.glob("*.jinja2"))
    assert damaged
    for path in damaged:
        path.write_bytes(b"not a cache file")
    second = cached_environment(tmp_path, cache)
    assert second.get_template("page.j2").render(name="you") == "Hello you"


def test_no_cache_is_written_when_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    (tmp_path / "page.j2").write_text("Hello {{ name }}")
    environment = cached_environment(tmp_path, tmp_path / "cache")
    assert environment.get_template("page.j2").render(name="you") == "Hello you"
    assert not (tmp_path / "cache").exists()


def test_unwritable_cache_folder_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "page.j2").write_text("Hello {{ name }}")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would go")
    environment = cached_environment(tmp_path, blocker / "templates")
    assert environment.get_template("page.j2").render(name="you") == "Hello you"


def test_saga_page_lists_stages_with_what_a_failure_and_a_cancel_undo() -> None:
    saga_data = REPO_ROOT / "tests" / "data" / "saga"
    pages = render_docs(load_model(saga_data / "trip-booking.yaml"))
    page = pages["sagas/book-trip.md"]
    assert "## Stages" in page
    assert (
        "| 1 | hold-seat, hold-room | compensatable | undo ReleaseRoom, ReleaseSeat where its step "
        "replied; then nothing to undo | CancelTrip: undo ReleaseRoom, ReleaseSeat |"
    ) in page
    assert (
        "| 2 | charge | pivot | escalate to payments on-call | CancelTrip: ChargeCancellationFee"
        in page
    )
    hotel = render_docs(load_model(saga_data / "hotel-hold.yaml"))["sagas/book-stay.md"]
    assert "| RoomHeld | hotel on HoldExpired, hotel on PaymentDeclined, hotel on " in hotel
    assert "| HoldExpired | hotel | RoomHeld | at expiresAt | RoomBooked, RoomReleased" in hotel
    assert "| nothing to undo: NoRoomHeld; after the pivot: LateCancellationRecorded |" in hotel


def test_context_invariants_are_listed_in_the_catalog() -> None:
    model = REPO_ROOT / "tests" / "data" / "check" / "domains" / "banking-ledger.yaml"
    index = render_docs(load_model(model))["index.md"]
    assert "- [Invariants](#invariants)" in index
    assert (
        "- Accounts:\n"
        "  - An account's balance never goes below minus its overdraft limit.\n"
        "  - A posted entry is never changed; corrections are new entries.\n"
    ) in index
    assert "Invariants" not in render_docs(load_model(EXAMPLE_MODEL))["index.md"]


def test_service_page_shows_event_store_stream_processor_and_idempotency_scope() -> None:
    model = REPO_ROOT / "tests" / "data" / "check" / "domains" / "banking-ledger.yaml"
    pages = render_docs(load_model(model))
    ledger = pages["services/ledger.md"]
    assert "| Repeats recognised by | command-id |" in ledger
    assert (
        "| Event store | EventStoreDB; stream account-{accountId}; snapshots every 200 events;"
        " published by subscription |"
    ) in ledger
    fraud = pages["services/fraud.md"]
    assert "| Stream processor | kafka-streams (state checkpointed with input offsets) |" in fraud
