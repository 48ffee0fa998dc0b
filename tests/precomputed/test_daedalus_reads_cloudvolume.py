"""daedalus reads (and writes into) precomputed volumes cloud-volume wrote, with a nonzero voxel_offset: data,
alignment checked against the offset grid, and a clear error for cloud-volume's ``.gz`` chunk files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from precomputed_volumes import em_like, label_like

import daedalus as wk

OFFSET, SIZE, CHUNK = (10, 20, 5), (64, 48, 32), (32, 32, 16)


def _cloudvolume_layer(cloudvolume, folder, data, *, layer_type="image", encoding="raw", compress=False):
    """A one-scale volume (key ``1``) written by cloud-volume at voxel_offset OFFSET."""
    info = cloudvolume.CloudVolume.create_new_info(
        num_channels=1,
        layer_type=layer_type,
        data_type=data.dtype.name,
        encoding=encoding,
        resolution=[8, 8, 40],
        voxel_offset=list(OFFSET),
        volume_size=list(SIZE),
        chunk_size=list(CHUNK),
    )
    info["scales"][0]["key"] = "1"
    volume = cloudvolume.CloudVolume(f"file://{folder}", info=info, progress=False, compress=compress)
    volume.commit_info()
    volume[tuple(slice(o, o + s) for o, s in zip(OFFSET, SIZE))] = data[..., None]
    return folder


def _dataset_around(tmp_path, name="color", category="color", dtype="uint8"):
    """A dataset whose layer folder ``name`` is the volume (mag 1 = scale ``1``), its box at the voxel offset."""
    layer = {
        "name": name,
        "category": category,
        "boundingBox": {"topLeft": list(OFFSET), "width": SIZE[0], "height": SIZE[1], "depth": SIZE[2]},
        "elementClass": dtype,
        "numChannels": 1,
        "dataFormat": "neuroglancerPrecomputed",
        "mags": [{"mag": [1, 1, 1], "path": f"./{name}/1"}],
    }
    if category == "segmentation":
        layer["largestSegmentId"] = 0
    properties = {
        "id": {"name": "ds", "team": ""},
        "scale": {"factor": [8.0, 8.0, 40.0], "unit": "nanometer"},
        "version": 1,
        "dataLayers": [layer],
    }
    (tmp_path / "ds" / "datasource-properties.json").write_text(json.dumps(properties))
    return tmp_path / "ds"


@pytest.mark.parametrize(
    "layer_type,encoding,dtype", [("image", "raw", "uint8"), ("segmentation", "compressed_segmentation", "uint64")]
)
def test_reads_a_volume_with_voxel_offset(tmp_path, cloudvolume, layer_type, encoding, dtype):
    data = em_like(SIZE) if dtype == "uint8" else label_like(SIZE, dtype)
    category = "color" if layer_type == "image" else "segmentation"
    _cloudvolume_layer(cloudvolume, tmp_path / "ds" / category, data, layer_type=layer_type, encoding=encoding)
    mag = wk.Dataset.open(_dataset_around(tmp_path, category, category, dtype)).get_layer(category).get_mag(1)
    assert mag.info.grid_offset == wk.Vec3Int(*OFFSET) and mag.info.voxel_size_nm == (8.0, 8.0, 40.0)
    assert mag.info.category == category
    np.testing.assert_array_equal(mag.read()[0], data)
    inner = mag.read(absolute_offset=(12, 22, 7), size=(5, 6, 7))[0]
    np.testing.assert_array_equal(inner, data[2:7, 2:8, 2:9])
    around = mag.read(absolute_offset=(0, 0, 0), size=(80, 80, 40))[0]  # before the offset: zeros
    assert not around[:10].any() and np.array_equal(around[10:74, 20:68, 5:37], data)


def test_alignment_follows_the_voxel_offset_grid(tmp_path, cloudvolume):
    data = em_like(SIZE)
    _cloudvolume_layer(cloudvolume, tmp_path / "ds" / "color", data)
    layer = wk.Dataset.open(_dataset_around(tmp_path)).get_layer("color")
    mag = layer.get_mag(1)
    block = np.full(CHUNK, 7, np.uint8)
    mag.write(block, absolute_offset=(42, 20, 21))  # a whole chunk of the grid that starts at the offset
    with pytest.raises(ValueError, match="not aligned"):
        mag.write(block, absolute_offset=(32, 32, 16))  # aligned to 0, across four chunks of the volume's grid
    mag.write(block, absolute_offset=(32, 32, 16), allow_unaligned=True)
    expected = data.copy()
    expected[32:64, 0:32, 16:32] = 7
    expected[22:54, 12:44, 11:27] = 7
    seen = cloudvolume.CloudVolume(f"file://{layer.path}", progress=False)[10:74, 20:68, 5:37][..., 0]
    np.testing.assert_array_equal(np.asarray(seen), expected)


def test_gzipped_chunks_are_refused_with_a_hint(tmp_path, cloudvolume):
    _cloudvolume_layer(cloudvolume, tmp_path / "ds" / "color", em_like(SIZE), compress="gzip")
    assert any(p.suffix == ".gz" for p in (tmp_path / "ds" / "color" / "1").iterdir())
    with pytest.raises(ValueError, match=r"\.gz.*compress=False"):
        wk.Dataset.open(_dataset_around(tmp_path)).get_layer("color").get_mag(1).read()
