"""Reprs of datasets, layers, mags and views, as the reference prints them (paths as UPath reprs)."""

import daedalus as wk


def test_reprs_name_the_path_the_layer_and_the_box(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint16", bounding_box=wk.BoundingBox((5, 6, 7), (20, 20, 20)))
    segmentation = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=3)
    mag = layer.add_mag("2-2-1")
    view = mag.get_view(absolute_offset=(6, 6, 7), size=(4, 4, 4), read_only=True)
    assert repr(ds) == f"Dataset(PosixUPath('{tmp_path}/ds'))"
    assert repr(layer) == "Layer('color', dtype=uint16, num_channels=1)"
    assert repr(segmentation) == "Layer('seg', dtype=uint32, num_channels=1)"
    assert repr(mag) == "MagView(name='2-2-1', bounding_box=BoundingBox(topleft=(4, 6, 7), size=(22, 20, 20)))"
    box = "BoundingBox(topleft=(6, 6, 7), size=(4, 4, 4))"
    assert repr(view) == f"View(PosixUPath('{tmp_path}/ds/color/2-2-1'), bounding_box={box})"
