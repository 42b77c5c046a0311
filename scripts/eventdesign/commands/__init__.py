"""Subcommands. Each module defines NAME, HELP, ORDER, REQUIRES, configure(parser), run(args).

Modules here import only the standard library at top level, so `--help` stays fast;
`run` imports what it needs.
"""
