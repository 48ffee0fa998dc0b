"""Built-in plugin: adds the standard commands to the ``daedalus`` CLI through the same hook as other plugins."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


@hookimpl
def daedalus_cli_commands(cli: Any) -> None:
    """Register the built-in commands (click is imported only when the CLI is built)."""
    from .cli_commands import COMMANDS
    from .cli_server_commands import COMMANDS as SERVER_COMMANDS

    for command in (*COMMANDS, *SERVER_COMMANDS):
        cli.add_command(command)
