"""Every annotation zip and NML of wk-testdata loads, with skeleton, volume layers and readable volume data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

ANNOTATIONS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"
pytestmark = pytest.mark.skipif(not ANNOTATIONS.is_dir(), reason=f"shared fixtures absent at {ANNOTATIONS}")

# file -> (volume layer name -> expects non-empty data)
EXPECTED = {
    "bounding-boxes-example.zip": {"Volume": None},
    "empty_volume_annotation.zip": {"Volume": False},
    "l4_sample__explorational__suser__94b271.zip": {"Volume": True},
    "l4dense_motta_et_al_demo_v2__explorational__4a6356.zip": {"Volume": True},
    "multi_volume_example_CREMI.zip": {"Volume_2": True, "Volume": True},
    "nml_with_volumes.nml": {"segmentation": None},
    "nml_with_volumes.zip": {"segmentation": None},
}


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_fixture_loads(file_name: str) -> None:
    annotation = wk.Annotation.load(ANNOTATIONS / file_name)
    assert annotation.owner_name
    assert annotation.annotation_id
    assert annotation.voxel_size[0] > 0
    assert set(annotation.get_volume_layer_names()) == set(EXPECTED[file_name])
    for name, has_values in EXPECTED[file_name].items():
        volume = annotation.get_volume_layer(name)
        assert volume.has_data is (has_values is not None)
        if has_values is None:
            continue
        with annotation.temporary_volume_layer_copy(volume_layer_name=name) as layer:
            assert layer.name == "volumeAnnotationData"
            assert Mag1 in layer.mags
            if not has_values:
                assert layer.bounding_box.is_empty()
                continue
            box = layer.bounding_box
            size = [min(s, 256) for s in box.size]
            small = wk.BoundingBox(box.topleft, size) if box.size[2] <= 64 else None
            mag = layer.get_mag(1)
            data = mag.read(absolute_bounding_box=small) if small else None
            if data is None:  # the l4_sample volume is 1024³: read where the annotated voxels are
                data = mag.read(absolute_bounding_box=wk.BoundingBox((3300, 3300, 1020), (200, 200, 8)))
            assert data.dtype in (np.uint16, np.uint32)
            assert np.count_nonzero(data) > 0


Mag1 = wk.Mag(1)


def test_l4_sample_details() -> None:
    annotation = wk.Annotation.load(ANNOTATIONS / "l4_sample__explorational__suser__94b271.zip")
    assert annotation.name == "l4_sample__explorational__suser__94b271"
    assert annotation.owner_name == "Sample User"
    assert annotation.dataset_name == "l4_sample"
    assert annotation.organization_id == "sample_organization"
    assert annotation.edit_position == (3867, 3579, 1024)
    assert annotation.zoom_level == 2.0
    assert annotation.time == 1697029744090
    assert annotation.metadata["writer"] == "NmlWriter.scala"
    assert sum(len(list(t.nodes)) for t in annotation.skeleton.flattened_trees()) == 3
    segments = annotation.get_volume_layer_segments()
    assert list(segments) == [1]
    assert segments[1].anchor_position == (3395, 3761, 1024)


def test_cremi_volumes_differ_and_bboxes() -> None:
    annotation = wk.Annotation.load(ANNOTATIONS / "multi_volume_example_CREMI.zip")
    assert [v.id for v in map(annotation.get_volume_layer, ["Volume_2", "Volume"])] == [0, 1]
    with pytest.raises(ValueError, match="several volume layers"):
        annotation.get_volume_layer()
    boxes = wk.Annotation.load(ANNOTATIONS / "bounding-boxes-example.zip").user_bounding_boxes
    assert [b.size for b in boxes] == [(891, 579, 232), (891, 579, 232)]
    assert boxes[0].topleft == (2371, 4063, 1676)
