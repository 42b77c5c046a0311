"""The imported model as YAML text: a schema several events share is written once.

The importer hands the same object to every event whose payload uses one definition of the
contract (a component schema such as `Money`); PyYAML writes it once with an anchor and
refers to it with aliases elsewhere. Anchors are named after the definition (`&Money`)
instead of PyYAML's `&id001`, so the model reads as "the same Money as above".
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

ANCHOR_TEXT = re.compile(r"[^A-Za-z0-9_-]")


class _NamedAnchorDumper(yaml.SafeDumper):
    anchor_names: ClassVar[dict[int, str]] = {}

    def generate_anchor(self, node: Any) -> str:
        if not hasattr(self, "_named_nodes"):
            # Anchors are made after every object is represented: map nodes to names once.
            self._named_nodes = {
                id(represented): self.anchor_names[key]
                for key, represented in self.represented_objects.items()
                if key in self.anchor_names
            }
        name = self._named_nodes.get(id(node))
        if name is None:
            return super().generate_anchor(node)
        taken = set(self.anchors.values())
        candidate, counter = name, 2
        while candidate in taken:
            candidate, counter = f"{name}{counter}", counter + 1
        return candidate


def model_yaml(model: dict, anchor_names: dict[int, str]) -> str:
    """YAML text of the model; `anchor_names` maps id(shared object) -> its anchor's name."""
    dumper = type(
        "Dumper",
        (_NamedAnchorDumper,),
        {"anchor_names": {k: ANCHOR_TEXT.sub("_", v) or "shared" for k, v in anchor_names.items()}},
    )
    return yaml.dump(model, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
