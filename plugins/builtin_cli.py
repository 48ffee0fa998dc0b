"""Built-in plugin: adds the standard commands to the ``daedalus`` CLI through the same hook as other plugins."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


@hookimpl
def daedalus_cli_commands(cli: Any) -> None:
    """Register the built-in commands (click is imported only when the CLI is built)."""
    from . import (
        cli_commands,
        cli_convert_commands,
        cli_dataset_commands,
        cli_export_commands,
        cli_import_command,
        cli_server_commands,
    )

    modules = (cli_commands, cli_convert_commands, cli_import_command, cli_export_commands, cli_dataset_commands)
    for module in (*modules, cli_server_commands):
        for command in module.COMMANDS:
            cli.add_command(command)
