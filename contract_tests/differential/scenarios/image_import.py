"""Image import scenarios: ``Dataset.from_images`` of one file or a folder tree with every layer mapping, and
``add_layer_from_images``: the layers' names, boxes, data and view configurations.

The scenarios about one file (``single_file``, ``add_layer_from_images``) import with compression, the reference's
default; those about layer mappings, folder trees and channels import uncompressed (``compress=False``): the
reference's compression pass costs 2-3 s per import even for these tiny images, and what they compare does not
depend on it.

Both sides write the same input images with tifffile and Pillow (installed in both environments).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

KINDS = ("2d", "3d", "rgb_png", "rgba_png", "float_3d", "int16_3d", "gray_png")


def _pixels(kind: str, seed: int) -> np.ndarray:
    """The image of ``kind``: (z, y, x) or, for RGB, (y, x, 3)."""
    rng = np.random.default_rng(seed)
    if kind == "rgb_png":
        return rng.integers(3, 250, (6, 9, 3), dtype=np.uint8)
    if kind == "rgba_png":
        return rng.integers(3, 250, (6, 9, 4), dtype=np.uint8)
    if kind in ("2d", "gray_png"):
        return rng.integers(2, 240, (6, 9), dtype=np.uint8)
    if kind == "float_3d":
        return (rng.random((5, 6, 9)) * 100 - 20).astype(np.float32)
    if kind == "int16_3d":
        return rng.integers(-300, 900, (5, 6, 9), dtype=np.int16)
    return rng.integers(1, 250, (5, 6, 9), dtype=np.uint8)


def _write_image(path: Path, kind: str, seed: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = _pixels(kind, seed)
    if path.suffix.lower() == ".png":
        from PIL import Image

        Image.fromarray(pixels).save(path)
    else:
        import tifffile

        tifffile.imwrite(path, pixels, photometric="minisblack")


def _dataset_facts(wk, path: Path) -> list:
    ds = wk.Dataset.open(path)
    layers = {}
    for name, layer in sorted(ds.layers.items()):
        view = layer.default_view_configuration
        layers[name] = [
            facts.layer_facts(layer),
            None if view is None else [view.min, view.max],
            layer.get_finest_mag().read(),
        ]
    return [layers, facts.properties(path)["dataLayers"]]


def _mapping(wk, mapping):
    return (
        wk.Dataset.ConversionLayerMapping[mapping] if mapping else wk.Dataset.ConversionLayerMapping.INSPECT_SINGLE_FILE
    )


def single_file(wk, tmp, kind, file_name, mapping, layer_name, layer_category):
    """``from_images`` of one image file (in the folder ``input``): the layer's name, box, data, view config."""
    source = tmp / "input" / file_name
    _write_image(source, kind)
    with wk.utils.get_executor("sequential") as executor:
        wk.Dataset.from_images(
            source,
            tmp / "ds",
            voxel_size=(2, 2, 3),
            map_filepath_to_layer_name=_mapping(wk, mapping),
            layer_name=layer_name,
            layer_category=layer_category,
            executor=executor,
        )
    return _dataset_facts(wk, tmp / "ds")


TREES = {
    # every layer any mapping makes holds either 2-d slices or one 3-d file (the reference cannot mix them)
    "mixed": [("top.tif", "3d"), ("s/0.tif", "2d"), ("s/1.tif", "2d"), ("s/2.tif", "2d"), ("s/deep/0.tif", "2d"),
              ("s/deep/1.tif", "2d"), ("v/vol.tif", "3d")],
    "slices": [("0.tif", "2d"), ("1.tif", "2d"), ("a/0.tif", "2d"), ("a/1.tif", "2d"), ("a/b/0.tif", "2d"),
               ("c/0.png", "gray_png"), ("c/1.png", "gray_png")],
    "stacks": [("one.tif", "3d"), ("a/two.tif", "3d"), ("a/b/three.tif", "int16_3d")],
}  # fmt: skip


def folder_tree(wk, tmp, tree, mapping, layer_name):
    """``from_images`` of a folder tree with a layer mapping: the layers' names, boxes, data, view configs."""
    for seed, (relative, kind) in enumerate(TREES[tree]):
        _write_image(tmp / "tree" / relative, kind, seed)
    with wk.utils.get_executor("sequential") as executor:
        wk.Dataset.from_images(
            tmp / "tree",
            tmp / "ds",
            voxel_size=(1, 1, 1),
            map_filepath_to_layer_name=_mapping(wk, mapping),
            layer_name=layer_name,
            compress=False,
            executor=executor,
        )
    return _dataset_facts(wk, tmp / "ds")


