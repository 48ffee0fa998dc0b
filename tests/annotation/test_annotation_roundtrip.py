"""Annotation properties, volume layers and segments round trip through save/load; safety of zip handling."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.annotation import UnsafeZipError

import daedalus as wk


def _annotation() -> wk.Annotation:
    annotation = wk.Annotation(
        name="my_annotation",
        dataset_name="sample_dataset",
        voxel_size=(11.2, 11.2, 25.0),
        organization_id="org",
        description="desc",
        owner_name="Someone",
        annotation_id="abc123",
        time=1700000000000,
        edit_position=(1, 2, 3),
        edit_rotation=(0.0, 90.0, 0.0),
        zoom_level=1.5,
        metadata={"key": "value"},
        task_bounding_box=wk.BoundingBox((0, 0, 0), (10, 20, 30)),
        user_bounding_boxes=[wk.BoundingBox((5, 5, 5), (7, 8, 9))],
    )
    tree = annotation.skeleton.add_tree("tree")
    a, b = tree.add_node(position=(1, 2, 3)), tree.add_node(position=(4, 5, 6))
    tree.add_edge(a, b)
    return annotation


def _check_properties(loaded: wk.Annotation) -> None:
    assert loaded.dataset_name == "sample_dataset"
    assert loaded.voxel_size == (11.2, 11.2, 25.0)
    assert loaded.organization_id == "org"
    assert loaded.description == "desc"
    assert loaded.owner_name == "Someone"
    assert loaded.annotation_id == "abc123"
    assert loaded.time == 1700000000000
    assert loaded.edit_position == (1, 2, 3)
    assert loaded.edit_rotation == (0.0, 90.0, 0.0)
    assert loaded.zoom_level == 1.5
    assert loaded.metadata == {"key": "value"}
    assert loaded.task_bounding_box.size == (10, 20, 30)
    assert [b.topleft for b in loaded.user_bounding_boxes] == [(5, 5, 5)]
    assert sum(len(list(t.nodes)) for t in loaded.skeleton.flattened_trees()) == 2


@pytest.mark.parametrize("suffix", [".nml", ".zip"])
def test_properties_round_trip(tmp_path: Path, suffix: str) -> None:
    _annotation().save(tmp_path / f"out{suffix}")
    loaded = wk.Annotation.load(tmp_path / f"out{suffix}")
    _check_properties(loaded)
    assert loaded.name == ("out" if suffix == ".nml" else "my_annotation")


def test_constructor_needs_dataset() -> None:
    with pytest.raises(ValueError, match="dataset_name"):
        wk.Annotation(name="x")
    assert wk.AnnotationState("Finished") is wk.AnnotationState.FINISHED
    assert wk.AnnotationType.TASK.value == "Task"


def test_volume_layer_write_save_load_export_merge(tmp_path: Path) -> None:
    annotation = _annotation()
    annotation.add_volume_layer("seg", dtype=np.uint32, fallback_layer="segmentation")
    annotation.add_volume_layer("other", dtype=np.uint32)
    assert list(annotation.get_volume_layer_names()) == ["seg", "other"]
    annotation.delete_volume_layer("other")
    with pytest.raises(AssertionError):
        annotation.delete_volume_layer("other")
    data = np.zeros((1, 40, 30, 20), dtype=np.uint32)
    data[0, 5:15, 5:10, 2:8] = 7
    with annotation.temporary_volume_layer_copy(read_only=False) as layer:
        layer.add_mag(1).write(data, absolute_offset=(10, 20, 30), allow_resize=True)
    with annotation.temporary_volume_layer_copy() as layer:
        assert layer.read_only
        np.testing.assert_array_equal(layer.get_mag(1).read(absolute_offset=(10, 20, 30), size=(40, 30, 20)), data)
    segments = annotation.get_volume_layer_segments("seg")
    segments[7] = wk.SegmentInformation(name="cell", anchor_position=(12, 22, 33), color=(1, 0, 0), metadata={"n": 1})
    annotation.save(tmp_path / "vol.zip")
    with pytest.raises(AssertionError, match="zip"):
        annotation.save(tmp_path / "vol.nml")

    loaded = wk.Annotation.load(tmp_path / "vol.zip")
    _check_properties(loaded)
    volume = loaded.get_volume_layer("seg")
    assert volume.fallback_layer_name == "segmentation"
    assert loaded.get_volume_layer_segments()[7] == wk.SegmentInformation("cell", (12, 22, 33), (1, 0, 0, 1), {"n": 1})
    loaded.get_volume_layer_segments()[7].name = "renamed"
    loaded.save(tmp_path / "vol.zip")  # overwrite the file the data is read from
    reloaded = wk.Annotation.load(tmp_path / "vol.zip")
    assert reloaded.get_volume_layer_segments()[7].name == "renamed"

    target = wk.Dataset(tmp_path / "export", voxel_size=(11.2, 11.2, 25.0))
    exported = reloaded.export_volume_layer_to_dataset(target, "exported")
    assert exported.category == "segmentation"
    np.testing.assert_array_equal(exported.get_mag(1).read(absolute_offset=(10, 20, 30), size=(40, 30, 20)), data)

    fallback = wk.Dataset(tmp_path / "fallback", voxel_size=(11.2, 11.2, 25.0))
    base = np.full((1, 64, 64, 64), 3, dtype=np.uint32)
    fallback.add_layer("segmentation", "segmentation", dtype=np.uint32).add_mag(1).write(
        base, absolute_offset=(0, 0, 0), allow_resize=True
    )
    reloaded.merge_fallback_layer(tmp_path / "merged", tmp_path / "fallback")
    merged = wk.Dataset.open(tmp_path / "merged").get_layer("segmentation").get_mag(1)
    expected = base.copy()
    region = expected[:, 10:50, 20:50, 30:50]
    overlay = data[:, :, :30, :20]
    region[overlay != 0] = overlay[overlay != 0]
    np.testing.assert_array_equal(merged.read(absolute_offset=(0, 0, 0), size=(64, 64, 64)), expected)


def test_failed_save_keeps_old_file(tmp_path: Path) -> None:
    annotation = _annotation()
    path = tmp_path / "a.zip"
    annotation.save(path)
    before = path.read_bytes()
    annotation.metadata = {"bad": object()}
    annotation.skeleton.add_tree("x").add_node(position=(1, 2, 3))
    annotation.add_volume_layer("v", dtype=np.uint8)
    annotation.get_volume_layer_segments()[1] = wk.SegmentInformation(None, None, None, {"k": object()})
    with pytest.raises(TypeError):
        annotation.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


def _annotation_zip_with_volume_member(tmp_path: Path, member: str, payload: bytes) -> Path:
    annotation = _annotation()
    annotation.save(tmp_path / "plain.nml")
    nml = (
        (tmp_path / "plain.nml")
        .read_text()
        .replace("</things>", '  <volume id="0" location="data_0_v.zip" name="v" format="wkw" />\n</things>')
    )
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, payload)
    outer = tmp_path / "evil.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("evil.nml", nml)
        archive.write(inner, "data_0_v.zip")
    return outer


@pytest.mark.parametrize("member", ["../escape.wkw", "/abs/escape.wkw", "1/../../x.wkw"])
def test_zip_slip_refused(tmp_path: Path, member: str) -> None:
    annotation = wk.Annotation.load(_annotation_zip_with_volume_member(tmp_path, member, b"x"))
    with pytest.raises(UnsafeZipError, match="escape"):
        with annotation.temporary_volume_layer_copy():
            pass
    assert not (tmp_path / "escape.wkw").exists()


def test_zip_bomb_refused(tmp_path: Path) -> None:
    payload = b"\0" * (64 * 1024**2)  # deflates ~1000:1
    annotation = wk.Annotation.load(_annotation_zip_with_volume_member(tmp_path, "1/z0/y0/x0.wkw", payload))
    with pytest.raises(UnsafeZipError, match="zip bomb"):
        with annotation.temporary_volume_layer_copy():
            pass


def test_outer_zip_slip_refused(tmp_path: Path) -> None:
    path = tmp_path / "slip.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.nml", "<things/>")
        archive.writestr("../../evil.txt", "x")
    with pytest.raises(UnsafeZipError, match="evil.txt"):
        wk.Annotation.load(path)
