"""Import real public AsyncAPI documents, export them again, and count the facts that survive.

The documents are the examples the AsyncAPI CLI ships (tests/tools/install.sh unpacks them
into .cache/tools/asyncapi-examples/VERSION/): 2.6 and 3.0 versions of the specification's
examples and of vendors' (ADEO, Slack, Gitter, Gemini, Kraken); then the contracts written
for the tests in tests/data/export/asyncapi-*. Run this file to print the table: one row per
document and target version, `kept/total` per fact (`*` marks a loss).

    .venv/bin/python tests/asyncapi_fidelity.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
EXAMPLES = REPO_ROOT / ".cache" / "tools" / "asyncapi-examples"
EXAMPLE_SETS = ("0.58.10", "2.17.0")  # @asyncapi/cli versions: 2.6 and 3.0 examples
for folder in (HERE, REPO_ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from asyncapi_facts import FACTS, compare, read_facts  # noqa: E402
from eventdesign.importer import import_asyncapi  # noqa: E402
from eventdesign.model.loader import load_model  # noqa: E402
from eventdesign.render.asyncapi import build_asyncapi  # noqa: E402

OWN = REPO_ROOT / "tests" / "data" / "export"


def example_documents() -> list[Path]:
    """Every example document (YAML) of every example set, sorted; then the contracts written
    for these tests in the style of vendors' (tests/data/export/asyncapi-*), which add Kafka
    keys, consumer groups and topic configuration the public examples lack."""
    public = sorted(
        path for example_set in EXAMPLE_SETS for path in (EXAMPLES / example_set).glob("*.y*ml")
    )
    return public + sorted(OWN.glob("asyncapi-*/*.yaml"))


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def round_trip(document: dict, shown: str, version: str) -> dict:
    """The document imported into a model, and that model exported as AsyncAPI `version`."""
    result = import_asyncapi(document, shown)
    with tempfile.TemporaryDirectory() as folder:
        model_path = Path(folder) / "design.yaml"
        model_path.write_text(yaml.safe_dump(result.model, sort_keys=False), encoding="utf-8")
        return build_asyncapi(load_model(model_path), version=version)


def survival(path: Path, version: str) -> dict[str, tuple[int, int]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    copy = round_trip(document, str(path), version)
    return compare(read_facts(document), read_facts(copy))


def main() -> int:
    documents = example_documents()
    if not documents:
        print(f"no examples in {EXAMPLES}: run `bash tests/tools/install.sh`", file=sys.stderr)
        return 2
    width = max(len(label(path)) for path in documents)
    print(f"{'document':<{width}}  out  " + "  ".join(f"{name:>9}" for name in FACTS))
    lost = 0
    for path in documents:
        for version in ("3.0", "2.6"):
            counts = survival(path, version)
            cells = []
            for name in FACTS:
                kept, total = counts[name]
                lost += total - kept
                cells.append(f"{kept}/{total}" if kept == total else f"*{kept}/{total}")
            print(f"{label(path):<{width}}  {version}  " + "  ".join(f"{c:>9}" for c in cells))
    print(f"{len(documents)} documents, facts lost: {lost}")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
