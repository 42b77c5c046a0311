"""grimoire's event-driven design toolkit: model, rules, compatibility, sagas, renderers."""

__version__ = "0.1.0"
