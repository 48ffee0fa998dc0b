"""Coordinate transformations of a layer (``coordinateTransformations`` in ``datasource-properties.json``).

WEBKNOSSOS places a layer in the dataset's space by applying them in order: affine 4x4 matrices (row-major,
translation in the last column) and thin plate splines given by point correspondences.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from ..geometry import Vec3Float

_AXES = ("x", "y", "z")


class CoordinateTransformation(ABC):
    """A transformation from a layer's voxel space into the dataset's space (affine or thin plate spline)."""

    @abstractmethod
    def _to_dict(self) -> dict[str, Any]:
        """The JSON object of this transformation."""

    @staticmethod
    def _from_dict(data: dict[str, Any]) -> CoordinateTransformation:
        """Decode one JSON object (``type`` ``affine`` or ``thin_plate_spline``); ValueError for other types."""
        kind = data.get("type")
        if kind == "affine":
            return AffineCoordinateTransformation(data["matrix"])
        if kind == "thin_plate_spline":
            correspondences = data["correspondences"]
            return ThinPlateSplineCoordinateTransformation(correspondences["source"], correspondences["target"])
        raise ValueError(f"Unknown coordinate transformation type {kind!r}; expected 'affine' or 'thin_plate_spline'.")


def _matrix(value: Any) -> np.ndarray:
    matrix = np.array(value, dtype=np.float64)
    if matrix.shape != (4, 4):
        raise ValueError(f"The affine matrix must have shape (4, 4), got {matrix.shape}.")
    if not np.isfinite(matrix).all():
        raise ValueError(f"The affine matrix must hold finite numbers, got {matrix.tolist()}.")
    return matrix


def _axis_index(axis: str) -> int:
    if axis not in _AXES:
        raise ValueError(f"The axis must be `x`, `y` or `z`, got {axis!r}.")
    return _AXES.index(axis)


def _vector(value: Any, what: str) -> np.ndarray:
    vector = np.array(value, dtype=np.float64).reshape(-1)
    if vector.shape != (3,):
        raise ValueError(f"The {what} must have three components (x, y, z), got {value!r}.")
    return vector


@attrs.frozen(eq=False)
class AffineCoordinateTransformation(CoordinateTransformation):
    """An affine transformation as a 4x4 homogeneous matrix (``matrix[row][column]``, translation in the last
    column): a point ``p`` maps to ``matrix[:3, :3] @ p + matrix[:3, 3]``.

    Build it from `identity`, `from_translation`, `from_scale` and `from_rotation`, then `translate`, `scale`,
    `rotate`, `flip` and `chain`: each returns a new transformation applied after the one it is called on.
    """

    matrix: np.ndarray = attrs.field(converter=_matrix)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AffineCoordinateTransformation):
            return NotImplemented
        return bool(np.array_equal(self.matrix, other.matrix))

    __hash__ = None  # type: ignore[assignment]  # equal matrices compare equal; arrays are not hashable

    @classmethod
    def identity(cls) -> AffineCoordinateTransformation:
        """The transformation that changes nothing."""
        return cls(np.eye(4))

    @classmethod
    def from_translation(cls, translation: Any) -> AffineCoordinateTransformation:
        """A translation by ``translation`` (x, y, z)."""
        matrix = np.eye(4)
        matrix[:3, 3] = _vector(translation, "translation")
        return cls(matrix)

    @classmethod
    def from_scale(cls, scale: Any) -> AffineCoordinateTransformation:
        """A scaling by ``scale`` (x, y, z) around the origin."""
        return cls(np.diag([*_vector(scale, "scale"), 1.0]))

    @classmethod
    def from_rotation(cls, axis: str, angle: float) -> AffineCoordinateTransformation:
        """A rotation around the origin by ``angle`` degrees about ``axis`` (``"x"``, ``"y"`` or ``"z"``),
        counter-clockwise when looking from the positive end of the axis towards the origin."""
        index = _axis_index(axis)
        radians = math.radians(angle)
        cos, sin = math.cos(radians), math.sin(radians)
        first, second = [i for i in range(3) if i != index]
        if index == 1:  # about y, z turns towards x
            first, second = second, first
        matrix = np.eye(4)
        matrix[first, first] = cos
        matrix[first, second] = -sin
        matrix[second, first] = sin
        matrix[second, second] = cos
        return cls(matrix)

    def chain(self, other: AffineCoordinateTransformation) -> AffineCoordinateTransformation:
        """A new transformation applying this one first and ``other`` afterwards."""
        return AffineCoordinateTransformation(other.matrix @ self.matrix)

    def translate(self, translation: Any) -> AffineCoordinateTransformation:
        """A new transformation that additionally translates by ``translation``."""
        return self.chain(AffineCoordinateTransformation.from_translation(translation))

    def scale(self, scale: Any) -> AffineCoordinateTransformation:
        """A new transformation that additionally scales by ``scale`` around the origin."""
        return self.chain(AffineCoordinateTransformation.from_scale(scale))

    def rotate(self, axis: str, angle: float) -> AffineCoordinateTransformation:
        """A new transformation that additionally rotates by ``angle`` degrees around ``axis`` (see
        `from_rotation`)."""
        return self.chain(AffineCoordinateTransformation.from_rotation(axis, angle))

    def flip(self, axis: str) -> AffineCoordinateTransformation:
        """A new transformation that additionally mirrors at the origin along ``axis`` (its coordinates change
        sign)."""
        factors = [1.0, 1.0, 1.0]
        factors[_axis_index(axis)] = -1.0
        return self.scale(factors)

    def _to_dict(self) -> dict[str, Any]:
        return {"type": "affine", "matrix": self.matrix.tolist()}


def _points(value: Any) -> np.ndarray:
    points = np.array(value, dtype=np.float64)
    if points.size == 0:
        points = points.reshape(0, 3)
    if points.ndim != 2 or points.shape[1] != 3:
        raise ValueError(f"Correspondence points must be a list of (x, y, z) points, got shape {points.shape}.")
    return points


@attrs.frozen(eq=False)
class ThinPlateSplineCoordinateTransformation(CoordinateTransformation):
    """A thin plate spline mapping each ``source`` point (n x 3) onto the ``target`` point of the same index."""

    source: np.ndarray = attrs.field(converter=_points)
    target: np.ndarray = attrs.field(converter=_points)

    def __attrs_post_init__(self) -> None:
        if len(self.source) != len(self.target):
            raise ValueError(
                "The source and target correspondences must have the same length, "
                f"got {len(self.source)} and {len(self.target)}."
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ThinPlateSplineCoordinateTransformation):
            return NotImplemented
        return bool(np.array_equal(self.source, other.source) and np.array_equal(self.target, other.target))

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_pairs(cls, pairs: Iterable[Sequence[Any]]) -> ThinPlateSplineCoordinateTransformation:
        """From ``(source point, target point)`` pairs."""
        pairs = list(pairs)
        return cls([source for source, _ in pairs], [target for _, target in pairs])

    @property
    def pairs(self) -> tuple[tuple[Vec3Float, Vec3Float], ...]:
        """The correspondences as ``(source, target)`` pairs of Vec3Float."""
        return tuple((Vec3Float(*s), Vec3Float(*t)) for s, t in zip(self.source.tolist(), self.target.tolist()))

    def _to_dict(self) -> dict[str, Any]:
        return {
            "type": "thin_plate_spline",
            "correspondences": {"source": self.source.tolist(), "target": self.target.tolist()},
        }


def coordinate_transformations_from_json(value: Any) -> list[CoordinateTransformation]:
    """Decode the ``coordinateTransformations`` list of a layer."""
    return [CoordinateTransformation._from_dict(entry) for entry in value]


def coordinate_transformations_to_json(transformations: Iterable[CoordinateTransformation]) -> list[dict[str, Any]]:
    """Encode transformations as the ``coordinateTransformations`` list of a layer."""
    return [transformation._to_dict() for transformation in transformations]
