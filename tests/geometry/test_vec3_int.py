"""Vec3Int: construction, conversion, arithmetic and helpers."""

import copy
import operator
import pickle

import numpy as np
import pytest
from daedalus.core.geometry import Vec3Int, VecInt


@pytest.mark.parametrize(
    "args",
    [
        (1, 2, 3),
        ((1, 2, 3),),
        ([1, 2, 3],),
        (np.array([1, 2, 3]),),
        (np.array([1.0, 2.0, 3.0]),),
        (Vec3Int(1, 2, 3),),
        (VecInt(1, 2, 3, axes=("x", "y", "z")),),
        ("1,2,3",),
        ("(1, 2, 3)",),
        (np.int64(1), np.int32(2), 3),
    ],
)
def test_constructor_forms(args):
    vec = Vec3Int(*args)
    assert vec == (1, 2, 3)
    assert type(vec) is Vec3Int
    assert all(type(v) is int for v in vec)


def test_keyword_constructor_and_axis_order():
    assert Vec3Int(x=1, y=2, z=3) == (1, 2, 3) and Vec3Int(z=3, x=1, y=2) == (1, 2, 3)
    # As the reference: three values are reordered by their axes, a vector's values are taken as they are.
    assert Vec3Int(3, 1, 2, axes=("z", "x", "y")) == (1, 2, 3)
    assert Vec3Int(VecInt(3, 1, 2, axes=("z", "x", "y"))) == (3, 1, 2)


def test_same_object_is_returned_for_vec3int():
    vec = Vec3Int(1, 2, 3)
    assert Vec3Int(vec) is vec


@pytest.mark.parametrize("bad", [(1, 2), (1, 2, 3, 4), ("a", 2, 3), ([1, 2],), (5,)])
def test_bad_input_raises_naming_value(bad):
    with pytest.raises(ValueError) as info:
        Vec3Int(*bad)
    shown = bad[0] if len(bad) == 1 else bad
    assert repr(shown) in str(info.value) or repr(bad[0]) in str(info.value)


def test_floats_are_truncated_like_int():
    # As the reference: components go through int().
    assert Vec3Int(1.5, 2, -3.7) == (1, 2, -3) and all(type(v) is int for v in Vec3Int(1.5, 2, -3.7))
    assert Vec3Int(np.array([1.9, 2.0, 3.2])) == (1, 2, 3)
    assert Vec3Int(1, 2, 3).with_x(4.5) == (4, 2, 3)


def test_tuple_semantics_equality_hash():
    vec = Vec3Int(1, 2, 3)
    assert vec == (1, 2, 3)
    assert hash(vec) == hash((1, 2, 3))
    assert {vec: 1}[(1, 2, 3)] == 1
    assert isinstance(vec, tuple)
    assert len(vec) == 3 and vec[1] == 2
    assert list(vec) == [1, 2, 3]


def test_immutable():
    vec = Vec3Int(1, 2, 3)
    with pytest.raises(AttributeError):
        vec.foo = 1
    with pytest.raises(TypeError):
        vec[0] = 5


def test_components():
    vec = Vec3Int(4, 5, 6)
    assert (vec.x, vec.y, vec.z) == (4, 5, 6)
    assert vec.xyz is vec
    assert vec.axes == ("x", "y", "z")
    assert vec.get("y") == 5 and vec.get("t", 7) == 7
    with pytest.raises(ValueError):
        _ = vec.c


def test_arithmetic_with_ints_tuples_vectors():
    a, b = Vec3Int(1, 2, 3), Vec3Int(4, 6, 8)
    assert a + b == (5, 8, 11) and type(a + b) is Vec3Int
    assert a + 1 == (2, 3, 4)
    assert a + (1, 1, 1) == (2, 3, 4)
    assert a + [1, 1, 1] == (2, 3, 4)
    assert a + np.array([1, 1, 1]) == (2, 3, 4)
    assert b - a == (3, 4, 5)
    assert a * 2 == (2, 4, 6)
    assert a * b == (4, 12, 24)
    assert b // 3 == (1, 2, 2)
    assert b // a == (4, 3, 2)
    assert b % 3 == (1, 0, 2)
    # As the reference: no reflected operators (a tuple on the left neither concatenates nor repeats).
    for left in (1, 10, (1, 1, 1)):
        for op in (operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod):
            with pytest.raises(TypeError):
                op(left, a)
    assert -a == (-1, -2, -3)
    assert Vec3Int(-7, 7, 0) // 2 == (-4, 3, 0)


