"""Mag: parsing, names, comparisons."""

import pickle

import numpy as np
import pytest
from daedalus.core.geometry import Mag, Vec3Int


@pytest.mark.parametrize(
    "value, expected",
    [
        (1, (1, 1, 1)),
        (2, (2, 2, 2)),
        ("2", (2, 2, 2)),
        ("2-2-1", (2, 2, 1)),
        ((2, 2, 1), (2, 2, 1)),
        ([2, 2, 1], (2, 2, 1)),
        (np.array([2, 2, 1]), (2, 2, 1)),
        (Vec3Int(4, 4, 2), (4, 4, 2)),
        (Mag(2), (2, 2, 2)),
        (np.int64(4), (4, 4, 4)),
    ],
)
def test_parse(value, expected):
    assert Mag(value).to_tuple() == expected


def test_three_ints():
    assert Mag(2, 2, 1) == Mag("2-2-1")


@pytest.mark.parametrize("bad", [0, -1, "a", "2-2", (1, 2), (0, 1, 1), "1.5"])
def test_invalid(bad):
    with pytest.raises((ValueError, TypeError)):
        Mag(bad)


def test_equality_and_hash():
    assert Mag(1) == Mag((1, 1, 1))
    assert hash(Mag(1)) == hash(Mag((1, 1, 1)))
    assert Mag(2) != Mag("2-2-1")
    assert len({Mag(1), Mag("1-1-1"), Mag(2)}) == 2
    # As the reference: the other operand is read as a Mag.
    assert Mag(2) == 2 and Mag(2) == "2-2-2" and Mag(2) == (2, 2, 2) and Mag(2) != 4
    assert hash(Mag(2)) == hash((2, 2, 2))
    with pytest.raises(ValueError):
        _ = Mag(2) == "x"


def test_ordering_by_largest_factor():
    assert Mag(2) < Mag(4) and Mag(2) <= Mag("2-2-1") and not Mag("2-2-1") < Mag(2)
    assert Mag("2-1-2") > Mag("1-2-2") and Mag("2-1-2") >= Mag("1-2-2")
    assert sorted([Mag(4), Mag("2-2-1"), Mag(1), Mag("1-2-2")]) == [Mag(1), Mag("2-2-1"), Mag("1-2-2"), Mag(4)]


def test_attributes():
    mag = Mag(4, 4, 2)
    assert (mag.x, mag.y, mag.z) == (4, 4, 2)
    assert mag.max_dim == 4
    assert mag.max_dim_log2 == 2
    assert Mag(1).max_dim_log2 == 0
    assert mag.to_list() == [4, 4, 2]
    assert mag.to_np().tolist() == [4, 4, 2]
    assert mag.to_vec3_int() == Vec3Int(4, 4, 2) and type(mag.to_vec3_int()) is Vec3Int


def test_names():
    assert Mag(1).to_layer_name() == "1"
    assert Mag(2, 2, 1).to_layer_name() == "2-2-1"
    assert Mag(1).to_long_layer_name() == "1-1-1"
    assert Mag("4").to_long_layer_name() == "4-4-4"
    assert Mag(Mag(2).to_layer_name()) == Mag(2)


def test_order():
    assert Mag(1) < Mag(2) < Mag(4)
    assert sorted([Mag(4), Mag(1), Mag("2-2-1")]) == [Mag(1), Mag("2-2-1"), Mag(4)]
    assert max([Mag(1), Mag(8), Mag(2)]) == Mag(8)


def test_immutable_repr_pickle():
    mag = Mag(2, 2, 1)
    with pytest.raises(AttributeError):
        mag.x = 3
    assert "2-2-1" in repr(mag) and "2-2-1" in str(mag)
    assert pickle.loads(pickle.dumps(mag)) == mag
