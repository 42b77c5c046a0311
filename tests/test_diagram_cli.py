"""`grimoire diagram`: output targets, filters, determinism, escaping and bad input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_MODEL, REPO_ROOT, run_grimoire
from eventdesign.model.loader import load_model
from eventdesign.render import mermaid, plantuml
from eventdesign.render.diagrams import build_diagrams
from eventdesign.render.escape import (
    EscapedText,
    diagram_environment,
    mermaid_text,
    plantuml_text,
    slug,
)

DATA = REPO_ROOT / "tests" / "data" / "saga"
HOSTILE = DATA / "hostile-names.yaml"
ORCHESTRATED = DATA / "orchestrated-ok.yaml"


def test_stdout_holds_every_diagram_after_a_comment_naming_it():
    result = run_grimoire("diagram", str(EXAMPLE_MODEL))
    assert result.returncode == 0, result.stderr
    names = re.findall(r"^(?:%%|') diagram: (\S+) \(", result.stdout, flags=re.M)
    assert names == [
        "system-flow",
        "saga-orderfulfilment-sequence",
        "saga-orderfulfilment-state",
        "saga-orderfulfilment-sequence-plantuml",
    ]


def test_same_model_gives_the_same_bytes():
    first = run_grimoire("diagram", str(HOSTILE))
    second = run_grimoire("diagram", str(HOSTILE))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_out_writes_one_file_per_diagram(tmp_path):
    target = tmp_path / "diagrams"
    result = run_grimoire("diagram", str(EXAMPLE_MODEL), "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "saga-orderfulfilment-sequence-plantuml.puml",
        "saga-orderfulfilment-sequence.mmd",
        "saga-orderfulfilment-state.mmd",
        "system-flow.mmd",
    ]
    assert (target / "saga-orderfulfilment-state.mmd").read_text().startswith("stateDiagram-v2")
    assert (
        (target / "saga-orderfulfilment-sequence-plantuml.puml").read_text().startswith("@startuml")
    )


def test_out_into_an_existing_folder_replaces_its_diagrams(tmp_path):
    target = tmp_path / "diagrams"
    target.mkdir()
    (target / "system-flow.mmd").write_text("stale")
    (target / "notes.txt").write_text("kept")
    assert run_grimoire("diagram", str(EXAMPLE_MODEL), "--out", str(target)).returncode == 0
    assert (target / "system-flow.mmd").read_text().startswith("flowchart LR")
    assert (target / "notes.txt").read_text() == "kept"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".grimoire")]


def test_file_names_are_safe_and_unique_for_hostile_saga_names(tmp_path):
    target = tmp_path / "out"
    assert run_grimoire("diagram", str(HOSTILE), "--out", str(target)).returncode == 0
    names = sorted(p.name for p in target.iterdir())
    assert all(re.fullmatch(r"[a-z0-9-]+\.(mmd|puml)", name) for name in names), names
    assert "saga-end-sequence.mmd" in names
    assert len(names) == 7


def test_markdown_embeds_every_diagram_in_its_fenced_block(tmp_path):
    document = tmp_path / "diagrams.md"
    result = run_grimoire("diagram", str(ORCHESTRATED), "--markdown", str(document))
    assert result.returncode == 0, result.stderr
    text = document.read_text()
    assert text.count("```mermaid\n") == 3
    assert text.count("```plantuml\n") == 1
    assert text.count("```") == 8


def test_kind_and_saga_filters_select_diagrams():
    result = run_grimoire(
        "diagram",
        str(EXAMPLE_MODEL),
        "--kind",
        "state",
        "--kind",
        "plantuml",
        "--saga",
        "OrderFulfilment",
    )
    names = re.findall(r"^(?:%%|') diagram: (\S+) \(", result.stdout, flags=re.M)
    assert names == ["saga-orderfulfilment-state", "saga-orderfulfilment-sequence-plantuml"]


def test_unknown_saga_is_unusable_input(tmp_path):
    result = run_grimoire(
        "diagram", str(EXAMPLE_MODEL), "--saga", "Nope", "--out", str(tmp_path / "d")
    )
    assert result.returncode == 2
    assert "no saga named 'Nope'" in result.stderr
    assert not (tmp_path / "d").exists()


def test_missing_model_is_unusable_input(tmp_path):
    result = run_grimoire("diagram", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_invalid_model_writes_nothing(tmp_path):
    model = tmp_path / "design.yaml"
    model.write_text("format: grimoire/1\nsystem: {name: x}\n")
    result = run_grimoire("diagram", str(model), "--out", str(tmp_path / "d"))
    assert result.returncode == 2
    assert not (tmp_path / "d").exists()


# -- the functions other writers call ---------------------------------------------------------
def test_build_diagrams_names_kind_and_language():
    diagrams = build_diagrams(load_model(ORCHESTRATED))
    assert [(d.name, d.kind, d.language) for d in diagrams] == [
        ("system-flow", "flow", "mermaid"),
        ("saga-createorder-sequence", "sequence", "mermaid"),
        ("saga-createorder-state", "state", "mermaid"),
        ("saga-createorder-sequence-plantuml", "plantuml", "plantuml"),
    ]


def test_orchestrated_sequence_shows_parallel_steps_and_compensations():
    model = load_model(ORCHESTRATED)
    text = mermaid.saga_sequence(model, "CreateOrder")
    assert "    par book-carrier\n" in text
    assert "    and fraud-review\n" in text
    assert "p1->>p2: ReleaseStock" in text
    assert "Note over p1,p5: correlation id: orderId" in text


def test_state_diagram_has_compensating_and_terminal_states():
    text = mermaid.saga_states(load_model(ORCHESTRATED), "CreateOrder")
    assert 'state "undo reserve-stock: ReleaseStock" as' in text
    assert 'state "compensated: OrderRejected" as' in text
    assert re.search(r"^    s\d+ --> \[\*\]$", text, flags=re.M)


def test_system_flowchart_groups_services_by_context():
    text = mermaid.system_flowchart(load_model(EXAMPLE_MODEL))
    assert 'subgraph g1["Ordering"]\n        n1["orders"]\n        r1[("OrderStatus")]' in text


def test_plantuml_sequence_names_participants_by_generated_ids():
    text = plantuml.saga_sequence(load_model(EXAMPLE_MODEL), "OrderFulfilment")
    assert 'participant "orders" as p1' in text


# -- escaping ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ['a "b"', "x; y", "#1", "%% c", "`t`", "<b>x</b>", "a --> b", "a\nb", "[x] {y} |z|"],
)
def test_mermaid_text_leaves_no_structural_character(name):
    text = mermaid_text(name)
    assert "\n" not in text
    assert not re.search(r'["%`<>\[\]{}|]', text)
    assert ";" not in re.sub(r"#\w+;", "", text)


@pytest.mark.parametrize("name", ['a "b"', "<b>x</b>", "@enduml", "a\\nb", "**x** --y--"])
def test_plantuml_text_leaves_no_structural_character(name):
    text = plantuml_text(name)
    visible = re.sub(r"<U\+[0-9A-F]{4}>", "", text)
    assert not re.search(r'["<>\\@*]', visible)
    assert "--" not in visible


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_escapes_into_mermaid_structure(name):
    text = mermaid_text(name)
    rest = re.sub(r"#[a-z0-9]+;", "", text)
    assert not re.search(r'[\n\r"%`<>\[\]{}|#;\u2028\u2029\x85]', rest)
    assert text.strip()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_escapes_into_plantuml_structure(name):
    text = plantuml_text(name)
    rest = re.sub(r"<U\+[0-9A-F]{4,6}>", "", text)
    assert not re.search(r'[\n\r"<>\\@~\u2028\u2029\x85]', rest)
    assert "--" not in rest and "__" not in rest
    assert text.strip()


def test_blank_names_get_a_visible_label():
    assert mermaid_text(" \n ") == "(unnamed)"
    assert plantuml_text("") == "(unnamed)"


def test_slug_is_ascii_and_file_safe():
    assert slug('Saga "one"; über/../x') == "saga-one-uber-x"


def test_templates_refuse_to_print_an_unescaped_name():
    template = diagram_environment().from_string("{{ name }}")
    with pytest.raises(TypeError, match="escape filter"):
        template.render(name="Order; end")
    assert template.render(name=EscapedText("p1")) == "p1"
