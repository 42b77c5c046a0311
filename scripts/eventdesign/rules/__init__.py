"""Lint rules: a registry of rule metadata and check functions, one module per family."""
