"""Members added for parity with the reference, checked against it: coordinate transformations written by either
package read back by the other, and MRC volumes imported with the same orientation, dtype and box."""

from __future__ import annotations

import json

import numpy as np
import pytest

import daedalus as wk

pytestmark = pytest.mark.interop

# argv: dataset path, "write" or "read". Writes a layer with both kinds of transformations, or prints the
# transformations of layer "color" as plain lists.
TRANSFORMATIONS_SCRIPT = """
import json, sys
import webknossos as wk

path, action = sys.argv[1], sys.argv[2]
if action == "write":
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    layer = ds.add_layer("color", "color", dtype="uint8")
    layer.coordinate_transformations = [
        wk.AffineCoordinateTransformation.identity().rotate("z", 90).translate((5, 0, 0)),
        wk.ThinPlateSplineCoordinateTransformation.from_pairs([((0, 0, 0), (1, 1, 1)), ((1, 2, 3), (4, 5, 6))]),
    ]
    print(json.dumps("written"))
else:
    out = []
    for t in wk.Dataset.open(path).get_layer("color").coordinate_transformations:
        if isinstance(t, wk.AffineCoordinateTransformation):
            out.append(["affine", t.matrix.tolist()])
        else:
            out.append(["thin_plate_spline", t.source.tolist(), t.target.tolist()])
    print(json.dumps(out))
"""


def test_transformations_written_by_the_reference_are_read_by_daedalus(tmp_path, run_reference_json) -> None:
    run_reference_json(TRANSFORMATIONS_SCRIPT, tmp_path / "ds", "write")
    affine, spline = wk.Dataset.open(tmp_path / "ds").get_layer("color").coordinate_transformations
    expected = wk.AffineCoordinateTransformation.identity().rotate("z", 90).translate((5, 0, 0))
    np.testing.assert_allclose(affine.matrix, expected.matrix)
    assert spline == wk.ThinPlateSplineCoordinateTransformation([[0, 0, 0], [1, 2, 3]], [[1, 1, 1], [4, 5, 6]])


def test_transformations_written_by_daedalus_are_read_by_the_reference(tmp_path, run_reference_json) -> None:
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    affine = wk.AffineCoordinateTransformation.from_scale((2, 3, 4)).flip("y")
    spline = wk.ThinPlateSplineCoordinateTransformation([[0, 0, 0]], [[7, 8, 9]])
    ds.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8").coordinate_transformations = [affine, spline]
    assert run_reference_json(TRANSFORMATIONS_SCRIPT, tmp_path / "ds", "read") == [
        ["affine", affine.matrix.tolist()],
        ["thin_plate_spline", [[0, 0, 0]], [[7, 8, 9]]],
    ]


# argv: MRC file, dataset path; imports the file with the reference and prints layer facts (voxels in a .npy).
MRC_SCRIPT = """
import json, sys
import numpy as np
import webknossos as wk

def main():
    ds = wk.Dataset(sys.argv[2], voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(sys.argv[1], "em")
    np.save(sys.argv[2] + ".npy", layer.get_finest_mag().read())
    print(json.dumps([str(layer.dtype), list(layer.bounding_box.topleft), list(layer.bounding_box.size)]))

if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize(("dtype", "shape"), [("int16", (3, 4, 5)), ("float32", (2, 6, 3)), ("uint16", (7, 5))])
def test_an_mrc_volume_imports_like_the_reference(tmp_path, run_reference_json, dtype, shape) -> None:
    mrcfile = pytest.importorskip("mrcfile", reason="mrcfile is not installed (pip install 'daedalus[images]')")
    data = (np.arange(int(np.prod(shape))) % 97).astype(dtype).reshape(shape)  # (z, y, x) or (y, x)
    source = tmp_path / "volume.mrc"
    with mrcfile.new(source) as mrc:
        mrc.set_data(data)
    facts = run_reference_json(MRC_SCRIPT, source, tmp_path / "ref")
    layer = wk.Dataset(tmp_path / "ours", voxel_size=(1, 1, 1)).add_layer_from_images(source, "em")
    assert [str(layer.dtype), list(layer.bounding_box.topleft), list(layer.bounding_box.size)] == facts
    np.testing.assert_array_equal(layer.get_finest_mag().read(), np.load(tmp_path / "ref.npy"))
    assert json.loads((tmp_path / "ours" / "datasource-properties.json").read_text())["dataLayers"][0]["name"] == "em"
