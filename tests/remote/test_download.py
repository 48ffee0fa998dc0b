"""Dataset.download and RemoteDataset.download against recorded downloads: layers, boxes, mags and voxel data."""

from __future__ import annotations

import numpy as np
import pytest
from daedalus.core.remote import RemoteDatasetNotFoundError
from recorded import TOKEN, decode_zarr2_chunk, reply

import daedalus as wk

DATASET_ID = "59e9cfbdba632ac2ab8b23b5"
DATA = f"/data/v12/datasets/{DATASET_ID}/layers"
BOX = wk.BoundingBox((3164, 3212, 1017), (10, 10, 10))
ALL_MAGS = [wk.Mag(m) for m in ("1", "2-2-1", "4-4-1", "8-8-2", "16-16-4")]
STREAMING = "test_remote_dataset/test_url_open_remote[RemoteAccessMode.ZARR_STREAMING-l4_sample].yml"


def _data_requests(server) -> list[tuple[str, dict[str, str]]]:
    return [(r.path.split("/")[-2], dict(r.query)) for r in server.received if r.path.endswith("/data")]


def _recorded_box(recording: str, layer: str, mag: str, query: str, shape: tuple[int, int, int], dtype) -> np.ndarray:
    raw = reply(recording, f"{DATA}/{layer}/data?mag={mag}&{query}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape[::-1]).T


@pytest.mark.parametrize("name", ["l4_sample", "l4_sample__view"])
def test_url_download_copies_all_mags_of_the_box(wk_server, tmp_path, name: str) -> None:
    recording = f"test_remote_dataset/test_url_download[{name}].yml"
    server = wk_server(recording)
    url = f"{server.url}/datasets/Organization_X/l4_sample" + ("/view" if name.endswith("view") else "")

    ds = wk.Dataset.download(url, path=tmp_path / "ds", bbox=BOX)

    assert isinstance(ds, wk.Dataset) and not isinstance(ds, wk.RemoteDataset)
    assert (tmp_path / "ds" / "datasource-properties.json").is_file()
    assert sorted(ds.layers) == ["color", "segmentation"]
    assert ds.voxel_size == pytest.approx((11.24, 11.24, 28.0))
    color, segmentation = ds.get_layer("color"), ds.get_segmentation_layer("segmentation")
    assert color.bounding_box == BOX and segmentation.bounding_box == BOX
    assert list(color.mags) == ALL_MAGS and list(segmentation.mags) == ALL_MAGS
    assert color.dtype == np.uint8 and segmentation.dtype == np.uint32
    assert segmentation.largest_segment_id == 2504697
    info = color.get_mag(1).info
    assert (info.chunk_shape, info.shard_shape, info.data_format) == ((32, 32, 32), (512, 512, 512), "zarr3")

    requests = _data_requests(server)
    assert len(requests) == 18  # 9 per layer: two shards (z < 1024, z >= 1024) per mag, one for 16-16-4
    assert all(r.headers.get("x-auth-token") == TOKEN for r in server.received if r.path.endswith("/data"))

    # mag 1 equals what the recorded zarr streaming chunks of the same box decode to
    zarr = f"/data/v12/zarr/{DATASET_ID}/color/1"
    expected = np.zeros((1, 64, 32, 64), dtype=np.uint8)
    for ix, iz in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        chunk = decode_zarr2_chunk(STREAMING, zarr, f"0.{98 + ix}.100.{31 + iz}")
        expected[:, ix * 32 : ix * 32 + 32, :, iz * 32 : iz * 32 + 32] = chunk
    np.testing.assert_array_equal(color.get_mag(1).read(), expected[:, 28:38, 12:22, 25:35])

    # a coarse mag equals the recorded replies of the data route
    lower = _recorded_box(
        recording, "segmentation", "8-8-2", "x=3160&y=3208&z=1016&width=2&height=2&depth=4", (2, 2, 4), "<u4"
    )
    upper = _recorded_box(
        recording, "segmentation", "8-8-2", "x=3160&y=3208&z=1024&width=2&height=2&depth=2", (2, 2, 2), "<u4"
    )
    coarse = segmentation.get_mag("8-8-2").read(absolute_bounding_box=BOX.align_with_mag(wk.Mag("8-8-2"), True))
    np.testing.assert_array_equal(coarse[0], np.concatenate([lower, upper], axis=2))
    assert coarse.any()

    # the recording then downloaded mag 1 only, into another folder
    again = wk.Dataset.download(url, path=tmp_path / "mag1", bbox=BOX, mags=[wk.Mag(1)])
    assert [list(layer.mags) for layer in again.layers.values()] == [[wk.Mag(1)], [wk.Mag(1)]]
    np.testing.assert_array_equal(again.get_layer("segmentation").get_mag(1).read(), segmentation.get_mag(1).read())
    unused = [
        i.describe()  # every recorded request was made, except the HEAD the reference sent first
        for i in server.unused()
    ]
    assert unused == [f"HEAD /data/v12/zarr/{DATASET_ID}/datasource-properties.json"] * 2


@pytest.mark.parametrize("name", ["l4_sample", "l4_sample__view"])
def test_cli_download_of_a_mag_outside_the_layer(wk_server, tmp_path, name: str) -> None:
    recording = f"test_cli/test_download_dataset[{name}].yml"
    server = wk_server(recording)
    url = f"{server.url}/datasets/Organization_X/l4_sample" + ("/view" if name.endswith("view") else "")

    ds = wk.Dataset.download(url, path=tmp_path / "out", bbox=wk.BoundingBox((0, 0, 0), (5, 5, 5)), mags=["8-8-1"])

    for layer_name, dtype in [("color", np.uint8), ("segmentation", np.uint32)]:
        layer = ds.get_layer(layer_name)
        assert layer.bounding_box == wk.BoundingBox((0, 0, 0), (5, 5, 5))
        assert list(layer.mags) == [wk.Mag("8-8-1")]
        data = layer.get_mag("8-8-1").read(absolute_bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 5)))
        recorded = reply(recording, f"{DATA}/{layer_name}/data?mag=8-8-1&x=0&y=0&z=0&width=1&height=1&depth=5")
        np.testing.assert_array_equal(data.ravel(), np.frombuffer(recorded, dtype=dtype))
    assert len(_data_requests(server)) == 2
    assert [i.describe() for i in server.unused()] == [f"HEAD /data/v12/zarr/{DATASET_ID}/datasource-properties.json"]


