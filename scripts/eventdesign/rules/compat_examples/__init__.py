"""Worked examples for the schema compatibility rules, one module per schema language.

Each module's `EXAMPLES` maps a change code to (example, instead): YAML `before:`/`after:`
schema pairs (with an optional `mode:`, BACKWARD when absent). The example makes `compat`
report the change; `instead` reaches the same goal without breaking any reader.
"""
