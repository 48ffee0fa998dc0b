"""Micro-benchmark: Vec3Int construction and addition in ns per op (python benchmarks/bench_vec3int.py)."""

import timeit

import numpy as np
from daedalus.core.geometry import BoundingBox, Vec3Int

NUMBER = 200_000

CASES = {
    "Vec3Int(1, 2, 3)": "Vec3Int(1, 2, 3)",
    "Vec3Int(tuple)": "Vec3Int(t)",
    "Vec3Int(Vec3Int)": "Vec3Int(v)",
    "Vec3Int(np.array)": "Vec3Int(a)",
    "Vec3Int.from_xyz(1, 2, 3)": "Vec3Int.from_xyz(1, 2, 3)",
    "Vec3Int + Vec3Int": "v + w",
    "Vec3Int + int": "v + 1",
    "Vec3Int(list)": "Vec3Int(lst)",
    "floor: minimal tuple subclass": "Floor(1, 2, 3)",
    "BoundingBox(topleft, size)": "BoundingBox(v, w)",
}


class Floor(tuple):
    """The cheapest possible Python-level tuple subclass constructor, as a reference point."""

    def __new__(cls, *args):
        return tuple.__new__(cls, args)


def main() -> None:
    env = {
        "Floor": Floor,
        "lst": [1, 2, 3],
        "Vec3Int": Vec3Int,
        "BoundingBox": BoundingBox,
        "t": (1, 2, 3),
        "v": Vec3Int(1, 2, 3),
        "w": Vec3Int(4, 5, 6),
        "a": np.array([1, 2, 3]),
    }
    for label, stmt in CASES.items():
        number = NUMBER // 10 if "BoundingBox" in label or "np.array" in label else NUMBER
        best = min(timeit.repeat(stmt, globals=env, number=number, repeat=5))
        print(f"{label:32s} {best / number * 1e9:8.0f} ns/op")


if __name__ == "__main__":
    main()
