"""Image import as the reference does it: layer names from one file or a folder tree, the value range as default view
configuration, and the slab shards of zarr3 layers from images."""

import json
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

tifffile = pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")

STACK = (np.arange(5 * 6 * 9) % 200 + 10).astype(np.uint8).reshape(5, 6, 9)  # z, y, x: values 10 .. 209


def _write(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, pixels, photometric="minisblack")
    return path


def _layers(ds: wk.Dataset) -> dict[str, int]:
    return {name: layer.bounding_box.size.z for name, layer in sorted(ds.layers.items())}


def test_a_3d_file_is_named_by_its_file_name_with_suffix(tmp_path):
    ds = wk.Dataset.from_images(_write(tmp_path / "in" / "stack.v2.tif", STACK), tmp_path / "ds")
    assert _layers(ds) == {"stack.v2.tif": 5}


def test_a_2d_file_is_named_by_its_folder(tmp_path):
    ds = wk.Dataset.from_images(_write(tmp_path / "images" / "slice.tif", STACK[0]), tmp_path / "ds")
    assert _layers(ds) == {"images": 1}


def test_characters_layer_names_cannot_hold_are_dropped(tmp_path):
    ds = wk.Dataset.from_images(_write(tmp_path / "in" / "a b(1)é@$.tif", STACK), tmp_path / "ds")
    assert _layers(ds) == {"ab1@$.tif": 5}


def test_inspect_single_file_names_2d_slices_by_their_folder_and_3d_files_by_their_path(tmp_path):
    for z in range(2):
        _write(tmp_path / "slices" / "a" / "b" / f"{z}.tif", STACK[z])
    _write(tmp_path / "slices" / "c" / "0.tif", STACK[0])
    assert _layers(wk.Dataset.from_images(tmp_path / "slices", tmp_path / "ds1")) == {"b": 2, "c": 1}
    _write(tmp_path / "stacks" / "one.tif", STACK)
    _write(tmp_path / "stacks" / "a" / "two.tif", STACK)
    assert _layers(wk.Dataset.from_images(tmp_path / "stacks", tmp_path / "ds2")) == {"atwo.tif": 5, "one.tif": 5}


def test_a_mapping_function_gets_the_path_relative_to_the_folder(tmp_path):
    _write(tmp_path / "tree" / "x" / "a.tif", STACK)
    given = []
    wk.Dataset.from_images(
        tmp_path / "tree", tmp_path / "ds", map_filepath_to_layer_name=lambda p: given.append(p) or "l"
    )
    assert [str(p) for p in given] == ["x/a.tif"]


def test_color_layers_get_the_value_range_as_view_configuration(tmp_path):
    path = _write(tmp_path / "in" / "stack.tif", STACK)
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    color = ds.add_layer_from_images(path, "color", batch_size=32)
    assert (color.default_view_configuration.min, color.default_view_configuration.max) == (10.0, 209.0)
    segmentation = ds.add_layer_from_images(path, "seg", category="segmentation")
    assert segmentation.default_view_configuration is None and segmentation.largest_segment_id == 209
    layers = json.loads((tmp_path / "ds" / "datasource-properties.json").read_text())["dataLayers"]
    assert layers[0]["defaultViewConfiguration"] == {"min": 10.0, "max": 209.0}


def test_zarr3_layers_from_images_get_slab_shards(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    stack = ds.add_layer_from_images(_write(tmp_path / "stack.tif", STACK), "stack").get_finest_mag().info
    assert (tuple(stack.chunk_shape), tuple(stack.shard_shape)) == ((32, 32, 32), (4096, 4096, 32))
    with pytest.warns(UserWarning, match="chunk_shape"):
        flat = ds.add_layer_from_images(_write(tmp_path / "flat.tif", STACK[0]), "flat").get_finest_mag().info
    assert (tuple(flat.chunk_shape), tuple(flat.shard_shape)) == ((32, 32, 1), (4096, 4096, 1))
    wkw = ds.add_layer_from_images(tmp_path / "stack.tif", "wkw", data_format="wkw").get_finest_mag().info
    assert tuple(wkw.shard_shape) == (1024, 1024, 1024)


def test_uncompressed_zarr3_import_with_deep_shards_writes_whole_shards(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer_from_images(_write(tmp_path / "s.tif", STACK), "l", shard_shape=64, compress=False)
    np.testing.assert_array_equal(layer.get_finest_mag().read()[0], STACK.transpose(2, 1, 0))


def test_an_unsupported_dtype_is_an_unsupported_image_data_error(tmp_path):
    path = _write(tmp_path / "u64.tif", STACK.astype(np.uint64))
    with pytest.raises(wk.UnsupportedImageDataError, match="dtype uint64"):
        wk.Dataset.from_images(path, tmp_path / "ds")
