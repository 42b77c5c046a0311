"""Every diagram of the example and of a model with hostile names renders in real Mermaid
(mermaid-cli in chromium) and passes PlantUML's syntax check."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import EXAMPLE_MODEL, REPO_ROOT
from eventdesign.model.loader import load_model
from eventdesign.render.diagrams import Diagram, as_markdown, build_diagrams

DATA = REPO_ROOT / "tests" / "data" / "saga"
# the choreography example, hostile names, a sound orchestration, one whose pivot times out
# (parallel failure choices, a stuck state), and the workflows of test_saga_workflows.py
MODELS = (
    EXAMPLE_MODEL,
    DATA / "hostile-names.yaml",
    DATA / "orchestrated-ok.yaml",
    DATA / "clearing-pivot.yaml",
    # cancel before and after the pivot, actors, repeats, local pivots, a lapsing hold
    DATA / "trip-booking.yaml",
    DATA / "claim-approval.yaml",
    DATA / "ride-rematch.yaml",
    DATA / "hotel-hold.yaml",
    DATA / "ride-dispatch.yaml",
)


def _diagrams() -> list[Diagram]:
    return [d for path in MODELS for d in build_diagrams(load_model(path))]


def _svg_text(svg: str) -> str:
    """The visible text of an SVG (style sheets dropped: they name `.error-icon` classes)."""
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return " ".join(re.findall(r">([^<>]+)<", body))


@pytest.fixture(scope="module")
def mermaid_render(tmp_path_factory, mmdc_bin, puppeteer_config):
    """Render every Mermaid diagram in one mermaid-cli run (one browser start)."""
    mermaid = [d for d in _diagrams() if d.language == "mermaid"]
    folder = tmp_path_factory.mktemp("mermaid")
    (folder / "all.md").write_text(as_markdown(mermaid), encoding="utf-8")
    result = subprocess.run(
        [str(mmdc_bin), "-p", str(puppeteer_config), "-i", "all.md", "-o", "out.md"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    svgs = sorted(folder.glob("out-*.svg"), key=lambda p: int(p.stem.split("-")[-1]))
    return mermaid, result, svgs


def test_mermaid_cli_renders_every_diagram_without_error(mermaid_render):
    _, result, _ = mermaid_render
    assert result.returncode == 0, result.stdout + result.stderr


def test_mermaid_cli_writes_one_svg_per_diagram(mermaid_render):
    mermaid, _, svgs = mermaid_render
    assert len(svgs) == len(mermaid)
    assert {d.kind for d in mermaid} == {"flow", "sequence", "state"}


def test_no_rendered_diagram_shows_an_error(mermaid_render):
    mermaid, _, svgs = mermaid_render
    for diagram, svg in zip(mermaid, svgs):
        text = _svg_text(svg.read_text(encoding="utf-8"))
        assert "syntax error" not in text.lower(), diagram.name
        assert "error" not in text.lower(), diagram.name


def test_hostile_names_appear_as_plain_labels(mermaid_render):
    mermaid, _, svgs = mermaid_render
    flow = next(
        svg
        for diagram, svg in zip(mermaid, svgs)
        if diagram.kind == "flow" and "svc" in diagram.text
    )
    text = _svg_text(flow.read_text(encoding="utf-8"))
    assert "svc; --&gt; x" in text
    assert "Charge &lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_plantuml_accepts_every_sequence_diagram(model, plantuml_bin, tmp_path):
    diagrams = [d for d in build_diagrams(load_model(model)) if d.language == "plantuml"]
    assert diagrams
    for diagram in diagrams:
        result = subprocess.run(
            [str(plantuml_bin), "-syntax"],
            input=diagram.text,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, diagram.name + "\n" + result.stdout + result.stderr
        assert result.stdout.startswith("SEQUENCE"), diagram.name + "\n" + result.stdout
        assert "error" not in result.stdout.lower(), diagram.name + "\n" + result.stdout


def test_plantuml_rejects_a_broken_diagram(plantuml_bin):
    """The syntax check above can fail: a diagram with a bad line is reported."""
    broken = '@startuml\nparticipant "a" as p1\np1 -> : x\nnot a statement\n@enduml\n'
    result = subprocess.run(
        [str(plantuml_bin), "-syntax"],
        input=broken,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 or "ERROR" in result.stdout
