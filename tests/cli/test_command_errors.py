"""Mistakes on the ``daedalus`` command line end in one line naming the path or value, never a traceback.

Exit code 2 for usage errors (bad option values, a folder that is not a dataset), 1 for failures (a corrupt
properties file, an unwritable dataset); unexpected failures add a hint on ``--verbose``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from daedalus.plugins.executor_options import parse_job_resources

import daedalus as wk
from daedalus.cli import cli


def error_lines(result: Result) -> list[str]:
    """The non-empty output lines of a failed command, after checking that no traceback was printed."""
    assert "Traceback" not in result.output, result.output
    return [line for line in result.output.splitlines() if line.strip()]


def assert_one_error_line(result: Result, exit_code: int, *named: str) -> str:
    """The command exited with ``exit_code`` and printed exactly one ``Error:`` line naming each of ``named``."""
    assert result.exit_code == exit_code, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), lines[0]
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def dataset_path(tmp_path: Path) -> Path:
    """A small dataset with one color layer holding only mag 1."""
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 2))
    layer = ds.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (32, 32, 32))
    )
    layer.add_mag(1, chunk_shape=32, shard_shape=32).write(np.ones((32, 32, 32), dtype="uint8"))
    return tmp_path / "ds"


def mags_of(path: Path) -> set[wk.Mag]:
    return set(wk.Dataset.open(path).get_layer("color").mags)


# --------------------------------------------------------------------------- the DATASET argument


def test_a_folder_without_properties_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "just-images"
    folder.mkdir()
    (folder / "slice.tif").write_bytes(b"")
    result = CliRunner().invoke(cli, ["downsample", str(folder)])
    line = assert_one_error_line(result, 2, str(folder), "datasource-properties.json")
    assert "downsample --help" in line


def test_a_missing_dataset_folder_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dataset"
    result = CliRunner().invoke(cli, ["downsample", str(missing)])
    assert_one_error_line(result, 2, str(missing), "does not exist")


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "not valid JSON"), (json.dumps({"id": {"name": "x"}, "scale": [1, 1, 1]}), "dataLayers")],
)
def test_a_corrupt_properties_file_fails_in_one_line_naming_the_file(
    dataset_path: Path, content: str, reason: str
) -> None:
    properties = dataset_path / "datasource-properties.json"
    properties.write_text(content)
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path)])
    line = assert_one_error_line(result, 1, str(properties), reason)
    assert "Hint" not in result.output, "a corrupt file is the user's data, not an unexpected failure"
    assert properties.read_text() == content, line


# --------------------------------------------------------------------------- option values


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--interpolation-mode", "cubic"),
        ("--sampling-mode", "diagonal"),
        ("--coarsest-mag", "abc"),
        ("--coarsest-mag", "0"),
        ("--coarsest-mag", "2-2"),
        ("--job-resources", "lots"),
        ("--job-resources", "{mem: 1G"),
        ("--job-resources", "[1]"),
        ("--jobs", "0"),
        ("--distribution-strategy", "magic"),
    ],
)
def test_an_invalid_option_value_is_one_line_naming_option_and_value(
    dataset_path: Path, option: str, value: str
) -> None:
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path), option, value])
    assert_one_error_line(result, 2, option, value)
    assert mags_of(dataset_path) == {wk.Mag(1)}, "nothing is written when an option is invalid"


def test_an_unknown_layer_names_the_layer_and_the_layers_there(dataset_path: Path) -> None:
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path), "--layer-name", "colour"])
    assert_one_error_line(result, 2, "--layer-name", "'colour'", "color")


def test_an_unknown_command_or_option_is_one_line() -> None:
    assert_one_error_line(CliRunner().invoke(cli, ["downsampel"]), 2, "downsampel")
    assert_one_error_line(CliRunner().invoke(cli, ["--colour"]), 2, "--colour")


def test_job_resources_take_the_reference_key_value_form_and_json() -> None:
    assert parse_job_resources("mem=4G,time=1:00:00") == {"mem": "4G", "time": "1:00:00"}
    assert parse_job_resources('{"mem": "4G", "cpus_per_task": 2}') == {"mem": "4G", "cpus_per_task": 2}
    with pytest.raises(ValueError, match="key=value"):
        parse_job_resources("mem=4G,oops")


def test_valid_options_in_the_reference_spelling_downsample(dataset_path: Path) -> None:
    args = ["--coarsest-mag", "4-4-2", "--sampling-mode", "ANISOTROPIC", "--interpolation-mode", "Max"]
    options = ["--distribution-strategy", "sequential", "--job-resources", "mem=1G"]
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path), *args, *options])
    assert result.exit_code == 0, result.output
    assert mags_of(dataset_path) == {wk.Mag(1), wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}


# --------------------------------------------------------------------------- failures while working


def test_a_permission_error_is_one_line_naming_the_path(dataset_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shard = dataset_path / "color" / "2-2-1" / "c"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(shard))

    monkeypatch.setattr(wk.Dataset, "downsample", refuse)
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path), "--distribution-strategy", "sequential"])
    assert_one_error_line(result, 1, "Permission denied", str(shard))
    assert "Hint" not in result.output


def test_an_unwritable_mag_folder_fails_in_one_line(dataset_path: Path) -> None:
    # A file where the new mag's folder must go: a real OS error, also for root (chmod does not stop root).
    blocker = dataset_path / "color" / "2-2-1"
    if blocker.exists():
        shutil.rmtree(blocker)
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["downsample", str(dataset_path), "--distribution-strategy", "sequential"])
    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    assert "Traceback" not in result.output
    assert lines and str(blocker) in lines[0], result.output
    assert blocker.read_text() == "not a folder"


def test_an_unexpected_failure_gives_one_line_and_a_hint_on_verbose(
    dataset_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(wk.Dataset, "downsample", explode)
    args = ["downsample", str(dataset_path), "--distribution-strategy", "sequential"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    assert lines[0] == "Error: RuntimeError: kernel exploded", result.output
    assert len(lines) == 2 and lines[1].startswith("Hint: ") and "daedalus --verbose downsample" in lines[1]

    verbose = CliRunner().invoke(cli, ["--verbose", *args])
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.output and "kernel exploded" in verbose.output
    assert verbose.output.strip().splitlines()[-1] == "Error: RuntimeError: kernel exploded"


def test_the_console_script_reports_a_usage_error_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "daedalus", "downsample", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "Traceback" not in result.stderr, result.stderr


# --------------------------------------------------------------------------- help


def test_the_group_help_claims_only_what_exists_and_mentions_verbose() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "client" not in result.output.lower()
    assert "--verbose" in result.output
    for command in ("demo", "downsample", "plugins"):
        assert command in result.output


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("demo", ["TARGET", "datasource-properties.json", ".daedalus-demo.json", "refused"]),
        ("downsample", ["TARGET", "datasource-properties.json", "--coarsest-mag", "mem=10G"]),
        ("plugins", ["plugin"]),
    ],
)
def test_each_command_help_says_what_it_does(command: str, says: list[str]) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for words in says:
        assert words in text, f"{command} --help should mention {words!r}:\n{result.output}"
