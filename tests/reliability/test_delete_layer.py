"""``Dataset.delete_layer`` and ``Layer.delete_mag`` on symlinked folders and failing deletions (issue 16, defect 9)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk


def _dataset_with_color(path: Path) -> wk.Dataset:
    """A dataset with a ``color`` layer holding Mag(1) and Mag(2) data."""
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (16, 16, 16))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
    layer.add_mag(1).write(np.full((16, 16, 16), 7, dtype="uint8"), absolute_offset=(0, 0, 0))
    layer.add_mag(2)
    return ds


def _move_and_link(folder: Path, target: Path) -> None:
    """Move ``folder`` to ``target`` and leave a symbolic link to it in its place."""
    shutil.move(folder, target)
    os.symlink(target, folder)


def test_delete_layer_on_a_symlinked_layer_folder_removes_only_the_link(tmp_path):
    _dataset_with_color(tmp_path / "ds")
    _move_and_link(tmp_path / "ds" / "color", tmp_path / "elsewhere")
    ds = wk.Dataset.open(tmp_path / "ds")
    ds.delete_layer("color")
    assert not os.path.lexists(tmp_path / "ds" / "color")
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["1", "2", "zarr.json"]
    assert list(ds.layers) == []
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == []


def test_delete_layer_on_a_dangling_symlink_removes_the_link(tmp_path):
    _dataset_with_color(tmp_path / "ds")
    _move_and_link(tmp_path / "ds" / "color", tmp_path / "elsewhere")
    shutil.rmtree(tmp_path / "elsewhere")
    ds = wk.Dataset.open(tmp_path / "ds")
    ds.delete_layer("color")
    assert not os.path.lexists(tmp_path / "ds" / "color")
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == []


def test_delete_mag_on_a_symlinked_mag_folder_removes_only_the_link(tmp_path):
    _dataset_with_color(tmp_path / "ds")
    _move_and_link(tmp_path / "ds" / "color" / "1", tmp_path / "mag1")
    layer = wk.Dataset.open(tmp_path / "ds").get_layer("color")
    layer.delete_mag(1)
    assert not os.path.lexists(tmp_path / "ds" / "color" / "1")
    assert (tmp_path / "mag1" / "zarr.json").exists()
    assert list(wk.Dataset.open(tmp_path / "ds").get_layer("color").mags) == [wk.Mag(2)]


def test_layer_folder_that_cannot_be_removed_leaves_the_properties_unchanged(tmp_path, monkeypatch):
    ds = _dataset_with_color(tmp_path / "ds")

    def failing_rename(*args, **kwargs):
        raise PermissionError("simulated: cannot remove")

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(PermissionError):
        ds.delete_layer("color")
    monkeypatch.undo()
    assert list(ds.layers) == ["color"]
    reopened = wk.Dataset.open(tmp_path / "ds")
    assert list(reopened.layers) == ["color"]
    assert (reopened.get_layer("color").get_mag(1).read() == 7).all()


def test_files_that_fail_to_delete_after_the_update_are_reported_not_raised(tmp_path, monkeypatch):
    ds = _dataset_with_color(tmp_path / "ds")

    def failing_rmtree(*args, **kwargs):
        raise PermissionError("simulated: cannot delete")

    monkeypatch.setattr(shutil, "rmtree", failing_rmtree)
    with pytest.warns(UserWarning, match=r"\.color\.deleting-.*delete that folder by hand"):
        ds.delete_layer("color")
    monkeypatch.undo()
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == []
    assert not (tmp_path / "ds" / "color").exists()


def test_delete_layer_still_deletes_a_plain_layer_folder(tmp_path):
    ds = _dataset_with_color(tmp_path / "ds")
    ds.add_layer("other", wk.COLOR_CATEGORY, dtype="uint8")
    ds.delete_layer("color")
    assert not (tmp_path / "ds" / "color").exists()
    assert list(wk.Dataset.open(tmp_path / "ds").layers) == ["other"]


def test_mag_folder_that_cannot_be_removed_leaves_the_properties_unchanged(tmp_path, monkeypatch):
    layer = _dataset_with_color(tmp_path / "ds").get_layer("color")

    def failing_rename(*args, **kwargs):
        raise PermissionError("simulated: cannot remove")

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(PermissionError):
        layer.delete_mag(1)
    monkeypatch.undo()
    assert sorted(layer.mags) == [wk.Mag(1), wk.Mag(2)]
    assert sorted(wk.Dataset.open(tmp_path / "ds").get_layer("color").mags) == [wk.Mag(1), wk.Mag(2)]
