"""The ``daedalus`` command line: a click group whose commands come from plugins (built-in ones included).

A mistake on the command line ends in one line on stderr, never a traceback: exit code 2 for a usage error
(bad option value, missing dataset, ...), 1 for a failure. An unexpected failure adds a hint line;
``daedalus --verbose COMMAND ...`` shows its traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from daedalus import __version__
from daedalus.core.client.errors import ApiClientError
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


LOG_DIR_VARIABLE = "DAEDALUS_LOG_DIR"
"""Environment variable: the folder for the logs of unexpected failures (default: ``<temp dir>/daedalus-logs``)."""


def write_failure_log(command_path: str, text: str) -> Path | None:
    """Write ``text`` (a traceback) to a new log file for ``command_path``: its path (None if it cannot be written)."""
    folder = Path(os.environ.get(LOG_DIR_VARIABLE) or Path(tempfile.gettempdir()) / "daedalus-logs")
    name = "-".join(command_path.split()[1:]) or "daedalus"
    path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{' '.join(sys.argv)}\n\n{text}\n")
    except OSError:
        return None
    return path


def failure_from_exception(
    error: Exception, command_path: str, verbose: bool, log_path: Path | None = None
) -> CommandFailed:
    """The one-line failure for an exception a command raised.

    Unreadable properties, errors a WEBKNOSSOS server reported and operating-system errors (missing files,
    permissions, full disks) are the user's data or environment; anything else is unexpected and gets a hint
    naming the log with the traceback (``log_path``) and how to see it on the terminal.
    """
    if isinstance(error, (DatasetPropertiesError, ApiClientError)):
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
    logged = f"the traceback is in {log_path}; " if log_path is not None else ""
    return CommandFailed(message, hint=f"this was unexpected; {logged}run `{rerun} ...` again to see the traceback.")


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
            details = traceback.format_exc().rstrip()
            if verbose:
                click.echo(details, err=True)
            command_path = ctx.command_path
            if ctx.invoked_subcommand:
                command_path = f"{command_path} {ctx.invoked_subcommand}"
            failure = failure_from_exception(error, command_path, verbose)
            if failure.hint:  # unexpected: keep the traceback where the hint says
                failure = failure_from_exception(error, command_path, verbose, write_failure_log(command_path, details))
            raise failure from error

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


PROGRAM = "daedalus"
COMPLETE_VARIABLE = "_DAEDALUS_COMPLETE"
"""click's completion variable: ``eval "$(_DAEDALUS_COMPLETE=bash_source daedalus)"`` (or zsh_source, fish_source)."""
COMPLETION_SHELLS = ("bash", "zsh", "fish")


def current_shell() -> str:
    """The shell named by ``$SHELL`` (bash, zsh or fish); a usage error when it is another or unset."""
    shell = Path(os.environ.get("SHELL", "")).name
    if shell not in COMPLETION_SHELLS:
        raise click.UsageError(
            f"cannot set up completion for the shell {os.environ.get('SHELL') or '(SHELL is not set)'}; daedalus "
            f"completes in {', '.join(COMPLETION_SHELLS)}: run it from one of them, or set SHELL=/bin/bash"
        )
    return shell


def completion_script(shell: str) -> str:
    """The script that makes ``shell`` complete daedalus commands, options and paths (click's shell completion)."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:
        raise click.UsageError(f"no completion for the shell {shell!r}; use one of {', '.join(COMPLETION_SHELLS)}")
    return completion(cli, {}, PROGRAM, COMPLETE_VARIABLE).source()


_COMPLETION_FILES = {
    "bash": (".bash_completions/daedalus.sh", ".bashrc"),
    "zsh": (".zfunc/daedalus.zsh", ".zshrc"),
    "fish": (".config/fish/completions/daedalus.fish", None),
}


def _startup_lines(shell: str, script: str, existing: str) -> list[str]:
    """The lines the startup file still needs to load the completion script."""
    wanted = [f'source "$HOME/{script}"']
    if shell == "zsh" and "compinit" not in existing:
        wanted.insert(0, "autoload -Uz compinit && compinit")
    return [line for line in wanted if line not in existing]


def install_completion(shell: str, home: Path) -> list[str]:
    """Write the completion script for ``shell`` under ``home`` and load it from the shell's startup file.

    bash: ``~/.bash_completions/daedalus.sh`` sourced from ``~/.bashrc``; zsh: ``~/.zfunc/daedalus.zsh`` sourced from
    ``~/.zshrc`` (after ``compinit``); fish: ``~/.config/fish/completions/daedalus.fish`` (fish loads it itself).
    Running it again rewrites the script and adds no line twice. Returns what was done, one line per file.
    """
    script, startup = _COMPLETION_FILES[shell]
    script_path = home / script
    script_path.parent.mkdir(parents=True, exist_ok=True)
    script_path.write_text(completion_script(shell) + "\n")
    done = [f"wrote {script_path}"]
    if startup is None:
        return done
    startup_path = home / startup
    existing = startup_path.read_text() if startup_path.exists() else ""
    missing = _startup_lines(shell, script, existing)
    if missing:
        separator = "" if not existing or existing.endswith("\n") else "\n"
        with startup_path.open("a") as handle:
            handle.write(separator + "\n".join(missing) + "\n")
        done.append(f"added {len(missing)} line(s) to {startup_path}")
    else:
        done.append(f"{startup_path} loads it already")
    return done


def _show_completion(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(completion_script(current_shell()))
    ctx.exit()


def _install_completion(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    shell = current_shell()
    for line in install_completion(shell, Path.home()):
        click.echo(line)
    click.echo(f"Completion for {shell} is installed; open a new shell to use it.")
    ctx.exit()


@click.group(PROGRAM, cls=DaedalusGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROGRAM)
@click.option("-v", "--verbose", is_flag=True, help="Show the full traceback when a command fails.")
@click.option(
    "--install-completion",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_install_completion,
    help="Install completion for the current shell (bash, zsh or fish, from $SHELL).",
)
@click.option(
    "--show-completion",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_completion,
    help="Show completion for the current shell, to copy it or customize the installation.",
)
def cli(verbose: bool) -> None:
    """daedalus: WEBKNOSSOS datasets on disk and on a WEBKNOSSOS server, from the command line.

    Run `daedalus demo` to write a sample dataset, `daedalus info DATASET` to see what a dataset holds,
    `daedalus downsample TARGET` to add coarser mags to a dataset, `daedalus copy-dataset`, `compress`,
    `check-equality`, `upsample` and `merge-fallback` to work on datasets, `daedalus download` / `daedalus upload`
    to move datasets from / to a WEBKNOSSOS server, `daedalus plugins` to see what is installed.
    `daedalus COMMAND --help` explains a command.

    Shell completion: `daedalus --install-completion` (bash, zsh, fish), or by hand
    `eval "$(_DAEDALUS_COMPLETE=bash_source daedalus)"` in ~/.bashrc (zsh_source, fish_source for the others).
    """


@cli.command("plugins")
def plugins_command() -> None:
    """List every loaded plugin and what it provides (storage formats, executors, each CLI command it adds, ...)."""
    manager = get_plugin_manager()
    for name, provides in manager.describe():
        click.echo(name)
        for item in provides or ["(nothing)"]:
            click.echo(f"    {item}")


get_plugin_manager().add_cli_commands(cli)


def main() -> None:
    """Entry point of the ``daedalus`` console script."""
    cli(prog_name=PROGRAM)


if __name__ == "__main__":
    main()