def mapping_callable(wk, tmp, tree):
    """``from_images`` with a function as mapping: the paths it is given and the layers it makes."""
    for seed, (relative, kind) in enumerate(TREES[tree]):
        _write_image(tmp / "tree" / relative, kind, seed)
    given = []

    def name_of(path):
        given.append([type(path).__name__, str(path)])
        return "layer_" + str(len(Path(str(path)).parts))

    with wk.utils.get_executor("sequential") as executor:
        wk.Dataset.from_images(
            tmp / "tree",
            tmp / "ds",
            voxel_size=(1, 1, 1),
            map_filepath_to_layer_name=name_of,
            compress=False,
            executor=executor,
        )
    return [sorted(given), _dataset_facts(wk, tmp / "ds")]


def add_layer_from_images(wk, tmp, kind, category, dtype, name):
    """``add_layer_from_images`` of one file: the view configuration, largest segment id and data it gives."""
    source = tmp / "input" / ("image.png" if kind.endswith("png") else "image.tif")
    _write_image(source, kind)
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    with wk.utils.get_executor("sequential") as executor:
        layer = ds.add_layer_from_images(source, name, category=category, dtype=dtype, executor=executor)
    view = layer.default_view_configuration
    return [repr(view), _dataset_facts(wk, tmp / "ds")]


def several_3d_files_in_one_layer(wk, tmp):
    """Two 3-d files in one folder become one layer (documented: the reference reads them as 2-d images)."""
    _write_image(tmp / "tree" / "a.tif", "3d", 1)
    _write_image(tmp / "tree" / "b.tif", "3d", 2)
    with wk.utils.get_executor("sequential") as executor:
        wk.Dataset.from_images(
            tmp / "tree",
            tmp / "ds",
            voxel_size=(1, 1, 1),
            map_filepath_to_layer_name=wk.Dataset.ConversionLayerMapping.ENFORCE_LAYER_PER_FOLDER,
            compress=False,
            executor=executor,
        )
    return _dataset_facts(wk, tmp / "ds")


def slices_and_stacks_in_one_layer(wk, tmp):
    """2-d slices and 3-d files in one layer (documented: the reference fails to broadcast the 3-d files)."""
    return folder_tree(wk, tmp, "mixed", "ENFORCE_SINGLE_LAYER", None)


def multichannel_tiff(wk, tmp, channels, dtype, layout, files):
    """``from_images`` of ``files`` TIFFs with ``channels`` samples per pixel of ``dtype``, stored as ``layout``
    (``contig``/``separate`` minisblack 2-d slices, ``rgb`` photometric 2-d slices, or ``contig_3d`` z-stacks): the
    layers' names, channels, boxes and data."""
    import tifffile

    rng = np.random.default_rng(channels)
    shape = {"separate": (channels, 6, 9), "contig_3d": (4, 6, 9, channels)}.get(layout, (6, 9, channels))
    options = {
        "contig": dict(photometric="minisblack", planarconfig="contig"),
        "separate": dict(photometric="minisblack", planarconfig="separate"),
        "rgb": dict(photometric="rgb"),
        "contig_3d": dict(photometric="minisblack", planarconfig="contig"),
    }[layout]
    for index in range(files):
        (tmp / "input").mkdir(exist_ok=True)
        tifffile.imwrite(tmp / "input" / f"{index}.tif", rng.integers(1, 200, shape).astype(dtype), **options)
    source = tmp / "input" if files > 1 else tmp / "input" / "0.tif"
    with wk.utils.get_executor("sequential") as executor:
        wk.Dataset.from_images(source, tmp / "ds", voxel_size=(1, 1, 1), compress=False, executor=executor)
    return _dataset_facts(wk, tmp / "ds")


def two_channel_png(wk, tmp, files, via):
    """Grey+alpha (2-channel uint8) PNG slices imported ``via`` ``from_images`` or ``add_layer_from_images`` (with
    or without ``allow_multiple_layers``): which layers (one per channel, ``name__channel<i>``?), their data, and
    the layer ``add_layer_from_images`` returns."""
    from PIL import Image

    rng = np.random.default_rng(files)
    (tmp / "input").mkdir()
    for index in range(files):
        pixels = rng.integers(1, 250, (6, 9, 2), dtype=np.uint8)
        Image.fromarray(pixels, mode="LA").save(tmp / "input" / f"{index}.png")
    returned = None
    with wk.utils.get_executor("sequential") as executor:
        if via == "from_images":
            wk.Dataset.from_images(tmp / "input", tmp / "ds", voxel_size=(1, 1, 1), compress=False, executor=executor)
        else:
            dataset = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
            layer = dataset.add_layer_from_images(
                tmp / "input",
                layer_name="grey",
                allow_multiple_layers=via == "multiple",
                compress=False,
                executor=executor,
            )
            returned = repr(layer)
    return [returned, _dataset_facts(wk, tmp / "ds")]
