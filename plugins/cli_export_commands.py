"""CLI commands (export): filled in by the work on issue #15."""

COMMANDS: tuple = ()
