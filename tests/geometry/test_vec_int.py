"""VecInt: n-d vectors with named axes."""

import pickle

import numpy as np
import pytest
from daedalus.core.geometry import Vec3Int, VecInt

XYZT = ("x", "y", "z", "t")


def test_constructor_forms_from_spec():
    a = VecInt(1, 2, 3, 4, axes=XYZT)
    b = VecInt([1, 2, 3, 4], axes=XYZT)
    c = VecInt(x=1, y=2, z=3, t=4)
    assert a == b == c == (1, 2, 3, 4)
    assert a.axes == b.axes == c.axes == XYZT


def test_full_and_addition_from_spec():
    vector_1 = VecInt(1, 2, 3, 4, axes=XYZT)
    vector_2 = VecInt.full(1, axes=XYZT)
    assert vector_2[0] == vector_2[1] == vector_2[2] == vector_2[3] == 1
    assert vector_1 + vector_2 == VecInt(2, 3, 4, 5)
    assert (vector_1 + vector_2).axes == XYZT


def test_zeros_ones():
    assert VecInt.zeros(XYZT) == (0, 0, 0, 0)
    assert VecInt.ones(XYZT) == (1, 1, 1, 1)
    assert VecInt.ones(XYZT).axes == XYZT


def test_axis_access():
    vec = VecInt(5, 1, 2, 3, axes=("c", "x", "y", "z"))
    assert (vec.c, vec.x, vec.y, vec.z) == (5, 1, 2, 3)
    assert vec.xyz == Vec3Int(1, 2, 3) and type(vec.xyz) is Vec3Int
    assert vec.get("c") == 5 and vec.get("t", 0) == 0
    with pytest.raises(KeyError):  # as the reference: an absent axis without a default
        vec.get("t")
    assert vec.with_c(9) == (9, 1, 2, 3)
    assert vec.with_x(9).x == 9
    assert vec.with_replaced("y", 0) == (5, 1, 0, 3)
    assert vec.with_replaced(0, 0) == (0, 1, 2, 3)


def test_with_xyz_skips_missing_axes():
    vec = VecInt(1, 2, axes=("x", "t"))
    assert vec.with_xyz(Vec3Int(7, 8, 9)) == (7, 2)


def test_moveaxis_like_numpy():
    vec = VecInt(10, 20, 30, 40, axes=XYZT)
    expected = np.moveaxis(np.zeros((10, 20, 30, 40)), 3, 0).shape
    assert vec.moveaxis(3, 0) == expected
    expected = np.moveaxis(np.zeros((10, 20, 30, 40)), [0, 1], [3, 2]).shape
    assert vec.moveaxis([0, 1], [3, 2]) == expected


def test_arithmetic_preserves_axes():
    vec = VecInt(2, 4, 6, 8, axes=XYZT)
    for result in (vec + 1, vec - 1, vec * 2, vec // 2, vec % 3, -vec, vec.pairmax(5), vec.ceildiv(3)):
        assert result.axes == XYZT
        assert type(result) is VecInt
    assert vec // 3 == (0, 1, 2, 2)
    assert vec.ceildiv(3) == (1, 2, 2, 3)
    assert vec.prod() == 384


def test_errors():
    with pytest.raises(ValueError):
        VecInt(1, 2, 3, axes=("x", "y"))
    with pytest.raises(ValueError):
        VecInt(1, 2, 3) + (1, 2)
    with pytest.raises(KeyError, match="does not have an z component"):
        _ = VecInt(1, 2, axes=("x", "y")).z


def test_from_str_and_pickle():
    vec = VecInt(1, 2, 3, 4, axes=XYZT)
    assert VecInt.from_str("1,2,3,4") == vec
    parsed = VecInt.from_str(repr(vec))
    assert parsed == vec and parsed.axes == XYZT
    restored = pickle.loads(pickle.dumps(vec))
    assert restored == vec and restored.axes == XYZT


def test_hash_like_tuple():
    assert hash(VecInt(1, 2, 3, 4, axes=XYZT)) == hash((1, 2, 3, 4))
