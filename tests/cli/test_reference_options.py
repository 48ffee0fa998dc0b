"""For every command of the reference CLI, ``daedalus COMMAND --help`` lists the same options and arguments.

The reference's help is produced by running ``webknossos COMMAND --help`` in its own venv (``contract_tests/
reference_env.py``) and parsed from its text; the tests skip only when that venv cannot be built. A failure names,
per command, the options daedalus lacks, the ones it adds without a documented reason, and differing arguments.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
from click.testing import CliRunner

from daedalus.cli import cli

REFERENCE_COMMANDS = (
    "check-equality",
    "compress",
    "convert",
    "convert-knossos",
    "convert-raw",
    "convert-zarr",
    "copy-dataset",
    "download",
    "downsample",
    "export-as-tiff",
    "export-wkw-as-tiff",
    "merge-fallback",
    "upload",
    "upsample",
)

DAEDALUS_EXTRAS: dict[str, dict[str, str]] = {
    "*": {"-h": "daedalus takes -h as well as --help everywhere"},
    "downsample": {"--interpolation-mode": "daedalus lets the user choose how voxels are combined"},
    "download": {"--webknossos-url": "daedalus also takes a dataset name, looked up on that server"},
}
"""Options daedalus has beyond the reference, per command, each with the reason it is there."""

# Prints {"commands": [...], "help": {command: help text}}: each command's --help, 200 columns wide.
REFERENCE_HELP_SCRIPT = """
import json, warnings
warnings.simplefilter("ignore")
from importlib.metadata import entry_points
import typer.main
from click.testing import CliRunner

app = next(iter(entry_points(group="console_scripts", name="webknossos"))).load()
group = typer.main.get_command(app)
runner = CliRunner()


def help_of(*args):
    result = runner.invoke(group, [*args, "--help"], env={"COLUMNS": "200"}, terminal_width=200, prog_name="webknossos")
    return result.output


names = group.list_commands(group.make_context("webknossos", ["--help"], resilient_parsing=True))
print(json.dumps({"commands": names, "help": {name: help_of(name) for name in names}}))
"""

_OPTION = re.compile(r"^-{1,2}[A-Za-z0-9][\w+-]*$")
_NOT_OPTION_PANELS = ("Arguments", "Commands")


def _reference_env() -> ModuleType:
    name = "daedalus_contract_tests_reference_env"
    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parents[2] / "contract_tests" / "reference_env.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference_help() -> dict[str, Any]:
    """The reference CLI's command names and each command's help text; skips when its venv cannot be built."""
    env = _reference_env()
    try:
        env.reference_python()
    except env.ReferenceUnavailable as error:
        if env.require_reference():
            pytest.fail(f"reference webknossos venv unavailable: {error} (and ${env.ENV_REQUIRE} is set)")
        pytest.skip(f"reference webknossos venv unavailable: {error}")
    return env.run_reference_json(REFERENCE_HELP_SCRIPT, timeout=300)


def rich_help_option_names(text: str) -> set[str]:
    """The option names in the first column of every options panel of a rich (typer) help text.

    A panel's option rows start at the column of its first row's first option; description lines wrapped below a
    row start further right and are not read as options.
    """
    names: set[str] = set()
    in_options_panel, column = False, None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("╭"):
            title = stripped.strip("╭─╮ ")
            in_options_panel, column = not title.startswith(_NOT_OPTION_PANELS), None
            continue
        if not in_options_panel or not stripped.startswith("│"):
            continue
        body = stripped.strip("│")
        if column is None:
            lead = body.lstrip(" *")
            if not lead.startswith("-"):
                continue
            column = len(body) - len(lead)
        if len(body) <= column or body[column] != "-" or body[:column].strip(" *"):
            continue
        for token in body[column:].split():
            if not _OPTION.match(token):
                break
            names.add(token)
    return names


def usage_arguments(text: str) -> list[str]:
    """The arguments after ``[OPTIONS]`` in the ``Usage:`` lines of a help text (wrapped lines joined)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Usage:"))
    usage = []
    for line in lines[start:]:
        if not line.strip() and usage:
            break
        usage.append(line.strip())
    words = " ".join(usage).split()
    return words[words.index("[OPTIONS]") + 1 :] if "[OPTIONS]" in words else []


