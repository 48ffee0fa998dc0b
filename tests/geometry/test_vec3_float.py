"""Vec3Float: float x/y/z vectors."""

import pickle

import numpy as np
import pytest
from daedalus.core.geometry import Vec3Float, Vec3Int


def test_construction_and_arithmetic():
    vec = Vec3Float(1, 2.5, 3)
    assert vec == (1.0, 2.5, 3.0) and all(type(v) is float for v in vec)
    assert Vec3Float((1, 2, 3)) == Vec3Float(np.array([1, 2, 3])) == Vec3Float.from_str("1,2,3") == (1.0, 2.0, 3.0)
    assert vec * 2 == (2.0, 5.0, 6.0)
    assert vec / 2 == (0.5, 1.25, 1.5)
    assert vec + (1, 1, 1) == (2.0, 3.5, 4.0)
    assert (vec.x, vec.y, vec.z) == (1.0, 2.5, 3.0)
    assert vec.to_np().dtype == np.float64
    assert vec.prod() == 7.5
    assert Vec3Float.from_vec_or_float(2) == (2.0, 2.0, 2.0)
    with pytest.raises(ValueError):
        Vec3Float(1, 2)
    with pytest.raises(ValueError):
        Vec3Float("1,2,3")  # as the reference: a string is read as its characters; use from_str


def test_members_of_the_reference():
    vec = Vec3Float(1, 2, 3)
    assert vec.with_x(5) == (5.0, 2.0, 3.0) and vec.with_y("4") == (1.0, 4.0, 3.0) and vec.with_z(0.5).z == 0.5
    assert vec.pairmax(2) == (2.0, 2.0, 3.0) and vec.pairmin((0, 5, 0)) == (0.0, 2.0, 0.0)
    assert Vec3Float.from_str("(1.5, -2, 3e1)") == (1.5, -2.0, 30.0)
    assert Vec3Float.full(2) == (2.0, 2.0, 2.0) and Vec3Float.zeros() == (0, 0, 0) and Vec3Float.ones() == (1, 1, 1)
    assert Vec3Float(1.7, -2.7, 3).to_vec3_int() == Vec3Int(1, -2, 3)
    assert np.asarray(vec, dtype=np.int32).dtype == np.int32


def test_comparison_and_hash_like_a_float_tuple_but_never_an_int_vector():
    vec = Vec3Float(1, 2, 3)
    assert vec == (1, 2, 3) and hash(vec) == hash((1.0, 2.0, 3.0))
    assert vec != [1, 2, 3] and vec != Vec3Int(1, 2, 3) and Vec3Int(1, 2, 3) != vec
    assert vec < (1, 2, 4) and vec < Vec3Float(1, 2, 4)
    with pytest.raises(TypeError):
        _ = vec < Vec3Int(1, 2, 4)
    assert not isinstance(vec, tuple)
    assert pickle.loads(pickle.dumps(vec)) == vec
