"""The built-in CLI commands (click), registered by ``builtin_cli``."""

from __future__ import annotations

import click


@click.command("demo")
@click.argument("target", type=click.Path(file_okay=False), default="daedalus-demo")
@click.option("--size", default=256, show_default=True, help="Edge length of the synthetic volume in voxels.")
def demo_command(target: str, size: int) -> None:
    """Build a sample dataset (synthetic cells) at TARGET, downsample it and print what was written."""
    from daedalus.demo import run_demo

    run_demo(target, size=size, echo=click.echo)


COMMANDS = (demo_command,)
