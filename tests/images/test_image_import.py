"""Image import: Dataset.from_images / add_layer_from_images read TIFF, PNG and JPEG into layers exactly."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")
Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed (pip install 'daedalus[images]')")

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TESTDATA = SHARED / "fixtures" / "wk-testdata"
requires_fixtures = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason=f"shared fixtures not found at {TESTDATA} (the repository's parent must hold shared/)"
)


def _tiff_stack(tmp_path: Path) -> Path:
    """The fixture z-stack as a folder of real files: its slices 1..256 are stored as git-symlink text files."""
    folder = tmp_path / "tiff"
    folder.mkdir()
    for source in sorted((TESTDATA / "tiff").glob("*.tiff")):
        target = source if source.read_bytes()[:2] in (b"II", b"MM") else source.parent / source.read_text().strip()
        os.symlink(target, folder / source.name)
    return folder


def _xyzc(pages: list[np.ndarray]) -> np.ndarray:
    """(y, x[, c]) pages -> (c, x, y, z) as daedalus reads layers."""
    stack = np.stack(pages)  # z, y, x[, c]
    if stack.ndim == 3:
        stack = stack[..., np.newaxis]
    return np.transpose(stack, (3, 2, 1, 0))


def _read(layer) -> np.ndarray:
    return layer.get_finest_mag().read(absolute_bounding_box=layer.bounding_box)


@requires_fixtures
def test_tiff_stack_matches_reference_properties_and_pixels(tmp_path):
    folder = _tiff_stack(tmp_path)
    ds = wk.Dataset.from_images(folder, tmp_path / "ds", voxel_size=(11.24, 11.24, 25))
    expected = json.loads((TESTDATA / "tiff" / "datasource-properties.zarr-fixture.json").read_text())["dataLayers"][0]
    layer = ds.get_layer(expected["name"])
    box = expected["boundingBox"]
    assert layer.bounding_box == wk.BoundingBox(box["topLeft"], (box["width"], box["height"], box["depth"]))
    assert layer.dtype == np.dtype(expected["elementClass"])
    assert layer.num_channels == expected["numChannels"]
    assert layer.category == expected["category"]
    assert layer.data_format == wk.DataFormat(expected["dataFormat"])
    pages = [tifffile.imread(p) for p in sorted(folder.glob("*.tiff"))]
    np.testing.assert_array_equal(_read(layer), _xyzc(pages))
    assert wk.Dataset.open(tmp_path / "ds").voxel_size == (11.24, 11.24, 25.0)


@requires_fixtures
def test_rgb_tiff_becomes_three_channels(tmp_path):
    path = TESTDATA / "rgb_tiff" / "test_rgb.tif"
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(str(path), "rgb")
    assert layer.num_channels == 3
    np.testing.assert_array_equal(_read(layer), _xyzc([tifffile.imread(path)]))
    single = ds.add_layer_from_images([path], "green", channel=1)
    assert single.num_channels == 1
    np.testing.assert_array_equal(_read(single), _xyzc([tifffile.imread(path)[..., 1]]))


@requires_fixtures
def test_jpeg_folders_map_to_one_layer_per_folder_name(tmp_path):
    # as the reference: slices are grouped by the name of their folder (1/61, 2/61 and 40/61 form layer 61)
    root = TESTDATA / "temca2"
    ds = wk.Dataset.from_images(root, tmp_path / "ds", voxel_size=(4, 4, 40))
    assert sorted(ds.layers) == ["60", "61", "temca2"]
    layer = ds.get_layer("61")
    files = [root / folder / "61" / f"{name}.jpg" for folder, names in [("1", (140, 141)), ("2", (140, 141)),
             ("40", (144, 145))] for name in names]  # fmt: skip
    assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (1024, 1024, 6))
    np.testing.assert_array_equal(_read(layer), _xyzc([np.asarray(Image.open(f)) for f in files]))
    per_folder = wk.Dataset.from_images(
        root, tmp_path / "per-folder", map_filepath_to_layer_name=wk.ConversionLayerMapping.ENFORCE_LAYER_PER_FOLDER
    )
    assert sorted(per_folder.layers) == ["1_60", "1_61", "2_60", "2_61", "40_60", "40_61", "temca2"]
    single = wk.Dataset.from_images(
        root / "1",
        tmp_path / "single",
        map_filepath_to_layer_name=wk.ConversionLayerMapping.ENFORCE_SINGLE_LAYER,
        layer_name="em",
        batch_size=128,
        chunk_shape=32,
        shard_shape=64,
    )
    assert list(single.layers) == ["em"] and single.get_layer("em").bounding_box.size.z == 4


# --------------------------------------------------------------------------- synthetic images


def _stack(depth: int = 40, channels: int = 0, dtype=np.uint16) -> np.ndarray:
    """A (z, y, x[, c]) stack whose every voxel differs from its neighbours."""
    shape = (depth, 13, 17) + ((channels,) if channels else ())
    return (np.arange(np.prod(shape)) % 60000).astype(dtype).reshape(shape)


def _write_slices(folder: Path, stack: np.ndarray, suffix: str = ".tif") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for z, page in enumerate(stack):
        path = folder / f"img{z}{suffix}"  # img2 sorts before img10 only with natural sorting
        if suffix == ".tif":
            tifffile.imwrite(path, page)
        else:
            Image.fromarray(page).save(path)
        paths.append(path)
    return paths


def test_slices_sorted_naturally_and_written_in_batches_across_shards(tmp_path):
    stack = _stack(depth=40)
    _write_slices(tmp_path / "in", stack)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(
        str(tmp_path / "in" / "*.tif"), "color", chunk_shape=8, shard_shape=16, batch_size=16, topleft=(3, 5, 7)
    )
    assert layer.bounding_box == wk.BoundingBox((3, 5, 7), (17, 13, 40))
    assert layer.dtype == np.uint16
    np.testing.assert_array_equal(_read(layer), _xyzc(list(stack)))
    with pytest.raises(ValueError, match="batch_size=24 must be a positive multiple of the shard depth 16"):
        ds.add_layer_from_images(str(tmp_path / "in" / "*.tif"), "bad", chunk_shape=8, shard_shape=16, batch_size=24)
    assert "bad" not in ds.layers


@pytest.mark.parametrize("executor_name", ["threads", "multiprocessing"])
def test_executor_runs_batches(tmp_path, executor_name):
    stack = _stack(depth=3, dtype=np.uint8)
    tifffile.imwrite(tmp_path / "stack.tif", stack, photometric="minisblack")  # one multi-page TIFF: pages are z
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with wk.get_executor(executor_name, max_workers=2) as executor:
        layer = ds.add_layer_from_images(
            [tmp_path / "stack.tif"], "c", chunk_shape=(8, 8, 1), shard_shape=(16, 16, 1), executor=executor
        )
    np.testing.assert_array_equal(_read(layer), _xyzc(list(stack)))


@pytest.mark.parametrize(
    "options, transform",
    [
        ({"flip_x": True}, lambda a: a[:, ::-1]),
        ({"flip_y": True}, lambda a: a[:, :, ::-1]),
        ({"flip_z": True}, lambda a: a[:, :, :, ::-1]),
        ({"swap_xy": True}, lambda a: np.swapaxes(a, 1, 2)),
        ({"swap_xy": True, "flip_x": True}, lambda a: np.swapaxes(a, 1, 2)[:, ::-1]),
        ({"dtype": "float32"}, lambda a: a.astype(np.float32)),
        ({"dtype": "uint8"}, lambda a: a.astype(np.uint8)),
    ],
)
def test_transforms(tmp_path, options, transform):
    stack = _stack(depth=5, channels=3, dtype=np.uint16)
    tifffile.imwrite(tmp_path / "rgb.tif", stack, photometric="rgb")
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(str(tmp_path / "rgb.tif"), "t", compress=False, **options)
    expected = transform(_xyzc(list(stack)))
    assert layer.dtype == expected.dtype and layer.num_channels == 3
    assert tuple(layer.bounding_box.size) == expected.shape[1:]
    np.testing.assert_array_equal(_read(layer), expected)


def test_png_segmentation_sets_largest_segment_id(tmp_path):
    stack = _stack(depth=4, dtype=np.uint8)
    paths = _write_slices(tmp_path / "png", stack, suffix=".png")
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(paths, "seg", category="segmentation", dtype="uint32")
    assert layer.category == "segmentation" and layer.dtype == np.uint32
    assert layer.largest_segment_id == int(stack.max())
    np.testing.assert_array_equal(_read(layer), _xyzc(list(stack)).astype(np.uint32))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    _write_slices(root / "a" / "x", _stack(depth=2, dtype=np.uint8))
    _write_slices(root / "a" / "y", _stack(depth=3, dtype=np.uint8))
    _write_slices(root / "b", _stack(depth=1, dtype=np.uint8))
    (root / "notes.txt").write_text("not an image")
    return root


@pytest.mark.parametrize(
    "mapping, layers",
    [
        (wk.ConversionLayerMapping.INSPECT_SINGLE_FILE, {"x": 2, "y": 3, "b": 1}),  # by folder name, as the reference
        (wk.ConversionLayerMapping.ENFORCE_LAYER_PER_FOLDER, {"a_x": 2, "a_y": 3, "b": 1}),
        (wk.ConversionLayerMapping.ENFORCE_LAYER_PER_TOPLEVEL_FOLDER, {"a": 5, "b": 1}),
        (wk.ConversionLayerMapping.ENFORCE_SINGLE_LAYER, {"tree": 6}),
        (
            "enforce_layer_per_file",
            # named by the path with its suffix, as the reference names them
            {f"{folder}_img{i}.tif": 1 for folder, n in (("a_x", 2), ("a_y", 3), ("b", 1)) for i in range(n)},
        ),
        (lambda path: "even" if int(path.stem[3:]) % 2 == 0 else "odd", {"even": 4, "odd": 2}),
    ],
)
def test_mapping_strategies(tmp_path, mapping, layers):
    ds = wk.Dataset.from_images(_tree(tmp_path), tmp_path / "ds", map_filepath_to_layer_name=mapping)
    assert {name: layer.bounding_box.size.z for name, layer in ds.layers.items()} == layers


def test_multipage_tiff_is_a_layer_per_file_and_max_layers_is_enforced(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("first", "second"):
        tifffile.imwrite(tmp_path / "in" / f"{name}.tif", _stack(depth=4, dtype=np.uint8), photometric="minisblack")
    ds = wk.Dataset.from_images(tmp_path / "in", tmp_path / "ds", layer_category="segmentation")
    assert {n: layer.bounding_box.size.z for n, layer in ds.layers.items()} == {"first.tif": 4, "second.tif": 4}
    assert all(layer.category == "segmentation" for layer in ds.layers.values())
    with pytest.raises(ValueError, match="more than max_layers=1"):
        wk.Dataset.from_images(tmp_path / "in", tmp_path / "ds2", max_layers=1)


def test_unsupported_options_raise_clear_errors(tmp_path):
    path = tmp_path / "a.tif"
    tifffile.imwrite(path, _stack(depth=1, dtype=np.uint8))
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match="use_bioformats=True is not supported"):
        ds.add_layer_from_images(str(path), "l", use_bioformats=True)
    with pytest.raises(ValueError, match="use_bioformats=True is not supported"):
        wk.Dataset.from_images(path, tmp_path / "ds2", use_bioformats=True)
    with pytest.raises(ValueError, match="timepoint=0 is not supported"):
        ds.add_layer_from_images(str(path), "l", timepoint=0)
    with pytest.raises(ValueError, match="czi_channel=1 is not supported"):
        ds.add_layer_from_images(str(path), "l", czi_channel=1)
    (tmp_path / "scan.czi").write_bytes(b"ZISRAWFILE")
    with pytest.raises(ValueError, match=r"scan\.czi.*pylibczirw"):
        ds.add_layer_from_images([tmp_path / "scan.czi"], "l")
    with pytest.raises(TypeError, match="FramesSequence input is not available"):
        ds.add_layer_from_images(object(), "l")
    with pytest.raises(ValueError, match="channel=3 is out of range"):
        ds.add_layer_from_images(str(path), "l", channel=3)
    with pytest.raises(FileNotFoundError, match="matches no image files"):
        ds.add_layer_from_images(str(tmp_path / "*.png"), "l")
    assert "l" not in ds.layers


def test_import_daedalus_loads_no_image_library_and_readers_are_registered():
    import subprocess
    import sys

    code = (
        "import sys, daedalus as wk\n"
        "assert not {'tifffile', 'PIL'} & set(sys.modules), sorted({'tifffile', 'PIL'} & set(sys.modules))\n"
        "print(wk.get_plugin_manager().image_reader('.TIF').name, wk.get_plugin_manager().image_reader('.jpg').name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["tifffile", "pillow"]


def test_readers_register_only_when_their_library_is_installed(monkeypatch):
    from daedalus.plugins import builtin_images

    monkeypatch.setattr(builtin_images, "_installed", lambda library: library == "PIL")
    assert [reader.name for reader in builtin_images.daedalus_image_readers()] == ["pillow"]


def test_unknown_suffix_names_the_file(tmp_path):
    path = tmp_path / "volume.xyz"
    path.write_bytes(b"\0")
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    with pytest.raises(ValueError, match=r"volume\.xyz: no image reader for '\.xyz'"):
        ds.add_layer_from_images([path], "l")
