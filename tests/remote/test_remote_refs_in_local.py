"""Remote layers and mags referenced from a LOCAL dataset (the reference's test_add_remote_mags_from_mag_view,
test_add_remote_mags_from_path, test_ref_layer_from_remote_layer, test_shallow_copy_remote_layers), and the
attachments of an uploaded dataset as the server lists them (test_add_attachment).

A reference keeps the zarr streaming URL of the remote mag in the local properties; reads through it go to the
datastore with the context's token."""

from __future__ import annotations

import json

import numpy as np
from recorded import TOKEN, body, interactions, reply
from wk_replay import RECORDED_HOST

import daedalus as wk

ID = "59e9cfbdba632ac2ab8b23b5"
ZARR = f"/data/v12/zarr/{ID}"
MAGS = ("1", "2-2-1", "4-4-1")
ALL_MAGS = ("1", "2-2-1", "4-4-1", "8-8-2", "16-16-4")
REC = "test_remote_dataset/{}.yml"


def _local_like(remote: wk.RemoteDataset, path) -> wk.Dataset:
    """An empty local dataset with the remote's layers (the format its mags are read in, dtype, bounding box),
    without mags (``layer.data_format`` names the format the server stores the layer in)."""
    local = wk.Dataset(path, voxel_size=remote.voxel_size)
    for name, layer in remote.layers.items():
        extra = {"largest_segment_id": layer.largest_segment_id} if name == "segmentation" else {}
        local.add_layer(
            name, layer.category, dtype=layer.dtype, data_format=layer.get_finest_mag().data_format,
            bounding_box=layer.bounding_box, **extra,
        )
    return local


def _mag_paths(path) -> dict[str, list]:
    properties = json.loads((path / "datasource-properties.json").read_text())
    return {layer["name"]: [(m["mag"], m["path"]) for m in layer["mags"]] for layer in properties["dataLayers"]}


def _expected_mag_paths(server_url: str) -> dict[str, list]:
    return {
        name: [(wk.Mag(m).to_list(), f"{server_url}{ZARR}/{name}/{m}") for m in MAGS]
        for name in ("color", "segmentation")
    }


def _keep_answering_zarrays(server, recording: str, layers: dict[str, tuple[str, ...]]) -> None:
    """Answer every GET of the mags' .zarray with the recorded one: daedalus opens a referenced mag's array more
    often than the reference did (the recordings hold one or two reads of each)."""
    for name, mags in layers.items():
        for mag in mags:
            path = f"{ZARR}/{name}/{mag}/.zarray"
            server.reply_next(200, reply(recording, path), times=1000, method="GET", path_prefix=path)


def _zarray_requests(server) -> list:
    return [r for r in server.received if r.path.endswith("/.zarray")]


def test_add_remote_mags_from_mag_view(wk_server, tmp_path) -> None:
    server = wk_server(REC.format("test_add_remote_mags_from_mag_view"), match_body=False)
    remote = wk.RemoteDataset.open(dataset_id=ID)
    local = _local_like(remote, tmp_path / "ds")
    for name in ("color", "segmentation"):
        for mag in MAGS:
            added = local.get_layer(name).add_mag_as_ref(remote.get_layer(name).get_mag(mag))
            assert added.mag == wk.Mag(mag) and str(added.path) == f"{server.url}{ZARR}/{name}/{mag}"
    assert _mag_paths(tmp_path / "ds") == _expected_mag_paths(server.url)
    reopened = wk.Dataset.open(tmp_path / "ds")
    assert list(reopened.get_layer("color").mags) == [wk.Mag(m) for m in MAGS]
    # the recording read each referenced mag's .zarray (twice), with the token
    zarrays = _zarray_requests(server)
    assert sorted({r.path for r in zarrays}) == sorted(f"{ZARR}/{n}/{m}/.zarray" for n in ("color", "segmentation")
                                                      for m in MAGS)
    assert all(r.headers.get("x-auth-token") == TOKEN for r in zarrays)


def test_add_remote_mags_from_path(wk_server, tmp_path) -> None:
    recording = REC.format("test_add_remote_mags_from_path")
    server = wk_server(recording, match_body=False)
    # resolving a path reads the remote datasource-properties.json more often than the reference did
    props = reply(recording, f"{ZARR}/datasource-properties.json")
    server.reply_next(200, props, times=1000, method="GET", path_prefix=f"{ZARR}/datasource-properties.json")
    remote = wk.RemoteDataset.open(dataset_id=ID)
    local = _local_like(remote, tmp_path / "ds")
    for name in ("color", "segmentation"):
        for mag in MAGS:
            path = remote.get_layer(name).get_mag(mag).path  # the zarr streaming URL (it carries the token)
            added = local.get_layer(name).add_mag_as_ref(path)
            assert added.mag == wk.Mag(mag) and str(added.path) == f"{server.url}{ZARR}/{name}/{mag}"
    assert _mag_paths(tmp_path / "ds") == _expected_mag_paths(server.url)
    assert all(r.headers.get("x-auth-token") == TOKEN for r in server.received)


