"""The ``daedalus`` command line: a click group whose commands come from plugins (built-in ones included).

A mistake on the command line ends in one line on stderr, never a traceback: exit code 2 for a usage error
(bad option value, missing dataset, ...), 1 for a failure. An unexpected failure adds a hint line;
``daedalus --verbose COMMAND ...`` shows its traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from daedalus import __version__
from daedalus.core.properties.errors import DatasetPropertiesError
from daedalus.plugins import get_plugin_manager

_SHOWS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


class CommandFailed(click.ClickException):
    """A command failed (exit code 1): one line naming what went wrong, and optionally a hint line."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def show(self, file: Any = None) -> None:
        """Print ``Error: <message>`` on one line, then the hint (if any) on a second line."""
        click.echo(f"Error: {one_line(self.format_message())}", err=True)
        if self.hint:
            click.echo(f"Hint: {one_line(self.hint)}", err=True)


def failure_from_exception(error: Exception, command_path: str, verbose: bool) -> CommandFailed:
    """The one-line failure for an exception a command raised.

    Unreadable properties and operating-system errors (missing files, permissions, full disks) are the
    user's data or environment; anything else is unexpected and gets a hint on how to see the traceback.
    """
    if isinstance(error, DatasetPropertiesError):
        return CommandFailed(str(error))
    if isinstance(error, OSError):
        if error.filename is not None and error.strerror:
            where = f"{error.filename} -> {error.filename2}" if error.filename2 else str(error.filename)
            return CommandFailed(f"{error.strerror}: {where}")
        return CommandFailed(str(error) or type(error).__name__)
    message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if verbose:
        return CommandFailed(message)
    words = command_path.split()
    rerun = " ".join([words[0], "--verbose", *words[1:]]) if words else "daedalus --verbose"
    return CommandFailed(message, hint=f"this was unexpected; run `{rerun} ...` again to see the traceback.")


class DaedalusGroup(click.Group):
    """A click group that reports usage errors and failures in one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> None:
        """Run the subcommand; turn an exception it raises into a one-line :class:`CommandFailed`."""
        try:
            super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, EOFError):
            raise
        except Exception as error:
            verbose = bool(ctx.params.get("verbose"))
            if verbose:
                click.echo(traceback.format_exc().rstrip(), err=True)
            command_path = ctx.command_path
            if ctx.invoked_subcommand:
                command_path = f"{command_path} {ctx.invoked_subcommand}"
            raise failure_from_exception(error, command_path, verbose) from error

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode report errors in one line and exit (2 usage, 1 failure)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _SHOWS_HELP as error:
            error.show()
            sys.exit(error.exit_code)
        except click.UsageError as error:
            see = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
            click.echo(f"Error: {one_line(error.format_message())}{see}", err=True)
            sys.exit(2)
        except CommandFailed as error:
            error.show()
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group("daedalus", cls=DaedalusGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="daedalus")
@click.option("-v", "--verbose", is_flag=True, help="Show the full traceback when a command fails.")
def cli(verbose: bool) -> None:
    """daedalus: WEBKNOSSOS datasets on disk and on a WEBKNOSSOS server, from the command line.

    Run `daedalus demo` to write a sample dataset, `daedalus downsample DATASET` to add coarser mags to a
    dataset, `daedalus download` / `daedalus upload` to move datasets from / to a WEBKNOSSOS server,
    `daedalus plugins` to see what is installed. `daedalus COMMAND --help` explains a command.
    """


@cli.command("plugins")
def plugins_command() -> None:
    """List every loaded plugin and what it provides (storage formats, executors, commands, ...)."""
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
