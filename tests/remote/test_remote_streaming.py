"""RemoteDataset.open by URL with zarr streaming: layers, mags, and reads that fetch only the needed chunks."""

from __future__ import annotations

import numpy as np
import pytest
from recorded import TOKEN, decode_zarr2_chunk

import daedalus as wk

DATASET_ID = "59e9cfbdba632ac2ab8b23b5"
ZARR = f"/data/v12/zarr/{DATASET_ID}"


@pytest.mark.parametrize("suffix", ["", "/view"])
def test_url_open_remote_zarr_streaming_reads_recorded_chunks(wk_server, suffix: str) -> None:
    name = "l4_sample__view" if suffix else "l4_sample"
    recording = f"test_remote_dataset/test_url_open_remote[RemoteAccessMode.ZARR_STREAMING-{name}].yml"
    server = wk_server(recording)
    url = f"{server.url}/datasets/Organization_X/l4_sample{suffix}"

    ds = wk.RemoteDataset.open(url)
    assert ds.dataset_id == DATASET_ID
    assert ds.url == f"{server.url}/datasets/{DATASET_ID}"
    assert str(ds.zarr_streaming_path) == f"{server.url}{ZARR}/"
    assert sorted(ds.layers) == ["color", "segmentation"]
    color = ds.get_layer("color")
    assert isinstance(color, wk.RemoteLayer) and not isinstance(color, wk.RemoteSegmentationLayer)
    assert color.bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
    assert color.dtype == np.uint8 and color.num_channels == 1
    assert list(color.mags) == [wk.Mag(m) for m in ("1", "2-2-1", "4-4-1", "8-8-2", "16-16-4")]
    segmentation = ds.get_segmentation_layer("segmentation")
    assert isinstance(segmentation, wk.RemoteSegmentationLayer)
    assert segmentation.largest_segment_id == 2504697 and segmentation.dtype == np.uint32
    assert ds.voxel_size == pytest.approx((11.24, 11.24, 28.0))

    ds = wk.RemoteDataset.open(url)  # the recording opened it twice, then read
    mag = ds.get_layer("color").get_mag(1)
    assert str(mag.path) == f"{server.url}{ZARR}/color/1"
    before = len(server.received)
    data = mag.read(absolute_offset=(3164, 3212, 1017), size=(10, 10, 10))

    # what the four recorded chunks (x 98-99, y 100, z 31-32 of 32³) decode to, cut to the box
    expected = np.zeros((1, 64, 32, 64), dtype=np.uint8)
    for ix, iz in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        chunk = decode_zarr2_chunk(recording, f"{ZARR}/color/1", f"0.{98 + ix}.100.{31 + iz}")
        expected[:, ix * 32 : ix * 32 + 32, :, iz * 32 : iz * 32 + 32] = chunk
    box = expected[:, 3164 - 3136 : 3174 - 3136, 3212 - 3200 : 3222 - 3200, 1017 - 992 : 1027 - 992]
    assert data.shape == (1, 10, 10, 10)
    np.testing.assert_array_equal(data, box)
    assert box.any()

    fetched = [r for r in server.received[before:]]
    assert sorted(r.path.rsplit("/", 1)[1] for r in fetched) == [
        ".zarray",
        "0.98.100.31",
        "0.98.100.32",
        "0.99.100.31",
        "0.99.100.32",
    ]  # the metadata once, then only the chunks the box touches
    assert all(r.headers.get("x-auth-token") == TOKEN for r in fetched)


def test_remote_layers_refuse_writes(wk_server) -> None:
    server = wk_server("test_remote_dataset/test_url_open_remote[RemoteAccessMode.ZARR_STREAMING-l4_sample].yml")
    ds = wk.RemoteDataset.open(f"{server.url}/datasets/Organization_X/l4_sample/view")
    color = ds.get_layer("color")
    with pytest.raises(RuntimeError, match="read-only"):
        color.add_mag(32)
    with pytest.raises(RuntimeError, match="read-only"):
        color.get_mag(1).write(np.zeros((1, 2, 2, 2), np.uint8), absolute_offset=(3072, 3072, 512))
    with pytest.raises(IndexError, match="no layer 'nope'"):
        ds.get_layer("nope")
    with pytest.raises(TypeError):
        color.as_segmentation_layer()