def test_arithmetic_errors():
    with pytest.raises(ValueError, match="not equally shaped"):
        Vec3Int(1, 2, 3) + (1, 2)
    with pytest.raises(AssertionError):  # as the reference: only Python ints are broadcast
        Vec3Int(1, 2, 3) * 1.5
    assert Vec3Int(1, 2, 3) + (0.5, 1, 1) == (1, 3, 4)  # sequence elements go through int()


def test_helpers():
    vec = Vec3Int(2, 3, 4)
    assert vec.prod() == 24
    assert vec.contains(3) and not vec.contains(5)
    assert vec.is_positive() and Vec3Int(0, 1, 1).is_positive()
    assert not Vec3Int(0, 1, 1).is_positive(strictly_positive=True)
    assert not Vec3Int(-1, 1, 1).is_positive()
    assert Vec3Int(2, 2, 2).is_uniform() and not vec.is_uniform()
    assert vec.pairmax(3) == (3, 3, 4)
    assert vec.pairmin((1, 5, 4)) == (1, 3, 4)
    assert vec.ceildiv(3) == (1, 1, 2)
    assert Vec3Int(-5, 5, 6).ceildiv(2) == (-2, 3, 3)
    assert vec.add_or_none(None) is None
    assert vec.add_or_none(Vec3Int(1, 1, 1)) == (3, 4, 5)
    assert vec.with_x(9) == (9, 3, 4) and vec.with_y(9) == (2, 9, 4) and vec.with_z(9) == (2, 3, 9)
    assert vec.with_replaced(1, 0) == (2, 0, 4) and vec.with_replaced("z", 0) == (2, 3, 0)
    assert vec.with_xyz(Vec3Int(7, 8, 9)) == (7, 8, 9)
    with pytest.raises(AttributeError):  # as the reference: it reads .x, .y and .z
        vec.with_xyz((7, 8, 9))
    assert vec.moveaxis(2, 0) == (4, 2, 3)
    assert vec.moveaxis([0, 1], [1, 2]) == (4, 2, 3)


def test_conversions():
    vec = Vec3Int(1, 2, 3)
    assert vec.to_list() == [1, 2, 3]
    assert vec.to_tuple() == (1, 2, 3) and type(vec.to_tuple()) is tuple
    arr = vec.to_np()
    assert isinstance(arr, np.ndarray) and arr.tolist() == [1, 2, 3]
    assert np.issubdtype(arr.dtype, np.integer)


def test_factories():
    assert Vec3Int.zeros() == (0, 0, 0)
    assert Vec3Int.ones() == (1, 1, 1)
    assert Vec3Int.full(7) == (7, 7, 7)
    assert Vec3Int.from_xyz(1, 2, 3) == (1, 2, 3) and type(Vec3Int.from_xyz(1, 2, 3)) is Vec3Int
    assert Vec3Int.from_vec3_float((1.9, 2.0, 3.2)) == (1, 2, 3)
    assert Vec3Int.from_vec_or_int(5) == (5, 5, 5)
    assert Vec3Int.from_vec_or_int((1, 2, 3)) == (1, 2, 3)
    assert Vec3Int.from_str("1,2,3") == (1, 2, 3)
    assert Vec3Int.from_str(repr(Vec3Int(4, 5, 6))) == (4, 5, 6)


def test_repr_and_pickle():
    vec = Vec3Int(1, 2, 3)
    assert repr(vec) == "Vec3Int(1,2,3)"
    assert pickle.loads(pickle.dumps(vec)) == vec
    assert type(pickle.loads(pickle.dumps(vec))) is Vec3Int
    assert copy.deepcopy(vec) == vec
