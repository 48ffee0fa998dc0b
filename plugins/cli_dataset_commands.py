"""CLI commands (dataset): filled in by the work on issue #15."""

COMMANDS: tuple = ()
