"""``layer.export`` run by webknossos (4.3.3) and daedalus on the same dataset writes equal files: TIFF stacks (names,
compression, pixels), OME-TIFF (series, pyramid, physical sizes, pixels) and .ozx archives (entries, comment, zarr
metadata, voxels). The layer's box is not aligned with its coarser mags, so the exports of mag 2-2-1 start inside a
voxel of it and the coarse voxels of the .ozx pyramids are partly covered by the exported data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")
zarr = pytest.importorskip("zarr")

pytestmark = pytest.mark.interop

OFFSET = (11, 20, 5)
SIZE = (70, 50, 21)  # no multiple of the computed mags (2-1-1, 4-4-2)

# name -> (layer, method, keyword arguments as Python source, valid in both packages)
CASES = {
    "tiff-default": ("color", "as_tiff_stack", ""),
    "tiff-prefix-mag-box": (
        "color",
        "as_tiff_stack",
        "filename_prefix='img', mag=wk.Mag('2-2-1'), bounding_box=wk.BoundingBox((13, 21, 7), (30, 20, 3))",
    ),
    "tiff-segmentation": ("segmentation", "as_tiff_stack", "bounding_box=wk.BoundingBox((10, 20, 5), (72, 52, 3))"),
    "ome-color": ("color", "as_ome_tiff", ""),
    "ome-segmentation": ("segmentation", "as_ome_tiff", ""),
    "ome-mag-no-pyramid": ("color", "as_ome_tiff", "mag=wk.Mag('2-2-1'), downsample=False"),
    "ozx-default": ("color", "as_ozx", ""),
    "ozx-segmentation-box": ("segmentation", "as_ozx", "bounding_box=wk.BoundingBox((12, 24, 6), (40, 20, 10))"),
    "ozx-mag-no-pyramid": ("color", "as_ozx", "mag=wk.Mag('2-2-1'), downsample=False"),
}
SUFFIX = {"as_tiff_stack": "", "as_ome_tiff": ".ome.tiff", "as_ozx": ".ozx"}

REFERENCE_SCRIPT = """
import json, sys
import webknossos as wk

def main():
    dataset = wk.Dataset.open(sys.argv[1])
    for name, (layer, method, kwargs, target) in json.loads(sys.argv[2]).items():
        export = dataset.get_layer(layer).export
        eval(f"export.{method}(output_path=target, {kwargs})", {"wk": wk, "export": export, "target": target})

if __name__ == "__main__":
    main()
"""


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory, reference_env) -> tuple[Path, Path]:
    """The folders the reference and daedalus wrote every case into (one reference run for all cases)."""
    root = tmp_path_factory.mktemp("layer-export-interop")
    rng = np.random.default_rng(5)
    ds = wk.Dataset(root / "ds", voxel_size=(11, 12, 25))
    color = ds.add_layer("color", "color", dtype="uint8", bounding_box=wk.BoundingBox(OFFSET, SIZE))
    color.add_mag(1).write(rng.integers(0, 255, (1, *SIZE), dtype=np.uint8), absolute_offset=OFFSET)
    color.downsample_mag(wk.Mag(1), wk.Mag("2-2-1"))
    segmentation = ds.add_layer(
        "segmentation",
        "segmentation",
        dtype="uint32",
        largest_segment_id=99,
        bounding_box=wk.BoundingBox(OFFSET, SIZE),
    )
    segmentation.add_mag(1).write(rng.integers(0, 100, (1, *SIZE), dtype=np.uint32), absolute_offset=OFFSET)
    reference, ours = root / "reference", root / "daedalus"
    jobs = {
        name: (layer, method, kwargs, str(reference / f"{name}{SUFFIX[method]}"))
        for name, (layer, method, kwargs) in CASES.items()
    }
    try:
        reference_env.run_reference(REFERENCE_SCRIPT, root / "ds", json.dumps(jobs), timeout=600)
    except reference_env.ReferenceUnavailable as exc:
        pytest.skip(f"reference webknossos venv unavailable: {exc}")
    for name, (layer, method, kwargs) in CASES.items():
        export = ds.get_layer(layer).export
        target = ours / f"{name}{SUFFIX[method]}"
        eval(f"export.{method}(output_path=target, {kwargs})", {"wk": wk, "export": export, "target": target})
    return reference, ours


def _cases(method: str) -> list[str]:
    return [name for name, (_, m, _) in CASES.items() if m == method]


@pytest.mark.parametrize("case", _cases("as_tiff_stack"))
def test_tiff_stacks_have_the_references_files_and_pixels(exports, case: str) -> None:
    reference, ours = (folder / case for folder in exports)
    names = sorted(p.name for p in reference.iterdir())
    assert sorted(p.name for p in ours.iterdir()) == names
    for name in names:
        with tifffile.TiffFile(reference / name) as expected, tifffile.TiffFile(ours / name) as actual:
            assert len(actual.pages) == len(expected.pages) == 1
            assert actual.pages[0].compression == expected.pages[0].compression
            assert actual.pages[0].dtype == expected.pages[0].dtype
            np.testing.assert_array_equal(actual.asarray(), expected.asarray())


def _pixels_attributes(tiff) -> dict[str, str]:
    pixels = tiff.ome_metadata.split("<Pixels ", 1)[1].split(">", 1)[0]
    attributes = dict(item.split("=", 1) for item in pixels.split() if "=" in item)
    return {key: value.strip('"') for key, value in attributes.items() if key != "ID"}


@pytest.mark.parametrize("case", _cases("as_ome_tiff"))
def test_ome_tiffs_have_the_references_series_pyramid_and_pixels(exports, case: str) -> None:
    reference, ours = (folder / f"{case}.ome.tiff" for folder in exports)
    with tifffile.TiffFile(reference) as expected, tifffile.TiffFile(ours) as actual:
        assert actual.is_ome and len(actual.series) == len(expected.series) == 1
        assert actual.series[0].axes == expected.series[0].axes
        assert _pixels_attributes(actual) == _pixels_attributes(expected)
        assert actual.pages[0].compression == expected.pages[0].compression
        levels, expected_levels = actual.series[0].levels, expected.series[0].levels
        assert [level.shape for level in levels] == [level.shape for level in expected_levels]
        for level, expected_level in zip(levels, expected_levels):
            np.testing.assert_array_equal(level.asarray(), expected_level.asarray())


@pytest.mark.parametrize("case", _cases("as_ozx"))
def test_ozx_archives_have_the_references_entries_metadata_and_voxels(exports, case: str) -> None:
    reference, ours = (folder / f"{case}.ozx" for folder in exports)
    with zipfile.ZipFile(reference) as expected, zipfile.ZipFile(ours) as actual:
        assert actual.comment == expected.comment
        assert actual.namelist() == expected.namelist()
        assert [i.compress_type for i in actual.infolist()] == [i.compress_type for i in expected.infolist()]
        for name in expected.namelist():
            if name.endswith("zarr.json"):
                assert json.loads(actual.read(name)) == json.loads(expected.read(name)), name
        arrays = [name.rsplit("/", 1)[0] for name in expected.namelist() if name.endswith("/zarr.json")]
    expected_group = zarr.open_group(zarr.storage.ZipStore(reference, mode="r"), mode="r")
    actual_group = zarr.open_group(zarr.storage.ZipStore(ours, mode="r"), mode="r")
    assert arrays
    for path in arrays:
        np.testing.assert_array_equal(np.asarray(actual_group[path]), np.asarray(expected_group[path]))
