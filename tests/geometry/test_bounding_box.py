"""BoundingBox: the 3-d box, its set operations, mags, chunking and formats."""

import pickle

import numpy as np
import pytest
from daedalus.core.geometry import BoundingBox, Mag, NDBoundingBox, Vec3Int


def test_spec_example():
    bbox_1 = BoundingBox((0, 0, 0), (100, 100, 100))
    bbox_2 = BoundingBox((75, 75, 75), (100, 100, 100))
    assert bbox_1.intersected_with(bbox_2).size == (25, 25, 25)


def test_fields_and_defaults():
    bbox = BoundingBox((1, 2, 3), (4, 5, 6))
    assert type(bbox.topleft) is Vec3Int and type(bbox.size) is Vec3Int
    assert bbox.bottomright == (5, 7, 9) and type(bbox.bottomright) is Vec3Int
    assert bbox.axes == ("x", "y", "z")
    assert bbox.index == (1, 2, 3)
    assert bbox.name == "Unnamed Bounding Box"
    assert bbox.is_visible is True
    assert bbox.color is None
    assert bbox.ndim == 3
    assert isinstance(bbox, NDBoundingBox)
    assert bbox.topleft_xyz == (1, 2, 3) and bbox.size_xyz == (4, 5, 6)
    assert bbox.bottomright_xyz == (5, 7, 9) and bbox.index_xyz == (1, 2, 3)
    assert BoundingBox(topleft=np.array([1, 2, 3]), size=[4, 5, 6]) == bbox


def test_frozen_and_hashable():
    bbox = BoundingBox((0, 0, 0), (1, 1, 1))
    with pytest.raises(AttributeError):
        bbox.topleft = Vec3Int(1, 1, 1)
    assert hash(bbox) == hash(BoundingBox((0, 0, 0), (1, 1, 1)))
    assert pickle.loads(pickle.dumps(bbox)) == bbox


def test_equality_compares_corners_only():
    # As the reference: name, visibility, color and index do not take part in == and hash.
    bbox = BoundingBox((0, 0, 0), (1, 1, 1))
    assert bbox == BoundingBox((0, 0, 0), (1, 1, 1))
    for other in (bbox.with_name("other"), bbox.with_is_visible(False), bbox.with_color((1, 0, 0, 1))):
        assert bbox == other and hash(bbox) == hash(other)
    assert bbox != bbox.with_topleft((0, 0, 1)) and bbox != bbox.with_size((1, 1, 2))
    assert bbox == NDBoundingBox((0, 0, 0), (1, 1, 1), axes="xyz")
    with pytest.raises(ValueError, match="same axes"):
        _ = bbox == NDBoundingBox((0, 0, 0), (1, 1, 1), axes="zyx")


def test_invalid():
    with pytest.raises(ValueError, match="three integers"):
        BoundingBox((0, 0), (1, 1, 1))
    with pytest.raises(AssertionError):  # the reference asserts; daedalus' error is both
        BoundingBox((0, 0, 0), (1, 1, 1, 1))


def test_negative_sizes_extend_towards_lower_coordinates():
    bbox = BoundingBox((10, 10, 10), (-4, 0, -4))
    assert bbox.topleft == (6, 10, 6) and bbox.size == (4, 0, 4) and bbox.bottomright == (10, 10, 10)
    assert BoundingBox((0, 0, 0), (1, -1, 1)) == BoundingBox((0, -1, 0), (1, 1, 1))
    assert BoundingBox((1, 2, 3), (-4, 5, 6)).volume() == 120


def test_with_methods():
    bbox = BoundingBox((1, 2, 3), (4, 5, 6))
    assert bbox.with_topleft((0, 0, 0)) == BoundingBox((0, 0, 0), (4, 5, 6))
    assert bbox.with_size((1, 1, 1)) == BoundingBox((1, 2, 3), (1, 1, 1))
    assert bbox.with_bottomright((10, 10, 10)).size == (9, 8, 7)
    assert bbox.with_topleft_xyz((0, 0, 0)).topleft == (0, 0, 0)
    assert bbox.with_size_xyz((2, 2, 2)).size == (2, 2, 2)
    assert bbox.with_bottomright_xyz((10, 10, 10)).bottomright == (10, 10, 10)
    assert bbox.with_name("a").name == "a"
    assert bbox.with_is_visible(False).is_visible is False
    assert bbox.with_color((0.1, 0.2, 0.3, 1.0)).color == (0.1, 0.2, 0.3, 1.0)
    assert bbox.with_index((3, 2, 1)).index == (3, 2, 1)
    assert bbox.with_index_xyz((3, 1, 2)).index == (3, 1, 2)
    assert bbox.with_bounds_x(new_topleft_x=0) == BoundingBox((0, 2, 3), (4, 5, 6))
    assert bbox.with_bounds_y(new_size_y=1) == BoundingBox((1, 2, 3), (4, 1, 6))
    assert bbox.with_bounds_z(7, 8) == BoundingBox((1, 2, 7), (4, 5, 8))
    assert bbox.with_bounds("y", 0, 1) == BoundingBox((1, 0, 3), (4, 1, 6))
    with pytest.raises(KeyError):
        bbox.with_bounds("t", 0)
    named = bbox.with_name("keep")
    assert named.with_topleft((0, 0, 0)).name == "keep"


