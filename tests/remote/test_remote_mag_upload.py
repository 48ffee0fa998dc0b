"""New mags of a dataset on a WEBKNOSSOS server (downsample, upsample) written at the paths the server reserves.

The recording test_cli/test_convert_upload_downsample.yml ends with the reference adding Mag 2-2-1 to a dataset:
GET the dataset, reserveMagUploadToPath, (the client writes the mag at the reserved path), finishMagUploadToPath,
GET the dataset. Its storage paths (on the recording machine) are replaced by a folder in tmp_path, where each test
first writes the mag the server lists, as the datastore's storage would hold it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
from daedalus.core.remote.mag_upload import MagUploadError
from recorded import body, interactions, reply
from wk_replay import Interaction

import daedalus as wk

RECORDING = "test_cli/test_convert_upload_downsample.yml"
RECORDED_ROOT = "/Users/norman/scalableminds/webknossos/binaryData"
DATASET_ID = "69aed4c06eb20670afef772f"
DIRECTORY = f"test_remote_convert-{DATASET_ID}"
RESERVED = f"Organization_X/.virtual/{DIRECTORY}/tiff/2-2-1__IESa6fYouowmjelg"
RESERVE = f"/api/v12/datasets/{DATASET_ID}/reserveMagUploadToPath"
FINISH = f"/api/v12/datasets/{DATASET_ID}/finishMagUploadToPath"
INFO = f"/api/v12/datasets/{DATASET_ID}"
RECORDED_BOX = '"width":265,"height":265,"depth":257'
SIZE = (67, 67, 33)  # the layer's box in the replies (smaller than recorded, for speed; odd, so borders are partial)
VOXEL_SIZE = (11.24, 11.24, 25)


def recorded_body(path: str) -> Any:
    """The JSON body the reference sent to ``path``."""
    return next(json.loads(body(i["request"])) for i in interactions(RECORDING) if i["request"]["path"] == path)


def blocky(shape: tuple[int, int, int], factors: tuple[int, int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(fine, coarse): random coarse voxels, and the fine volume of ``shape`` repeating each ``factors`` times, so
    that every interpolation mode downsamples ``fine`` to ``coarse`` (and upsampling ``coarse`` gives ``fine``)."""
    coarse_shape = tuple(-(-s // f) for s, f in zip(shape, factors))
    coarse = np.random.default_rng(seed).integers(1, 255, coarse_shape, dtype=np.uint8)
    fine = coarse
    for axis, factor in enumerate(factors):
        fine = np.repeat(fine, factor, axis=axis)
    return np.ascontiguousarray(fine[: shape[0], : shape[1], : shape[2]]), coarse


def write_storage(root: Path, mag: Any, data: np.ndarray) -> Path:
    """Write the datastore's copy of the dataset (layer ``tiff``, one mag) below ``root``; returns the mag's path."""
    local = wk.Dataset(root / "Organization_X" / DIRECTORY, voxel_size=VOXEL_SIZE)
    layer = local.add_layer("tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), SIZE))
    mag_view = layer.add_mag(mag)
    mag_view.write(data, absolute_offset=(0, 0, 0))
    return Path(mag_view.path)


def storage_at(root: Path, **more: str) -> dict[str, str]:
    """The replay server's ``replace``: recorded storage paths into ``root``, the layer's box made ``SIZE``."""
    box = f'"width":{SIZE[0]},"height":{SIZE[1]},"depth":{SIZE[2]}'
    return {**more, RECORDED_BOX: box, RECORDED_ROOT: str(root)}


def requests(server: Any) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.received]


def open_remote(server: Any, **options: Any) -> wk.RemoteDataset:
    return wk.RemoteDataset.open(f"{server.url}/datasets/{DIRECTORY}", **options)


EXCHANGES = [("GET", INFO), ("POST", RESERVE), ("POST", FINISH), ("GET", INFO)]


def test_remote_layer_downsample_writes_the_mag_at_the_reserved_path_then_finishes_it(
    wk_server: Any, tmp_path: Path
) -> None:
    fine, coarse = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    layer = dataset.get_layer("tiff")
    layer.downsample(coarsest_mag=wk.Mag(2), transfer_mode=wk.TransferMode.COPY)

    assert requests(server) == EXCHANGES
    sent = [json.loads(r.body) for r in server.received if r.method == "POST"]
    assert sent == [recorded_body(RESERVE), recorded_body(FINISH)]
    reserved = tmp_path / "storage" / RESERVED
    assert (reserved / "zarr.json").is_file(), "the new mag's array is at the reserved path"
    assert set(layer.mags) == {wk.Mag(1), wk.Mag((2, 2, 1))}, "the layer lists the mag the server lists afterwards"
    assert Path(layer.get_mag("2-2-1").path) == reserved
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read()[0], coarse)


def test_remote_dataset_downsample_adds_the_missing_mags_of_every_layer(wk_server: Any, tmp_path: Path) -> None:
    fine, coarse = blocky(SIZE, (2, 2, 1), seed=1)
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    dataset.downsample(coarsest_mag=wk.Mag(2))

    assert requests(server) == EXCHANGES
    np.testing.assert_array_equal(dataset.get_layer("tiff").get_mag("2-2-1").read()[0], coarse)


def test_remote_layer_upsample_writes_the_finer_mag_at_the_reserved_path(wk_server: Any, tmp_path: Path) -> None:
    """The recorded dataset rewritten to hold Mag 4-4-2 (instead of 1); upsampling it to 2-2-1 reserves 2-2-1."""
    storage = tmp_path / "storage"
    fine, coarse = blocky((34, 34, 33), (2, 2, 2), seed=2)  # Mag 2-2-1 of the box, and Mag 4-4-2
    write_storage(storage, (4, 4, 2), coarse)
    mag_1 = f'"mag":[1,1,1],"path":"{RECORDED_ROOT}/Organization_X/{DIRECTORY}/tiff/1"'
    replace = storage_at(
        storage,
        **{
            '"resolutions":[[1,1,1]]': '"resolutions":[[4,4,2]]',
            '"resolutions":[[1,1,1],[2,2,1]]': '"resolutions":[[2,2,1],[4,4,2]]',
            mag_1: f'"mag":[4,4,2],"path":"{storage}/Organization_X/{DIRECTORY}/tiff/4-4-2"',
        },
    )
    server = wk_server(RECORDING, replace=replace)
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    layer = dataset.get_layer("tiff")
    layer.upsample(wk.Mag((4, 4, 2)), finest_mag=wk.Mag((2, 2, 1)))

    assert requests(server) == EXCHANGES
    assert set(layer.mags) == {wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read()[0], fine)


def test_a_refused_reservation_is_reported_and_nothing_is_written(wk_server: Any, tmp_path: Path) -> None:
    fine, _ = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    server.reply_next(403, '{"messages":[{"error":"Access denied"}]}', method="POST", path_prefix=RESERVE)
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    with pytest.raises(MagUploadError, match="refused to reserve") as caught:
        dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))
    assert "2-2-1" in str(caught.value) and "'tiff'" in str(caught.value)
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)], "no finish after a refused reservation"
    assert not (tmp_path / "storage" / "Organization_X" / ".virtual").exists()
    assert set(dataset.get_layer("tiff").mags) == {wk.Mag(1)}


