"""Coordinate transformations of layers: the affine and thin plate spline values, and how layers store them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from daedalus.core.properties import DatasetPropertiesError

import daedalus as wk

A = wk.AffineCoordinateTransformation
T = wk.ThinPlateSplineCoordinateTransformation


def _apply(transformation: wk.AffineCoordinateTransformation, point: tuple[float, float, float]) -> np.ndarray:
    return transformation.matrix[:3, :3] @ np.array(point, dtype=float) + transformation.matrix[:3, 3]


def test_affine_builders_make_the_homogeneous_matrices() -> None:
    assert np.array_equal(A.identity().matrix, np.eye(4))
    assert _apply(A.from_translation((1, 2, 3)), (10, 10, 10)).tolist() == [11, 12, 13]
    assert _apply(A.from_scale((2, 3, 4)), (1, 1, 1)).tolist() == [2, 3, 4]
    # counter-clockwise seen from the positive end of the axis: x turns into y about z, y into z about x, z into x
    # about y
    assert np.allclose(_apply(A.from_rotation("z", 90), (1, 0, 0)), (0, 1, 0))
    assert np.allclose(_apply(A.from_rotation("x", 90), (0, 1, 0)), (0, 0, 1))
    assert np.allclose(_apply(A.from_rotation("y", 90), (0, 0, 1)), (1, 0, 0))
    assert np.allclose(_apply(A.identity().flip("x"), (1, 2, 3)), (-1, 2, 3))
    assert A.from_rotation("z", 30).matrix[0, 0] == pytest.approx(math.cos(math.radians(30)))


def test_methods_apply_after_the_transformation_they_are_called_on_and_return_new_ones() -> None:
    base = A.identity()
    moved_then_scaled = base.translate((1, 2, 3)).scale((2, 2, 2))
    scaled_then_moved = base.scale((2, 2, 2)).translate((1, 2, 3))
    assert _apply(moved_then_scaled, (0, 0, 0)).tolist() == [2, 4, 6]
    assert _apply(scaled_then_moved, (0, 0, 0)).tolist() == [1, 2, 3]
    assert A.from_translation((1, 0, 0)).chain(A.from_scale((2, 2, 2))) == A(
        [[2, 0, 0, 2], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]
    )
    assert base == A.identity()  # unchanged


def test_affine_values_compare_by_matrix_are_unhashable_and_refuse_bad_input() -> None:
    assert A(np.eye(4)) == A([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert A.identity() != A.from_scale((2, 2, 2))
    with pytest.raises(TypeError):
        hash(A.identity())
    with pytest.raises(ValueError, match=r"shape \(4, 4\), got \(2, 2\)"):
        A([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="must be `x`, `y` or `z`, got 'w'"):
        A.from_rotation("w", 90)
    with pytest.raises(ValueError, match="three components"):
        A.from_translation((1, 2))


def test_thin_plate_splines_pair_source_and_target_points() -> None:
    spline = T.from_pairs([((0, 0, 0), (1, 1, 1)), ((1, 2, 3), (4, 5, 6))])
    assert spline.source.tolist() == [[0, 0, 0], [1, 2, 3]] and spline.target.tolist() == [[1, 1, 1], [4, 5, 6]]
    assert spline.pairs == (
        (wk.Vec3Float(0, 0, 0), wk.Vec3Float(1, 1, 1)),
        (wk.Vec3Float(1, 2, 3), wk.Vec3Float(4, 5, 6)),
    )
    assert spline == T([[0, 0, 0], [1, 2, 3]], [[1, 1, 1], [4, 5, 6]])
    with pytest.raises(ValueError, match="same length, got 1 and 2"):
        T([(0, 0, 0)], [(1, 1, 1), (2, 2, 2)])
    with pytest.raises(TypeError):
        wk.CoordinateTransformation()  # abstract


def _layer_json(path: Path) -> dict:
    return json.loads((path / "datasource-properties.json").read_text())["dataLayers"][0]


def test_a_layer_stores_its_transformations_as_webknossos_does_and_reads_them_back(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
    assert layer.coordinate_transformations == ()
    affine = A.identity().translate((1, 2, 3)).scale((2, 2, 2))
    spline = T.from_pairs([((0, 0, 0), (1, 1, 1)), ((1, 2, 3), (4, 5, 6))])
    layer.coordinate_transformations = [affine, spline]

    stored = _layer_json(ds.path)["coordinateTransformations"]
    assert stored == [
        {"type": "affine", "matrix": [[2, 0, 0, 2], [0, 2, 0, 4], [0, 0, 2, 6], [0, 0, 0, 1]]},
        {
            "type": "thin_plate_spline",
            "correspondences": {"source": [[0, 0, 0], [1, 2, 3]], "target": [[1, 1, 1], [4, 5, 6]]},
        },
    ]
    reopened = wk.Dataset.open(ds.path).get_layer("color")
    assert reopened.coordinate_transformations == (affine, spline)

    layer.coordinate_transformations = None
    assert layer.coordinate_transformations == () and "coordinateTransformations" not in _layer_json(ds.path)
    layer.coordinate_transformations = (affine,)
    layer.coordinate_transformations = []
    assert "coordinateTransformations" not in _layer_json(ds.path)


def test_transformations_are_checked_and_read_only_layers_refuse_them(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=0)
    with pytest.raises(TypeError, match="AffineCoordinateTransformation or ThinPlateSplineCoordinateTransformation"):
        layer.coordinate_transformations = [np.eye(4)]
    read_only = wk.Dataset.open(ds.path, read_only=True).get_layer("seg")
    with pytest.raises(RuntimeError, match="read-only"):
        read_only.coordinate_transformations = [A.identity()]
    assert "coordinateTransformations" not in _layer_json(ds.path)


def test_a_malformed_transformation_in_the_file_is_an_error_naming_the_key(tmp_path: Path) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8").coordinate_transformations = [A.identity()]
    document = json.loads((ds.path / "datasource-properties.json").read_text())
    document["dataLayers"][0]["coordinateTransformations"] = [{"type": "affine", "matrix": [[1, 0, 0, 0]]}]
    (ds.path / "datasource-properties.json").write_text(json.dumps(document))
    with pytest.raises(DatasetPropertiesError, match=r"dataLayers\[0\]\.coordinateTransformations.*shape \(4, 4\)"):
        wk.Dataset.open(ds.path)
    document["dataLayers"][0]["coordinateTransformations"] = [{"type": "warp"}]
    (ds.path / "datasource-properties.json").write_text(json.dumps(document))
    with pytest.raises(DatasetPropertiesError, match="Unknown coordinate transformation type 'warp'"):
        wk.Dataset.open(ds.path)
