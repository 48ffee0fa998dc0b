"""NormalizedBoundingBox: boxes carrying the channel axis, and mixing them with plain boxes."""

import pytest
from daedalus.core.geometry import BoundingBox, NDBoundingBox, NormalizedBoundingBox


def test_normalize_and_denormalize_bounding_box():
    bbox = BoundingBox((1, 2, 3), (4, 5, 6), name="b")
    normalized = bbox.normalize_axes(3)
    assert isinstance(normalized, NormalizedBoundingBox)
    assert normalized.axes == ("c", "x", "y", "z")
    assert normalized.topleft == (0, 1, 2, 3) and normalized.size == (3, 4, 5, 6)
    assert normalized.index == (0, 1, 2, 3)
    assert normalized.topleft_xyz == (1, 2, 3)
    back = normalized.denormalize()
    assert type(back) is BoundingBox and back == bbox


def test_normalize_nd_without_channel_axis_keeps_its_axes():
    # As the reference: an n-d box without 'c' stands for one channel and keeps its axes.
    nd = NDBoundingBox((1, 2, 3, 4), (5, 6, 7, 8), axes=("x", "y", "z", "t"))
    normalized = nd.normalize_axes(1)
    assert type(normalized) is NormalizedBoundingBox
    assert normalized.axes == ("x", "y", "z", "t") and normalized.size.to_tuple() == (5, 6, 7, 8)
    assert normalized.denormalize().axes == normalized.axes


def test_normalize_nd_without_channel_axis_refuses_more_channels():
    nd = NDBoundingBox((1, 2, 3, 4), (5, 6, 7, 8), axes=("x", "y", "z", "t"))
    with pytest.raises(AssertionError, match="2 channels"):
        nd.normalize_axes(2)


def test_normalize_nd_with_channel_axis_sets_its_size():
    nd = NDBoundingBox((0, 1, 2, 3, 4), (1, 5, 6, 7, 8), axes=("c", "x", "y", "z", "t"))
    assert nd.normalize_axes(3).size.to_tuple() == (3, 5, 6, 7, 8)


def test_channel_axis_is_not_required():
    # As the reference: the class does not check for a channel axis; a wkw dict needs one.
    bbox = NormalizedBoundingBox((0, 0, 0), (1, 1, 1), axes=("x", "y", "z"))
    with pytest.raises(IndexError):
        bbox.to_wkw_dict()


def test_not_hashable_but_equal_to_its_bounding_box():
    normalized = BoundingBox((1, 2, 3), (4, 5, 6)).normalize_axes(3)
    with pytest.raises(TypeError):
        hash(normalized)
    assert normalized == BoundingBox((1, 2, 3), (4, 5, 6)) and BoundingBox((1, 2, 3), (4, 5, 6)) == normalized
    assert normalized != BoundingBox((1, 2, 3), (4, 5, 6)).normalize_axes(2)


def test_mixed_intersection_keeps_channels():
    normalized = BoundingBox((0, 0, 0), (10, 10, 10)).normalize_axes(3)
    plain = BoundingBox((5, 5, 5), (10, 10, 10))
    for result in (normalized.intersected_with(plain), plain.intersected_with(normalized)):
        assert isinstance(result, NormalizedBoundingBox)
        assert result.get_bounds("c") == (0, 3)
        assert result.topleft_xyz == (5, 5, 5) and result.size_xyz == (5, 5, 5)


def test_mixed_extension_keeps_channels():
    normalized = BoundingBox((0, 0, 0), (10, 10, 10)).normalize_axes(2)
    plain = BoundingBox((5, 5, 5), (10, 10, 10))
    for result in (normalized.extended_by(plain), plain.extended_by(normalized)):
        assert isinstance(result, NormalizedBoundingBox)
        assert result.get_shape("c") == 2
        assert result.size_xyz == (15, 15, 15)


def test_mixed_containment_ignores_channels():
    normalized = BoundingBox((0, 0, 0), (10, 10, 10)).normalize_axes(2)
    assert normalized.contains_bbox(BoundingBox((1, 1, 1), (2, 2, 2)))
    inner = BoundingBox((1, 1, 1), (2, 2, 2)).normalize_axes(5)
    assert BoundingBox((0, 0, 0), (10, 10, 10)).contains_bbox(inner)
    assert not normalized.contains_bbox(BoundingBox((1, 1, 1), (20, 2, 2)))


def test_chunk_and_wkw_dict():
    normalized = BoundingBox((0, 0, 0), (8, 8, 8)).normalize_axes(3)
    chunks = list(normalized.chunk((3, 4, 4, 4)))
    assert len(chunks) == 8 and all(c.get_shape("c") == 3 for c in chunks)
    assert normalized.to_wkw_dict() == {
        "topLeft": [0, 0, 0],
        "width": 8,
        "height": 8,
        "depth": 8,
        "numChannels": 3,
        "axisOrder": {"c": 0, "x": 1, "y": 2, "z": 3},
    }
