"""Vec3Float: float x/y/z vectors."""

import numpy as np
import pytest
from daedalus.core.geometry import Vec3Float


def test_construction_and_arithmetic():
    vec = Vec3Float(1, 2.5, 3)
    assert vec == (1.0, 2.5, 3.0) and all(type(v) is float for v in vec)
    assert Vec3Float((1, 2, 3)) == Vec3Float(np.array([1, 2, 3])) == Vec3Float("1,2,3") == (1.0, 2.0, 3.0)
    assert vec * 2 == (2.0, 5.0, 6.0)
    assert vec / 2 == (0.5, 1.25, 1.5)
    assert vec + (1, 1, 1) == (2.0, 3.5, 4.0)
    assert (vec.x, vec.y, vec.z) == (1.0, 2.5, 3.0)
    assert vec.to_np().dtype == np.float64
    assert vec.prod() == 7.5
    assert Vec3Float.from_vec_or_float(2) == (2.0, 2.0, 2.0)
    with pytest.raises(ValueError):
        Vec3Float(1, 2)
