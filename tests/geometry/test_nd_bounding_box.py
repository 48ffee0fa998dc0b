"""NDBoundingBox: named n-d axes, x/y/z views, index order and the wkw dict."""

import numpy as np
import pytest
from daedalus.core.geometry import BoundingBox, Mag, NDBoundingBox, NormalizedBoundingBox, Vec3Int, VecInt

XYZT = ("x", "y", "z", "t")


def box4(topleft=(75, 75, 75, 0), size=(100, 100, 100, 20), **kw):
    return NDBoundingBox(topleft=topleft, size=size, axes=XYZT, **kw)


def test_spec_examples():
    bbox_1 = NDBoundingBox(topleft=(0, 0), size=(100, 100), axes=("x", "y"))
    assert bbox_1.ndim == 2 and bbox_1.bottomright == (100, 100)
    bbox_2 = box4()
    assert bbox_2.ndim == 4
    assert bbox_2.bottomright == (175, 175, 175, 20)
    assert bbox_2.topleft.axes == XYZT and isinstance(bbox_2.topleft, VecInt)


def test_index_inferred_dense_from_zero():
    assert box4().index == (0, 1, 2, 3)


def test_axes_are_sorted_by_index():
    # As the reference: the box stores its axes (and topleft, size, index) in index order.
    bbox = box4(index=(1, 2, 3, 0))
    assert bbox.axes == ("t", "x", "y", "z") and bbox.index == (0, 1, 2, 3)
    assert bbox.topleft == (0, 75, 75, 75) and bbox.size == (20, 100, 100, 100)
    assert box4(index=(0, 0, 1, 2)).index == (0, 0, 1, 2)  # equal positions are kept as given


def test_negative_sizes_extend_towards_lower_coordinates():
    bbox = box4((1, 2, 3, 4), (-4, 5, 6, 7))
    assert bbox.topleft == (-3, 2, 3, 4) and bbox.size == (4, 5, 6, 7) and bbox.bottomright == (1, 7, 9, 11)


def test_validation():
    with pytest.raises(ValueError):
        NDBoundingBox((0, 0, 0), (1, 1), axes=("x", "y", "z"))
    with pytest.raises(ValueError):
        NDBoundingBox((0, 0), (1, 1), axes=("x", "x"))


def test_axes_accept_iterables():
    assert NDBoundingBox((0, 0, 0, 0), (1, 1, 1, 1), axes=["x", "y", "z", "t"]).axes == XYZT


def test_xyz_views():
    bbox = NDBoundingBox((0, 1, 2, 3), (4, 5, 6, 7), axes=("t", "x", "y", "z"))
    assert bbox.topleft_xyz == Vec3Int(1, 2, 3)
    assert bbox.size_xyz == (5, 6, 7)
    assert bbox.bottomright_xyz == (6, 8, 10)
    assert bbox.index_xyz == (1, 2, 3)
    assert bbox.with_topleft_xyz((9, 9, 9)).topleft == (0, 9, 9, 9)
    assert bbox.with_size_xyz((1, 1, 1)).size == (4, 1, 1, 1)
    assert bbox.with_bottomright_xyz((10, 10, 10)).size == (4, 9, 8, 7)
    reindexed = bbox.with_index_xyz((3, 2, 1))
    assert reindexed.axes == ("t", "z", "y", "x") and reindexed.index == (0, 1, 2, 3)


def test_bounds():
    bbox = box4()
    assert bbox.get_bounds("t") == (0, 20)
    assert bbox.get_shape("x") == 100
    assert bbox.with_bounds("t", 5, 1).get_bounds("t") == (5, 6)
    with pytest.raises(KeyError):
        bbox.with_bounds("c", 0, 1)


def test_set_operations():
    a = box4((0, 0, 0, 0), (10, 10, 10, 10))
    b = box4((5, 5, 5, 5), (10, 10, 10, 10))
    assert a.intersected_with(b) == box4((5, 5, 5, 5), (5, 5, 5, 5))
    assert a.extended_by(b) == box4((0, 0, 0, 0), (15, 15, 15, 15))
    assert a.contains((9, 9, 9, 9)) and not a.contains((9, 9, 9, 10))
    assert a.contains_bbox(a.intersected_with(b))
    assert a.volume() == 10**4
    assert a.offset((1, 2, 3, 4)).topleft == (1, 2, 3, 4)
    assert a.offset((1, 2, 3)).topleft == (1, 2, 3, 0)
    padded = a.padded_with_margins((1, 1, 1))
    assert padded.topleft == (-1, -1, -1, 0) and padded.size == (12, 12, 12, 10)


def test_operations_need_the_same_axis_order():
    a = NDBoundingBox((0, 0, 0, 0), (10, 10, 10, 10), axes=("x", "y", "z", "t"))
    b = NDBoundingBox((5, 0, 0, 0), (10, 10, 10, 10), axes=("t", "x", "y", "z"))
    with pytest.raises(ValueError, match="same axes and axes order"):
        a.intersected_with(b)


def test_incompatible_axes():
    with pytest.raises(ValueError):
        box4().intersected_with(NDBoundingBox((0, 0), (1, 1), axes=("x", "y")))