def _color_16_chunks(recording: str) -> np.ndarray:
    """The whole color layer at mag 16-16-4, assembled from the recorded (uncompressed) chunks."""
    array = f"{ZARR}/color/16-16-4"
    meta = json.loads(reply(recording, f"{array}/.zarray"))
    assert meta["compressor"] is None and meta["filters"] is None and meta["chunks"] == [1, 32, 32, 32]
    replies = {item["request"]["path"]: body(item["response"]) for item in interactions(recording)}
    data = np.zeros(meta["shape"], dtype=np.dtype(meta["dtype"]))
    for x in (6, 7):
        for y in (6, 7):
            for z in range(4, 12):
                raw = replies[f"{array}/0.{x}.{y}.{z}"]
                chunk = np.frombuffer(raw, dtype=data.dtype).reshape(meta["chunks"], order=meta["order"])
                data[:, x * 32:(x + 1) * 32, y * 32:(y + 1) * 32, z * 32:(z + 1) * 32] = chunk
    return data[:, 192:256, 192:256, 128:384]  # the layer's box (3072..4096, 3072..4096, 512..1536) at 16-16-4


def test_shallow_copy_remote_layers(wk_server, tmp_path) -> None:
    recording = REC.format("test_shallow_copy_remote_layers")
    server = wk_server(recording, match_body=False)
    _keep_answering_zarrays(server, recording, {"color": ALL_MAGS})
    remote = wk.RemoteDataset.open(dataset_id=ID)
    local = wk.Dataset(tmp_path / "ds", voxel_size=remote.voxel_size)
    local.add_layer_as_ref(remote.get_layer("color"))
    copy = local.shallow_copy_dataset(tmp_path / "copy")
    color = copy.get_layer("color")
    assert color.bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))
    assert [p for _, p in _mag_paths(tmp_path / "copy")["color"]] == [
        f"{server.url}{ZARR}/color/{m}" for m in ALL_MAGS
    ]
    data = color.get_mag("16-16-4").read()
    expected = _color_16_chunks(recording)
    assert data.shape == expected.shape and expected.any()
    np.testing.assert_array_equal(data, expected)
    chunks = [r for r in server.received if "/16-16-4/0." in r.path]
    assert len(chunks) == 32 and all(r.headers.get("x-auth-token") == TOKEN for r in chunks)


def test_ref_layer_from_remote_layer(wk_server, tmp_path) -> None:
    recording = REC.format("test_ref_layer_from_remote_layer")
    server = wk_server(recording, match_body=False)
    _keep_answering_zarrays(server, recording, {"color": ALL_MAGS, "segmentation": ALL_MAGS})
    remote = wk.RemoteDataset.open(dataset_id=ID)
    local = wk.Dataset(tmp_path / "ds", voxel_size=remote.voxel_size)
    for name in ("color", "segmentation"):
        layer = local.add_layer_as_ref(remote.get_layer(name))
        assert layer.category == remote.get_layer(name).category and layer.dtype == remote.get_layer(name).dtype
    assert _mag_paths(tmp_path / "ds") == {
        name: [(wk.Mag(m).to_list(), f"{server.url}{ZARR}/{name}/{m}") for m in ALL_MAGS]
        for name in ("color", "segmentation")
    }
    seg = wk.Dataset.open(tmp_path / "ds").get_segmentation_layer("segmentation")
    assert seg.largest_segment_id == remote.get_segmentation_layer("segmentation").largest_segment_id
    assert all(r.headers.get("x-auth-token") == TOKEN for r in _zarray_requests(server))


UPLOADED = "69ba6ccad100000ac5cd50e6"


def test_uploaded_dataset_lists_the_agglomerate_attachment(wk_server) -> None:
    recording = REC.format("test_add_attachment")
    info = reply(recording, f"/api/v12/datasets/{UPLOADED}")
    server = wk_server(recording, match_body=False)
    # the attachments are read from the server's dataset information, on every access
    served = info.replace(RECORDED_HOST.encode(), server.url.encode())
    server.reply_next(200, served, times=1000, method="GET", path_prefix=f"/api/v12/datasets/{UPLOADED}")
    seg = wk.RemoteDataset.open(dataset_id=UPLOADED).get_segmentation_layer("segmentation")
    (agglomerate,) = seg.attachments.agglomerates
    recorded = json.loads(info)["dataSource"]["dataLayers"][0]["attachments"]["agglomerates"][0]
    assert agglomerate.name == "map_all" == recorded["name"]
    assert str(agglomerate.path) == recorded["path"] and agglomerate.data_format.value == "zarr3"
    assert not seg.attachments.meshes and not seg.attachments.connectomes


def test_add_mag_ref_from_local_path_asks_the_server_nothing(wk_server, tmp_path) -> None:
    # The recording is empty: referencing a mag by a local path, with a server context in effect, sends nothing.
    server = wk_server(REC.format("test_add_mag_ref_from_local_path"))
    source = wk.Dataset(tmp_path / "source", voxel_size=(11.24, 11.24, 25))
    box = wk.BoundingBox((0, 0, 0), (64, 64, 32))
    layer = source.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
    data = np.arange(64 * 64 * 32, dtype="uint64").reshape(64, 64, 32).astype("uint8")
    layer.add_mag(1).write(data, absolute_offset=(0, 0, 0), allow_unaligned=True)
    target = wk.Dataset(tmp_path / "target", voxel_size=(11.24, 11.24, 25))
    ref = target.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
    ref.add_mag_as_ref(tmp_path / "source" / "color" / "1")
    assert np.array_equal(wk.Dataset.open(tmp_path / "target").get_layer("color").get_mag(1).read()[0], data)
    assert server.received == []
