"""The design model: its JSON Schema, a YAML loader that keeps line:column, and typed objects."""