def test_mag_operations_only_touch_xyz():
    bbox = box4((1, 1, 1, 3), (10, 10, 10, 5))
    aligned = bbox.align_with_mag(Mag(2), ceil=True)
    assert aligned.topleft == (0, 0, 0, 3) and aligned.size == (12, 12, 12, 5)
    in_mag = aligned.in_mag(Mag(2))
    assert in_mag.topleft == (0, 0, 0, 3) and in_mag.size == (6, 6, 6, 5)
    assert in_mag.from_mag_to_mag1(Mag(2)) == aligned


def test_chunk_extra_axes_by_one():
    bbox = box4((0, 0, 0, 0), (10, 10, 10, 3))
    chunks = list(bbox.chunk((5, 5, 5)))
    assert len(chunks) == 8 * 3
    assert all(c.get_shape("t") == 1 for c in chunks)
    assert sum(c.volume() for c in chunks) == bbox.volume()
    chunks = list(bbox.chunk((5, 5, 5, 3)))
    assert len(chunks) == 8


def test_slices_follow_index():
    bbox = NDBoundingBox((1, 2, 3, 4), (1, 2, 3, 1), axes=XYZT, index=(2, 3, 4, 1))
    assert bbox.to_slices() == (slice(4, 5), slice(1, 2), slice(2, 4), slice(3, 6))
    assert bbox.to_slices_xyz() == (slice(0, 1), slice(1, 2), slice(2, 4), slice(3, 6))
    data = np.zeros((1, 2, 3))
    assert bbox.xyz_array_to_bbox_shape(data).shape == (1, 1, 2, 3)
    channel_data = np.zeros((5, 1, 2, 3))
    assert bbox.xyz_array_to_bbox_shape(channel_data).shape == (1, 5, 1, 2, 3)  # as the reference
    with pytest.raises(AssertionError):
        box4().xyz_array_to_bbox_shape(np.zeros((100, 100, 100)))


def test_slice_array():
    bbox = NDBoundingBox((1, 0, 0, 2), (2, 3, 4, 1), axes=XYZT)
    data = np.arange(5 * 5 * 5 * 5).reshape(5, 5, 5, 5)
    assert np.array_equal(bbox.slice_array(data), data[1:3, 0:3, 0:4, 2:3])


def test_wkw_dict_round_trip_with_fixture_shape():
    wkw = {
        "topLeft": [0, 0, 0],
        "width": 64,
        "height": 48,
        "depth": 20,
        "additionalAxes": [{"name": "t", "bounds": [0, 3], "index": 0}],
    }
    with pytest.raises(AssertionError):
        NormalizedBoundingBox.from_wkw_dict(wkw)
    wkw["additionalAxes"][0]["index"] = 1
    bbox = NormalizedBoundingBox.from_wkw_dict({**wkw, "axisOrder": {"c": 0, "x": 2, "y": 3, "z": 4}})
    assert bbox.axes == ("c", "t", "x", "y", "z")
    assert bbox.topleft == (0, 0, 0, 0, 0) and bbox.size == (1, 3, 64, 48, 20)
    assert bbox.index == (0, 1, 2, 3, 4)
    assert bbox.to_wkw_dict() == {**wkw, "axisOrder": {"c": 0, "x": 2, "y": 3, "z": 4}, "numChannels": 1}


def test_wkw_dict_without_extra_axes_is_bounding_box():
    bbox = NormalizedBoundingBox.from_wkw_dict({"topLeft": [1, 2, 3], "width": 4, "height": 5, "depth": 6})
    assert bbox.axes == ("c", "x", "y", "z") and bbox.get_shape("c") == 1
    assert bbox == BoundingBox((1, 2, 3), (4, 5, 6))


def test_config_dict_and_checkpoint_name():
    bbox = box4((1, 2, 3, 4), (5, 6, 7, 8))
    assert bbox.to_config_dict() == {"topleft": [1, 2, 3, 4], "size": [5, 6, 7, 8], "axes": XYZT}
    assert bbox.to_checkpoint_name() == "1_2_3_4_5_6_7_8"


def test_with_metadata_and_equality():
    bbox = box4()
    assert bbox.with_name("x").name == "x"
    assert bbox.with_is_visible(False).is_visible is False
    assert bbox.with_color((1, 1, 1, 1)).color == (1, 1, 1, 1)
    reindexed = bbox.with_index((3, 2, 1, 0))
    assert reindexed.axes == ("t", "z", "y", "x") and reindexed.index == (0, 1, 2, 3)
    assert bbox == bbox.with_name("x")  # as the reference: metadata does not take part
    assert hash(bbox) == hash(box4())
    assert bbox.denormalize() is bbox


def test_group_boxes_with_aligned_mag():
    boxes = [box4((x, 0, 0, 0), (256, 256, 256, 1)) for x in range(0, 2048, 256)]
    groups = NDBoundingBox.group_boxes_with_aligned_mag(boxes, Mag(1024))
    assert len(groups) == 2 and all(len(v) == 4 for v in groups.values())
