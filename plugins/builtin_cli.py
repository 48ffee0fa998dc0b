"""Built-in plugin: adds the standard commands to the ``daedalus`` CLI through the same hook as other plugins."""

from __future__ import annotations

from typing import Any

import click

from .hookspecs import hookimpl


@click.command("demo")
@click.argument("target", type=click.Path(file_okay=False), default="daedalus-demo")
@click.option("--size", default=256, show_default=True, help="Edge length of the synthetic volume in voxels.")
def demo_command(target: str, size: int) -> None:
    """Build a sample dataset (synthetic cells) at TARGET, downsample it and print what was written."""
    from daedalus.demo import run_demo

    run_demo(target, size=size, echo=click.echo)


@hookimpl
def daedalus_cli_commands(cli: Any) -> None:
    """Register the built-in commands."""
    cli.add_command(demo_command)
