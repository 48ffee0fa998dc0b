"""The ``daedalus`` command line: a click group whose commands come from plugins (built-in ones included)."""

from __future__ import annotations

import click

from daedalus import __version__
from daedalus.plugins import get_plugin_manager


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="daedalus")
def cli() -> None:
    """daedalus: volumetric microscopy datasets, annotations and WEBKNOSSOS clients."""


@cli.command("plugins")
def plugins_command() -> None:
    """List every loaded plugin and what it provides."""
    manager = get_plugin_manager()
    for name, provides in manager.describe():
        click.echo(name)
        for item in provides or ["(nothing)"]:
            click.echo(f"    {item}")


get_plugin_manager().add_cli_commands(cli)


def main() -> None:
    """Entry point of the ``daedalus`` console script."""
    cli(prog_name="daedalus")


if __name__ == "__main__":
    main()