def test_download_into_an_existing_dataset_is_refused_unless_exist_ok(wk_server, tmp_path) -> None:
    server = wk_server("test_cli/test_download_dataset[l4_sample].yml")
    url = f"{server.url}/datasets/Organization_X/l4_sample"
    existing = wk.Dataset(tmp_path / "ds", voxel_size=(11.239999771118164, 11.239999771118164, 28))
    existing.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (9, 9, 9)))
    existing.add_layer("other", wk.COLOR_CATEGORY, dtype="uint8")

    with pytest.raises(FileExistsError, match="already exists.*exist_ok=True"):
        wk.Dataset.download(url, path=tmp_path / "ds", bbox=wk.BoundingBox((0, 0, 0), (5, 5, 5)), mags=["8-8-1"])
    assert server.received == []  # refused before any request
    assert sorted(wk.Dataset.open(tmp_path / "ds").layers) == ["color", "other"]

    ds = wk.Dataset.download(
        url, path=tmp_path / "ds", bbox=wk.BoundingBox((0, 0, 0), (5, 5, 5)), mags=["8-8-1"], exist_ok=True
    )
    assert sorted(ds.layers) == ["color", "other", "segmentation"]  # downloaded layers replaced, others kept
    assert ds.get_layer("color").bounding_box == wk.BoundingBox((0, 0, 0), (5, 5, 5))
    assert list(ds.get_layer("color").mags) == [wk.Mag("8-8-1")]


def test_download_of_a_missing_dataset_or_layer_fails_clearly(wk_server, tmp_path) -> None:
    server = wk_server("default.yml")
    missing = "0123456789abcdef01234567"
    server.reply_next(404, '{"messages":[{"error":"Dataset not found"}]}', path_prefix=f"/api/v12/datasets/{missing}")
    with pytest.raises(RemoteDatasetNotFoundError, match=missing):
        wk.Dataset.download(f"{server.url}/datasets/nope-{missing}/view", path=tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_download_of_an_unknown_layer_is_refused_before_writing(wk_server, tmp_path) -> None:
    server = wk_server(STREAMING)
    remote = wk.RemoteDataset.open(f"{server.url}/datasets/Organization_X/l4_sample")
    with pytest.raises(IndexError, match=r"\['nope'\].*\['color', 'segmentation'\]"):
        remote.download(layers=["nope"], path=tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
    with pytest.raises(ValueError, match="bounding_box or its alias bbox"):
        remote.download(bbox=BOX, bounding_box=BOX, path=tmp_path / "ds")


@pytest.mark.parametrize("data_format", ["zarr", "wkw"])
def test_remote_download_of_one_layer_in_another_format(wk_server, tmp_path, data_format: str) -> None:
    recording = "test_remote_dataset/test_url_download[l4_sample].yml"
    server = wk_server(recording)
    remote = wk.RemoteDataset.open(f"{server.url}/datasets/Organization_X/l4_sample")

    ds = remote.download(bounding_box=BOX, layers="color", mags=[wk.Mag(1)], data_format=data_format, path=tmp_path)

    assert list(ds.layers) == ["color"]
    mag = ds.get_layer("color").get_mag(1)
    assert mag.info.data_format == data_format
    query = "x=3164&y=3212&z={}&width=10&height=10&depth={}"
    recorded = [
        _recorded_box(recording, "color", "1-1-1", query.format(z, d), (10, 10, d), "u1")
        for z, d in [(1017, 7), (1024, 3)]
    ]
    np.testing.assert_array_equal(mag.read()[0], np.concatenate(recorded, axis=2))
    assert [q["mag"] for _, q in _data_requests(server)] == ["1-1-1", "1-1-1"]
