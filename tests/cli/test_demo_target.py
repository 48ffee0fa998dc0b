"""``daedalus demo TARGET`` writes only into a new or empty folder or over its own earlier output.

A folder holding anything the demo did not write (a user's dataset, notes, a symlink) is refused with one
line naming it, and every file in it is left as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import daedalus as wk
from daedalus.cli import cli
from daedalus.demo import MARKER_NAME, DemoTargetError, check_target, run_demo

SIZE = "16"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file, folder and symlink below ``folder`` with its content (bytes, "<dir>" or the link target)."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[relative] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            entries[relative] = "<dir>"
        else:
            entries[relative] = path.read_bytes()
    return entries


def demo(target: Path, size: str = SIZE) -> Result:
    return CliRunner().invoke(cli, ["demo", str(target), "--size", size])


def assert_refused(result: Result, target: Path, *named: str) -> None:
    """The demo exited 2 with one ``Error:`` line naming ``target`` (and ``named``) and saying what to do."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    line = lines[0]
    assert line.startswith("Error: ") and str(target.absolute()) in line, line
    assert "nothing was changed" in line and "Choose a new or empty folder" in line, line
    for text in named:
        assert text in line, line


@pytest.fixture
def users_dataset(tmp_path: Path) -> Path:
    """A user's own dataset with a notes file next to it, as the demo must never delete."""
    path = tmp_path / "my-dataset"
    ds = wk.Dataset(path, voxel_size=(4, 4, 40))
    ds.add_layer("em", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 8))).add_mag(1)
    (path / "notes.txt").write_text("three weeks of tracing notes")
    return path


# --------------------------------------------------------------------------- what the demo writes and says


def test_the_demo_writes_a_dataset_with_a_marker_and_reports_size_and_next_step(tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    result = demo(target)
    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(target)
    assert set(ds.layers) == {"color", "segmentation"}

    marker = json.loads((target / MARKER_NAME).read_text())
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file() and p.name != MARKER_NAME)
    assert marker["written_by"] == "daedalus demo" and marker["files"] == files

    lines = result.stdout.strip().splitlines()
    size_lines = [line for line in lines if line.startswith("size on disk: ")]
    assert len(size_lines) == 1, result.stdout
    total = sum((target / name).stat().st_size for name in files)
    assert f"in {len(files)} files" in size_lines[0]
    assert f"{total / 1e6:.1f} MB" in size_lines[0] or f"{total / 1e3:.1f} kB" in size_lines[0], size_lines[0]
    assert lines[-1].startswith("next: ") and str(target) in lines[-1], lines[-1]
    assert "wk.Dataset.open" in lines[-1]


def test_an_existing_empty_folder_is_used(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert demo(target).exit_code == 0
    assert (target / MARKER_NAME).is_file()


def test_the_demo_replaces_its_own_earlier_output(tmp_path: Path) -> None:
    target = tmp_path / "again"
    assert demo(target, "32").exit_code == 0
    result = demo(target, "16")
    assert result.exit_code == 0, result.output
    assert "replaced the earlier demo output" in result.stdout
    assert wk.Dataset.open(target).get_layer("color").bounding_box.size == (16, 16, 16)
    listed = set(json.loads((target / MARKER_NAME).read_text())["files"])
    on_disk = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file() and p.name != MARKER_NAME}
    assert listed == on_disk


# --------------------------------------------------------------------------- refusals (nothing is touched)


def test_a_users_dataset_is_refused_and_kept_intact(users_dataset: Path) -> None:
    before = snapshot(users_dataset)
    assert_refused(demo(users_dataset), users_dataset, "was not written by `daedalus demo`")
    assert snapshot(users_dataset) == before


def test_a_folder_of_notes_is_refused_and_kept_intact(tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "todo.md").write_text("buy more disks")
    before = snapshot(target)
    assert_refused(demo(target), target, "todo.md")
    assert snapshot(target) == before


@pytest.mark.parametrize(
    "addition",
    ["notes.txt", "color/my-notes.txt", "my_layer/zarr.json", "empty-folder/"],
)
def test_an_earlier_demo_output_with_foreign_additions_is_refused(tmp_path: Path, addition: str) -> None:
    target = tmp_path / "demo"
    assert demo(target).exit_code == 0
    added = target / addition
    if addition.endswith("/"):
        added.mkdir()
    else:
        added.parent.mkdir(parents=True, exist_ok=True)
        added.write_text("mine")
    before = snapshot(target)
    assert_refused(demo(target), target, addition.rstrip("/").split("/")[0])
    assert snapshot(target) == before


def test_a_symlink_inside_an_earlier_output_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    assert demo(target).exit_code == 0
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "data.bin").write_bytes(b"\x01\x02")
    (target / "link").symlink_to(elsewhere, target_is_directory=True)
    assert_refused(demo(target), target, "link")
    assert (elsewhere / "data.bin").read_bytes() == b"\x01\x02"


@pytest.mark.parametrize(
    "marker",
    [
        "not json",
        json.dumps({"written_by": "someone else", "files": ["notes.txt"]}),
        json.dumps({"written_by": "daedalus demo", "files": ["../outside.txt", "notes.txt"]}),
        json.dumps({"written_by": "daedalus demo", "files": "notes.txt"}),
    ],
)
def test_a_forged_or_corrupt_marker_is_refused(tmp_path: Path, marker: str) -> None:
    target = tmp_path / "forged"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    (target / MARKER_NAME).write_text(marker)
    (tmp_path / "outside.txt").write_text("also mine")
    before = snapshot(tmp_path)
    assert_refused(demo(target), target, MARKER_NAME)
    assert snapshot(tmp_path) == before


def test_run_demo_refuses_before_writing_anything(users_dataset: Path) -> None:
    before = snapshot(users_dataset)
    with pytest.raises(DemoTargetError, match="notes.txt"):
        run_demo(users_dataset, size=16, echo=lambda line: None)
    with pytest.raises(DemoTargetError):
        check_target(users_dataset)
    assert snapshot(users_dataset) == before


# --------------------------------------------------------------------------- unusable targets


def test_a_file_as_target_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = demo(target)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(target) in lines[0], result.output
    assert target.read_text() == "keep me"


def test_an_unwritable_target_fails_in_one_line_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    target = blocker / "demo"
    result = demo(target)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith("Error: cannot write the demo to ") and str(target) in lines[0], lines[0]
    assert blocker.read_text() == "keep me"