def test_a_reserved_path_this_machine_cannot_reach_is_named_and_left_pending(wk_server: Any, tmp_path: Path) -> None:
    """Mag 1 is reached (through another mount), the recorded reserved path (of the recording machine) is not."""
    fine, _ = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    source = f"{RECORDED_ROOT}/Organization_X/{DIRECTORY}/tiff/1"
    mounted = str(tmp_path / "storage" / "Organization_X" / DIRECTORY / "tiff" / "1")
    replace = {source: mounted, RECORDED_BOX: storage_at(tmp_path)[RECORDED_BOX]}
    server = wk_server(RECORDING, replace=replace)
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    with pytest.raises(MagUploadError) as caught:
        dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))
    message = str(caught.value)
    assert f"{RECORDED_ROOT}/{RESERVED}" in message and "not reachable" in message
    assert "mounted" in message and "pending" in message
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)], "an unwritten mag is not finished"
    assert not Path(RECORDED_ROOT).exists()


def test_a_failure_while_writing_is_reported_and_the_mag_is_not_finished(wk_server: Any, tmp_path: Path) -> None:
    fine, _ = blocky(SIZE, (2, 2, 1))
    mag_path = write_storage(tmp_path / "storage", 1, fine)
    shards = [p for p in mag_path.rglob("*") if p.is_file() and p.name != "zarr.json"]
    assert shards, "mag 1 has data files"
    for shard in shards:  # the source cannot be read: the new mag cannot be computed
        shard.write_bytes(b"not a shard")
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    with pytest.raises(MagUploadError) as caught:
        dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))
    message = str(caught.value)
    assert "Writing Mag 2-2-1 of layer 'tiff'" in message and str(tmp_path / "storage" / RESERVED) in message
    assert "not finished" in message and "pending" in message
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)]
    assert set(dataset.get_layer("tiff").mags) == {wk.Mag(1)}


