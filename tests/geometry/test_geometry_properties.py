"""Property-based tests (hypothesis): intersection, extension, chunking, alignment and mags."""

import numpy as np
from daedalus.core.geometry import BoundingBox, Mag, Vec3Int
from hypothesis import given, settings
from hypothesis import strategies as st

coords = st.integers(min_value=-200, max_value=200)
sizes = st.integers(min_value=1, max_value=60)
vec3 = st.builds(Vec3Int, coords, coords, coords)
positive_vec3 = st.builds(Vec3Int, sizes, sizes, sizes)
boxes = st.builds(BoundingBox, vec3, positive_vec3)
small_boxes = st.builds(BoundingBox, vec3, st.builds(Vec3Int, *[st.integers(min_value=1, max_value=25)] * 3))
chunk_shapes = st.builds(Vec3Int, *[st.integers(min_value=3, max_value=30)] * 3)
power_of_two = st.sampled_from([1, 2, 4, 8, 16])
mags = st.builds(Mag, power_of_two, power_of_two, power_of_two)


@given(boxes, boxes)
def test_intersection_is_commutative_and_contained(a, b):
    ab = a.intersected_with(b, dont_assert=True)
    ba = b.intersected_with(a, dont_assert=True)
    assert ab.is_empty() == ba.is_empty()
    if not ab.is_empty():
        assert ab == ba
        assert a.contains_bbox(ab) and b.contains_bbox(ab)
        assert ab.volume() <= min(a.volume(), b.volume())


@given(boxes, vec3)
def test_intersection_membership(a, point):
    b = BoundingBox(point - 10, (20, 20, 20))
    both = a.intersected_with(b, dont_assert=True)
    assert both.contains(point) == (a.contains(point) and b.contains(point))


@given(boxes, boxes)
def test_extension_contains_both(a, b):
    ab = a.extended_by(b)
    assert ab == b.extended_by(a)
    assert ab.contains_bbox(a) and ab.contains_bbox(b)
    assert ab.topleft == a.topleft.pairmin(b.topleft)
    assert ab.bottomright == a.bottomright.pairmax(b.bottomright)


def coverage_counts(bbox, chunks):
    """How often each voxel of ``bbox`` is covered by ``chunks`` (painted with numpy slices)."""
    counts = np.zeros(bbox.size.to_tuple(), dtype=np.int32)
    for chunk in chunks:
        counts[chunk.offset(-bbox.topleft).to_slices()] += 1
    return counts


@settings(max_examples=60, deadline=None)
@given(small_boxes, chunk_shapes)
def test_chunks_tile_the_box(bbox, shape):
    chunks = list(bbox.chunk(shape))
    assert sum(c.volume() for c in chunks) == bbox.volume()
    assert all(bbox.contains_bbox(c) and not c.is_empty() for c in chunks)
    assert all(all(s <= m for s, m in zip(c.size, shape)) for c in chunks)
    assert (coverage_counts(bbox, chunks) == 1).all()


@settings(max_examples=60, deadline=None)
@given(small_boxes, st.sampled_from([2, 4, 8]), st.integers(min_value=1, max_value=4))
def test_aligned_chunk_borders(bbox, alignment, factor):
    shape = Vec3Int.full(alignment * factor)
    chunks = list(bbox.chunk(shape, Vec3Int.full(alignment)))
    assert sum(c.volume() for c in chunks) == bbox.volume()
    for chunk in chunks:
        corners = zip(chunk.topleft, chunk.bottomright, bbox.topleft, bbox.bottomright)
        for low, high, box_low, box_high in corners:
            assert low == box_low or low % alignment == 0
            assert high == box_high or high % alignment == 0


@given(boxes, mags)
def test_align_ceil_contains_original(bbox, mag):
    aligned = bbox.align_with_mag(mag, ceil=True)
    assert aligned.contains_bbox(bbox)
    assert not any(aligned.topleft % mag.to_vec3_int()) and not any(aligned.bottomright % mag.to_vec3_int())


@given(boxes, mags)
def test_align_floor_is_contained(bbox, mag):
    aligned = bbox.align_with_mag(mag)
    assert not any(aligned.topleft % mag.to_vec3_int())
    assert not any(aligned.bottomright % mag.to_vec3_int())
    factors = mag.to_vec3_int()
    # As the reference: when the rounded corners cross (a box smaller than the mag) the size turns negative and
    # normalizes; otherwise the shrunk box lies inside the original.
    if all(-(-t // f) * f <= b // f * f for t, b, f in zip(bbox.topleft, bbox.bottomright, factors)):
        assert bbox.contains_bbox(aligned)


@given(boxes, mags)
def test_mag_round_trip(bbox, mag):
    aligned = bbox.align_with_mag(mag, ceil=True)
    assert aligned.in_mag(mag).from_mag_to_mag1(mag) == aligned
    assert aligned.in_mag(mag).volume() * mag.to_vec3_int().prod() == aligned.volume()


@given(boxes, mags)
def test_mag1_to_mag_round_trip(bbox, mag):
    assert bbox.from_mag_to_mag1(mag).in_mag(mag) == bbox


@given(vec3, vec3)
def test_vector_arithmetic_matches_numpy(a, b):
    assert (a + b).to_list() == (a.to_np() + b.to_np()).tolist()
    assert (a - b).to_list() == (a.to_np() - b.to_np()).tolist()
    assert (a * b).to_list() == (a.to_np() * b.to_np()).tolist()
    nonzero = b.pairmax(1)
    assert (a // nonzero).to_list() == (a.to_np() // nonzero.to_np()).tolist()
    assert (a % nonzero).to_list() == (a.to_np() % nonzero.to_np()).tolist()


@given(st.lists(vec3, min_size=1, max_size=20))
def test_from_points_encloses_all(points):
    bbox = BoundingBox.from_points(points)
    assert all(bbox.contains(p) for p in points)
    assert bbox.with_size(bbox.size - (1, 0, 0)).is_empty() or not all(
        bbox.with_size(bbox.size - (1, 0, 0)).contains(p) for p in points
    )


@given(boxes)
def test_serialization_round_trips(bbox):
    assert BoundingBox.from_csv(bbox.to_csv()) == bbox
    assert BoundingBox.from_tuple6(bbox.to_tuple6()) == bbox
    if min(bbox.topleft) >= 0:  # checkpoint names hold digits only, as in the reference
        assert BoundingBox.from_checkpoint_name(bbox.to_checkpoint_name()) == bbox
    assert BoundingBox.from_config_dict(bbox.to_config_dict()) == bbox
    assert BoundingBox.from_wkw_dict(bbox.to_wkw_dict()) == bbox
    assert bbox.normalize_axes(2).denormalize() == bbox