def daedalus_option_names(command: click.Command) -> set[str]:
    """Every option name (and ``--no-...`` form) of a click command, ``--help`` included."""
    parent = cli.make_context("daedalus", [], resilient_parsing=True)
    ctx = command.make_context(command.name, [], parent=parent, resilient_parsing=True)
    names: set[str] = set()
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def option_differences(command: str, reference: set[str], ours: set[str]) -> list[str]:
    """What differs between the reference's options and daedalus', in words (empty when they match)."""
    allowed = {**DAEDALUS_EXTRAS["*"], **DAEDALUS_EXTRAS.get(command, {})}
    missing = sorted(reference - ours)
    extra = sorted(ours - reference - set(allowed))
    problems = []
    if missing:
        problems.append(f"daedalus lacks {', '.join(missing)}")
    if extra:
        problems.append(f"daedalus adds {', '.join(extra)} (list them in DAEDALUS_EXTRAS with a reason if intended)")
    return problems


def test_the_parser_reads_the_option_column_of_a_rich_help() -> None:
    text = """
 Usage: webknossos copy-dataset [OPTIONS] SOURCE
                                TARGET

╭─ Arguments ──────────────────────────────────────────────╮
│ *    source      PARSE_PATH  Path to the source. --not-an-option [required] │
╰──────────────────────────────────────────────────────────╯
╭─ Options ────────────────────────────────────────────────╮
│ *  --from-mag                   MAG   Mag to start from.                    │
│    --exists-ok  --no-exists-ok        Whether to overwrite; see also        │
│                                       --wrapped-mention in the text.        │
│    --help                             Show this message and exit.           │
╰──────────────────────────────────────────────────────────╯
╭─ WEBKNOSSOS context ─────────────────────────────────────╮
│ --token        TEXT  Authentication token.                                  │
╰──────────────────────────────────────────────────────────╯
"""
    assert rich_help_option_names(text) == {"--from-mag", "--exists-ok", "--no-exists-ok", "--help", "--token"}
    assert usage_arguments(text) == ["SOURCE", "TARGET"]


def test_the_reference_has_the_commands_listed_here(reference_help: dict[str, Any]) -> None:
    assert sorted(reference_help["commands"]) == sorted(REFERENCE_COMMANDS)


@pytest.mark.parametrize("command", REFERENCE_COMMANDS)
def test_daedalus_lists_the_options_and_arguments_of_the_reference(
    reference_help: dict[str, Any], command: str
) -> None:
    reference_text = reference_help["help"][command]
    reference_options = rich_help_option_names(reference_text)
    assert "--help" in reference_options, f"could not parse the reference's help of {command}:\n{reference_text}"
    ours = cli.commands.get(command)
    assert ours is not None, (
        f"daedalus has no command {command!r} (the reference has options {sorted(reference_options)})"
    )

    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    our_options = daedalus_option_names(ours)
    unlisted = sorted(name for name in our_options if name not in result.output)
    assert not unlisted, f"daedalus {command} --help does not show {', '.join(unlisted)}"

    problems = option_differences(command, reference_options, our_options)
    reference_arguments, our_arguments = usage_arguments(reference_text), usage_arguments(result.output)
    if reference_arguments != our_arguments:
        problems.append(
            f"arguments differ: reference {' '.join(reference_arguments)}, daedalus {' '.join(our_arguments)}"
        )
    assert not problems, f"{command}: " + "; ".join(problems)


def test_a_difference_is_reported_with_the_names() -> None:
    problems = option_differences("compress", {"--mag", "--help", "--jobs"}, {"--help", "--jobs", "--colour", "-h"})
    assert problems == [
        "daedalus lacks --mag",
        "daedalus adds --colour (list them in DAEDALUS_EXTRAS with a reason if intended)",
    ]