def test_bounds_and_shape():
    bbox = BoundingBox((1, 2, 3), (4, 5, 6))
    assert bbox.get_bounds("y") == (2, 7)
    assert bbox.get_shape("z") == 6
    with pytest.raises(KeyError):
        bbox.get_bounds("c")


def test_intersection():
    a = BoundingBox((0, 0, 0), (10, 10, 10))
    b = BoundingBox((5, 5, 5), (10, 10, 10))
    assert a.intersected_with(b) == BoundingBox((5, 5, 5), (5, 5, 5))
    far = BoundingBox((20, 20, 20), (1, 1, 1))
    with pytest.raises(AssertionError):
        a.intersected_with(far)
    assert a.intersected_with(far, dont_assert=True).is_empty()


def test_extension():
    a = BoundingBox((0, 0, 0), (10, 10, 10))
    b = BoundingBox((5, 5, 5), (10, 20, 10))
    assert a.extended_by(b) == BoundingBox((0, 0, 0), (15, 25, 15))
    assert a.extended_by(BoundingBox.empty()) == a
    assert BoundingBox.empty().extended_by(b).topleft == b.topleft


def test_contains():
    bbox = BoundingBox((0, 0, 0), (10, 10, 10))
    assert bbox.contains((0, 0, 0)) and bbox.contains(Vec3Int(9, 9, 9))
    assert not bbox.contains((10, 0, 0)) and not bbox.contains((-1, 5, 5))
    assert bbox.contains(np.array([9.5, 0.0, 3.2]))
    assert not bbox.contains(np.array([10.0, 0.0, 3.2]))
    assert bbox.contains_bbox(BoundingBox((2, 2, 2), (8, 8, 8)))
    assert not bbox.contains_bbox(BoundingBox((2, 2, 2), (9, 8, 8)))


def test_empty_volume_offset_padding():
    assert BoundingBox.empty().is_empty()
    assert BoundingBox((0, 0, 0), (1, 0, 1)).is_empty()
    assert not BoundingBox((0, 0, 0), (1, 1, 1)).is_empty()
    assert BoundingBox((0, 0, 0), (2, 3, 4)).volume() == 24
    assert BoundingBox((0, 0, 0), (2, 3, 4)).offset((1, 1, 1)) == BoundingBox((1, 1, 1), (2, 3, 4))
    padded = BoundingBox((10, 10, 10), (5, 5, 5)).padded_with_margins((1, 2, 3))
    assert padded == BoundingBox((9, 8, 7), (7, 9, 11))
    padded = BoundingBox((10, 10, 10), (5, 5, 5)).padded_with_margins((1, 1, 1), (0, 0, 2))
    assert padded == BoundingBox((9, 9, 9), (6, 6, 8))


def test_align_with_mag():
    bbox = BoundingBox((1, 1, 1), (10, 10, 10))
    assert bbox.align_with_mag(Mag(2)) == BoundingBox((2, 2, 2), (8, 8, 8))
    assert bbox.align_with_mag(Mag(2), ceil=True) == BoundingBox((0, 0, 0), (12, 12, 12))
    assert bbox.align_with_mag(Mag("4-4-1"), ceil=True) == BoundingBox((0, 0, 1), (12, 12, 10))
    assert bbox.align_with_mag(Vec3Int(2, 2, 2)) == bbox.align_with_mag(Mag(2))
    # The reference's shrinking of a box smaller than the mag ends up with a negative size, which normalizes.
    assert BoundingBox((1, 1, 1), (2, 2, 2)).align_with_mag(Mag(8)) == BoundingBox((0, 0, 0), (8, 8, 8))


def test_in_mag_and_back():
    bbox = BoundingBox((8, 8, 4), (16, 16, 8))
    in_mag = bbox.in_mag(Mag("4-4-2"))
    assert in_mag == BoundingBox((2, 2, 2), (4, 4, 4))
    assert in_mag.from_mag_to_mag1(Mag("4-4-2")) == bbox
    with pytest.raises(AssertionError):
        BoundingBox((1, 0, 0), (4, 4, 4)).in_mag(Mag(2))


def test_chunk():
    chunks = list(BoundingBox((0, 0, 0), (10, 10, 10)).chunk((5, 5, 5)))
    assert len(chunks) == 8
    assert all(c.size == (5, 5, 5) for c in chunks)
    chunks = list(BoundingBox((0, 0, 0), (10, 7, 3)).chunk((4, 4, 4)))
    assert sorted(c.to_tuple6() for c in chunks) == sorted(
        [
            (0, 0, 0, 4, 4, 3),
            (4, 0, 0, 4, 4, 3),
            (8, 0, 0, 2, 4, 3),
            (0, 4, 0, 4, 3, 3),
            (4, 4, 0, 4, 3, 3),
            (8, 4, 0, 2, 3, 3),
        ]
    )
    assert list(BoundingBox.empty().chunk((4, 4, 4))) == []