def test_a_read_only_remote_dataset_refuses_before_reserving(wk_server: Any, tmp_path: Path) -> None:
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH, read_only=True)
    with pytest.raises(RuntimeError, match="read-only"):
        dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))
    with pytest.raises(RuntimeError, match="read-only"):
        dataset.downsample()
    assert requests(server) == [("GET", INFO)]


def streamed_properties(dataset_id: str, mags: list[list[int]]) -> Interaction:
    """A reply to GET ``datasource-properties.json`` of the datastore's zarr view of the dataset, made from the one
    recorded for the uploaded dataset (the recording reads this dataset through its paths only)."""
    recorded = json.loads(reply(RECORDING, "/data/v12/zarr/69aefb7b6eb20603afef7735/datasource-properties.json"))
    recorded["id"]["name"] = DIRECTORY
    entry = recorded["dataLayers"][0]["mags"][0]
    recorded["dataLayers"][0]["mags"] = [
        {**entry, "mag": m, "path": f"./tiff/{wk.Mag(m).to_layer_name()}"} for m in mags
    ]
    path = f"/data/v12/zarr/{dataset_id}/datasource-properties.json"
    headers = {"content-type": "application/json"}
    return Interaction("GET", path, [], b"", "", 200, headers, json.dumps(recorded, separators=(",", ":")).encode())


def test_with_zarr_streaming_the_source_mag_is_read_from_its_path_when_reachable(
    wk_server: Any, tmp_path: Path
) -> None:
    fine, coarse = blocky(SIZE, (2, 2, 1), seed=3)
    write_storage(tmp_path / "storage", 1, fine)
    extra = [streamed_properties(DATASET_ID, [[1, 1, 1]]), streamed_properties(DATASET_ID, [[1, 1, 1], [2, 2, 1]])]
    server = wk_server(RECORDING, extra=extra, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server)
    assert dataset.access_mode is wk.RemoteAccessMode.ZARR_STREAMING
    dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))

    properties = ("GET", f"/data/v12/zarr/{DATASET_ID}/datasource-properties.json")
    assert requests(server) == [
        ("GET", INFO),
        properties,
        ("POST", RESERVE),
        ("POST", FINISH),
        ("GET", INFO),
        properties,
    ]
    reserved = tmp_path / "storage" / RESERVED
    written = zarr.open_array(str(reserved), mode="r")  # read by another zarr implementation: (c, x, y, z)
    np.testing.assert_array_equal(written[0, : coarse.shape[0], : coarse.shape[1], : coarse.shape[2]], coarse)


def test_a_look_alike_folder_without_the_datasets_data_is_not_taken_for_the_storage(
    wk_server: Any, tmp_path: Path
) -> None:
    """The reserved path's parents exist here (an empty ``storage`` folder) but hold none of the dataset's data (Mag 1
    is reached elsewhere): writing there would give the server nothing, so it is refused and not finished."""
    fine, _ = blocky(SIZE, (2, 2, 1))
    mag_1 = write_storage(tmp_path / "elsewhere", 1, fine)
    (tmp_path / "storage").mkdir()
    source = f"{RECORDED_ROOT}/Organization_X/{DIRECTORY}/tiff/1"
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage", **{source: str(mag_1)}))
    dataset = open_remote(server, access_mode=wk.RemoteAccessMode.DIRECT_PATH)
    with pytest.raises(MagUploadError, match="not reachable") as caught:
        dataset.get_layer("tiff").downsample(coarsest_mag=wk.Mag(2))
    assert str(tmp_path / "storage" / RESERVED) in str(caught.value)
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)]
    assert list((tmp_path / "storage").iterdir()) == [], "nothing is written into the look-alike folder"
