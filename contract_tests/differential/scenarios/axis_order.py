"""Mags stored in another axis order than (c, x, y, z): zarr3 / zarr v2 arrays written by hand (raw chunks) stored
(c,) z, y, x, named or not, with the properties' ``axisOrder``; which voxels a read returns, its shape, and the
``axisOrder`` written back after adding a layer."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

SIZE_XYZ = (6, 5, 4)


def _write_raw_array(path: Path, data_format: str, stored: np.ndarray, names: list[str] | None) -> None:
    """An uncompressed single-chunk zarr array of ``stored`` (C order), naming its axes ``names`` if given."""
    path.mkdir(parents=True)
    shape = list(stored.shape)
    if data_format == "zarr3":
        meta = {
            "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": str(stored.dtype),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": shape}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0, "codecs": [{"name": "bytes"}],
        }  # fmt: skip
        if names is not None:
            meta["dimension_names"] = names
        (path / "zarr.json").write_text(json.dumps(meta))
        chunk = path.joinpath("c", *["0"] * stored.ndim)
    else:
        meta = {
            "zarr_format": 2, "shape": shape, "chunks": shape, "dtype": stored.dtype.str, "compressor": None,
            "fill_value": 0, "filters": None, "order": "C", "dimension_separator": ".",
        }  # fmt: skip
        (path / ".zarray").write_text(json.dumps(meta))
        if names is not None:
            (path / ".zattrs").write_text(json.dumps({"_ARRAY_DIMENSIONS": names}))
        chunk = path / ".".join(["0"] * stored.ndim)
    chunk.parent.mkdir(parents=True, exist_ok=True)
    chunk.write_bytes(np.ascontiguousarray(stored).tobytes())


def _dataset(tmp, data_format: str, channel: bool, named: bool, seed: int) -> tuple[Path, np.ndarray]:
    """A dataset whose layer ``color`` has mag 1 stored (c,) z, y, x; returns its path and the (x, y, z) voxels."""
    volume = np.random.default_rng(seed).integers(1, 250, SIZE_XYZ).astype(np.uint8)
    stored, names = volume.transpose(2, 1, 0), ["z", "y", "x"]
    if channel:
        stored, names = stored[np.newaxis], ["c", *names]
    root = Path(tmp) / "ds"
    _write_raw_array(root / "color" / "1", data_format, stored, names if named else None)
    layer = {
        "name": "color", "category": "color", "elementClass": "uint8", "numChannels": 1, "dataFormat": data_format,
        "boundingBox": {"topLeft": [0, 0, 0], "width": SIZE_XYZ[0], "height": SIZE_XYZ[1], "depth": SIZE_XYZ[2]},
        "mags": [{"mag": [1, 1, 1], "path": "./color/1", "axisOrder": {name: i for i, name in enumerate(names)}}],
    }  # fmt: skip
    properties = {"id": {"name": "ds", "team": ""}, "scale": {"factor": [1, 1, 1], "unit": "nanometer"}}
    (root / "datasource-properties.json").write_text(json.dumps({**properties, "dataLayers": [layer]}))
    return root, volume


def read_voxels(wk, tmp, data_format, channel, named, seed, offset, size):
    """The voxels (sorted, so independent of the axis layout) of a box read and of the whole mag."""
    root, _ = _dataset(tmp, data_format, channel, named, seed)
    mag = wk.Dataset.open(root).get_layer("color").get_finest_mag()
    part = mag.read(absolute_offset=offset, size=size)
    return [np.sort(part, axis=None), int(part.size), np.sort(mag.read(), axis=None)]


def read_layout(wk, tmp, data_format, channel, named, seed):
    """The shape of a read box of a z, y, x array, and where one known voxel lands in it."""
    root, volume = _dataset(tmp, data_format, channel, named, seed)
    part = wk.Dataset.open(root).get_layer("color").get_finest_mag().read(absolute_offset=(1, 0, 0), size=(3, 5, 4))
    return [list(part.shape), [int(i) for i in np.argwhere(part == volume[2, 1, 3])[0]]]


def add_layer_round_trip(wk, tmp, data_format, channel, named, seed):
    """The properties after adding a layer to the dataset: the mag keeps the ``axisOrder`` it was read with."""
    root, _ = _dataset(tmp, data_format, channel, named, seed)
    dataset = wk.Dataset.open(root)
    dataset.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=0, data_format=data_format).add_mag(1)
    return [facts.properties(root)["dataLayers"]]