def test_chunk_border_alignment():
    bbox = BoundingBox((3, 0, 0), (20, 4, 4))
    chunks = list(bbox.chunk((8, 8, 8), (4, 4, 4)))
    assert [c.topleft.x for c in chunks] == [3, 8, 16]
    assert [c.bottomright.x for c in chunks] == [8, 16, 23]
    with pytest.raises(AssertionError):
        list(bbox.chunk((6, 6, 6), (4, 4, 4)))


def test_group_boxes_with_aligned_mag():
    boxes = [BoundingBox((x, 0, 0), (256, 256, 256)) for x in range(0, 2048, 256)]
    groups = BoundingBox.group_boxes_with_aligned_mag(boxes, Mag(1024))
    big = (1024, 1024, 1024)
    assert set(groups) == {BoundingBox((0, 0, 0), big), BoundingBox((1024, 0, 0), big)}
    assert all(len(v) == 4 for v in groups.values())


def test_slices_and_arrays():
    bbox = BoundingBox((1, 2, 3), (2, 3, 4))
    assert bbox.to_slices() == (slice(1, 3), slice(2, 5), slice(3, 7))
    assert bbox.to_slices_xyz() == bbox.to_slices()
    data = np.arange(10 * 10 * 10).reshape(10, 10, 10)
    assert np.array_equal(bbox.slice_array(data), data[1:3, 2:5, 3:7])
    with_channel = np.zeros((2, 10, 10, 10))
    assert bbox.slice_array(with_channel).shape == (1, 3, 4, 10)  # as the reference: the box' slices, leading
    xyz = np.zeros((2, 3, 4))
    assert bbox.xyz_array_to_bbox_shape(xyz).shape == (2, 3, 4)


def test_text_and_tuple_formats():
    bbox = BoundingBox((1, 2, 3), (4, 5, 6))
    assert bbox.to_tuple6() == (1, 2, 3, 4, 5, 6)
    assert BoundingBox.from_tuple6((1, 2, 3, 4, 5, 6)) == bbox
    assert BoundingBox.from_tuple2(((1, 2, 3), (4, 5, 6))) == bbox
    assert bbox.to_csv() == "1,2,3,4,5,6"
    assert BoundingBox.from_csv("1,2,3,4,5,6") == bbox
    assert bbox.to_checkpoint_name() == "1_2_3_4_5_6"
    assert BoundingBox.from_checkpoint_name("ckpt_1_2_3_4_5_6.pkl") == bbox
    assert bbox.to_config_dict() == {"topleft": [1, 2, 3], "size": [4, 5, 6]}
    assert BoundingBox.from_config_dict({"topleft": [1, 2, 3], "size": [4, 5, 6]}) == bbox
    assert bbox.to_wkw_dict() == {"topLeft": [1, 2, 3], "width": 4, "height": 5, "depth": 6}
    assert BoundingBox.from_wkw_dict(bbox.to_wkw_dict()) == bbox
    with pytest.raises(ValueError):
        BoundingBox.from_csv("1,2,x")
    with pytest.raises(AssertionError):
        BoundingBox.from_checkpoint_name("nothing here")


@pytest.mark.parametrize(
    "obj",
    [
        BoundingBox((1, 2, 3), (4, 5, 6)),
        "1,2,3,4,5,6",
        '{"topleft": [1, 2, 3], "size": [4, 5, 6]}',
        {"topleft": [1, 2, 3], "size": [4, 5, 6]},
        {"topLeft": [1, 2, 3], "width": 4, "height": 5, "depth": 6},
        [1, 2, 3, 4, 5, 6],
        ((1, 2, 3), (4, 5, 6)),
    ],
)
def test_from_auto(obj):
    assert BoundingBox.from_auto(obj) == BoundingBox((1, 2, 3), (4, 5, 6))


def test_from_auto_refuses_other_formats():
    with pytest.raises(ValueError):
        BoundingBox.from_auto("1_2_3_4_5_6")  # a string is csv (or JSON) only
    with pytest.raises(Exception, match="Unknown bounding box format"):
        BoundingBox.from_auto((1, 2, 3))


def test_from_points_and_ndbbox():
    bbox = BoundingBox.from_points([(1, 5, 3), (4, 2, 3), Vec3Int(2, 2, 9)])
    assert bbox == BoundingBox((1, 2, 3), (4, 4, 7))
    assert all(bbox.contains(p) for p in [(1, 5, 3), (4, 2, 3), (2, 2, 9)])
    nd = NDBoundingBox((1, 2, 3, 0), (4, 5, 6, 10), axes=("x", "y", "z", "t"), name="n")
    converted = BoundingBox.from_ndbbox(nd)
    assert converted == BoundingBox((1, 2, 3), (4, 5, 6), name="n")


def test_empty_and_denormalize():
    assert BoundingBox.empty() == BoundingBox((0, 0, 0), (0, 0, 0))
    bbox = BoundingBox((1, 2, 3), (4, 5, 6))
    assert bbox.denormalize() is bbox


def test_repr():
    assert repr(BoundingBox((1, 2, 3), (4, 5, 6))) == "BoundingBox(topleft=(1, 2, 3), size=(4, 5, 6))"
