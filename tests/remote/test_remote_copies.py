"""Copies of voxel data into a dataset on a WEBKNOSSOS server: RemoteLayer.add_mag_as_copy, add_layer_as_copy.

The recording test_cli/test_convert_upload_downsample.yml ends with a client adding Mag 2-2-1 to a dataset: GET the
dataset, reserveMagUploadToPath, (the client writes the mag at the reserved path), finishMagUploadToPath, GET. A copy
of a local Mag 2-2-1 is exactly that exchange. Its storage paths are replaced by a folder in tmp_path, where each
test first writes the Mag 1 the server lists (as the datastore's storage would hold it). Exchanges the recording
lacks (a PATCH growing the bounding box, a layer added before its mags are copied) are stand-ins built from the
recorded replies, named in the tests that use them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
from daedalus.core.errors import LayerExistsError
from daedalus.core.remote.mag_upload import MagUploadError
from recorded import body, interactions, reply
from test_remote_mag_upload import (
    DIRECTORY,
    EXCHANGES,
    FINISH,
    INFO,
    RECORDED_BOX,
    RECORDED_ROOT,
    RECORDING,
    RESERVE,
    RESERVED,
    SIZE,
    VOXEL_SIZE,
    blocky,
    open_remote,
    recorded_body,
    requests,
    storage_at,
    streamed_properties,
    write_storage,
)
from wk_replay import Interaction

import daedalus as wk

DIRECT = wk.RemoteAccessMode.DIRECT_PATH
PATCH = f"/api/v12/datasets/{INFO.rsplit('/', 1)[1]}/updatePartial"


def local_mag(root: Path, mag: Any, data: np.ndarray, *, data_format: str = "zarr3", size: Any = SIZE) -> Any:
    """Mag ``mag`` of layer ``tiff`` of a local dataset below ``root`` (the source of a copy), holding ``data``."""
    dataset = wk.Dataset(root, voxel_size=VOXEL_SIZE)
    layer = dataset.add_layer(
        "tiff", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), size), data_format=data_format
    )
    mag_view = layer.add_mag(mag)
    mag_view.write(data, absolute_offset=(0, 0, 0))
    return mag_view


def setup(wk_server: Any, tmp_path: Path, extra: Any = None, **replace: str) -> tuple[Any, Any, np.ndarray]:
    """The replay server, the remote layer ``tiff`` (direct paths) and the local Mag 2-2-1 data to copy."""
    fine, coarse = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, extra=extra, replace=storage_at(tmp_path / "storage", **replace))
    return server, open_remote(server, access_mode=DIRECT).get_layer("tiff"), coarse


def stored_files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mode", [wk.TransferMode.COPY, wk.TransferMode.HTTP])
def test_add_mag_as_copy_writes_the_mag_at_the_reserved_path_then_finishes_it(
    wk_server: Any, tmp_path: Path, mode: Any
) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse)
    added = layer.add_mag_as_copy(source, transfer_mode=mode)

    assert requests(server) == EXCHANGES
    sent = [json.loads(r.body) for r in server.received if r.method == "POST"]
    assert sent == [recorded_body(RESERVE), recorded_body(FINISH)]
    reserved = tmp_path / "storage" / RESERVED
    assert Path(added.path) == reserved and added.mag == wk.Mag((2, 2, 1))
    assert stored_files(reserved) == stored_files(Path(source.path)), "same layout: the files are copied"
    assert set(layer.mags) == {wk.Mag(1), wk.Mag((2, 2, 1))}, "the layer lists the mags the server lists afterwards"
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read()[0], coarse)


def test_a_dataset_opened_for_zarr_streaming_gets_the_copy_at_the_reserved_path_too(
    wk_server: Any, tmp_path: Path
) -> None:
    """Stand-ins: the datastore's zarr view of the dataset before and after (see test_remote_mag_upload.py)."""
    dataset_id = INFO.rsplit("/", 1)[1]
    extra = [streamed_properties(dataset_id, [[1, 1, 1]]), streamed_properties(dataset_id, [[1, 1, 1], [2, 2, 1]])]
    fine, coarse = blocky(SIZE, (2, 2, 1), seed=7)
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, extra=extra, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server)
    assert dataset.access_mode is wk.RemoteAccessMode.ZARR_STREAMING
    dataset.get_layer("tiff").add_mag_as_copy(local_mag(tmp_path / "src", (2, 2, 1), coarse))

    properties = ("GET", f"/data/v12/zarr/{dataset_id}/datasource-properties.json")
    assert requests(server) == [
        ("GET", INFO),
        properties,
        ("POST", RESERVE),
        ("POST", FINISH),
        ("GET", INFO),
        properties,
    ]
    written = zarr.open_array(str(tmp_path / "storage" / RESERVED), mode="r")
    np.testing.assert_array_equal(written[0, : coarse.shape[0], : coarse.shape[1], : coarse.shape[2]], coarse)
    assert wk.Mag((2, 2, 1)) in dataset.get_layer("tiff").mags


def test_a_mag_of_another_format_is_recoded_at_the_reserved_path(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse, data_format="wkw")
    layer.add_mag_as_copy(Path(source.path))  # a path is accepted too

    assert requests(server) == EXCHANGES
    written = zarr.open_array(str(tmp_path / "storage" / RESERVED), mode="r")  # zarr3 like the layer: (c, x, y, z)
    np.testing.assert_array_equal(written[0, : coarse.shape[0], : coarse.shape[1], : coarse.shape[2]], coarse)


def test_symlink_links_the_reserved_path_to_the_source(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse)
    layer.add_mag_as_copy(source, transfer_mode=wk.TransferMode.SYMLINK)

    assert requests(server) == EXCHANGES
    reserved = tmp_path / "storage" / RESERVED
    assert reserved.is_symlink() and os.path.realpath(reserved) == os.path.realpath(source.path)
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read()[0], coarse)


def test_move_and_symlink_moves_the_source_to_the_reserved_path(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse)
    source_path = Path(source.path)
    layer.add_mag_as_copy(source, transfer_mode=wk.TransferMode.MOVE_AND_SYMLINK)

    assert requests(server) == EXCHANGES
    reserved = tmp_path / "storage" / RESERVED
    assert reserved.is_dir() and not reserved.is_symlink(), "the data now lives at the reserved path"
    assert source_path.is_symlink() and os.path.realpath(source_path) == os.path.realpath(reserved)
    np.testing.assert_array_equal(layer.get_mag("2-2-1").read()[0], coarse)


def test_a_linked_mag_of_another_format_is_refused_and_not_finished(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse, data_format="wkw")
    with pytest.raises(MagUploadError, match="stored as wkw.*TransferMode.COPY"):
        layer.add_mag_as_copy(source, transfer_mode=wk.TransferMode.SYMLINK)
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)]
    assert not (tmp_path / "storage" / RESERVED).exists()


def test_a_larger_source_grows_the_layers_bounding_box_on_the_server(wk_server: Any, tmp_path: Path) -> None:
    """Stand-ins: the PATCH of the data source (the recording's client sent none, its mag fit the layer) and the
    GETs before it (the data source to change) and after it, answered with the recorded last GET."""
    patch = Interaction("PATCH", PATCH, [], b"", "", 200, {}, b"")
    last = [i for i in interactions(RECORDING) if i["request"]["method"] == "GET" and i["request"]["path"] == INFO][-1]
    headers = {"content-type": "application/json"}
    again = [Interaction("GET", INFO, [], b"", "", 200, headers, body(last["response"])) for _ in range(2)]
    server, layer, _ = setup(wk_server, tmp_path, extra=[again[0], patch, again[1]])
    server.match_body = False
    big = (SIZE[0] + 13, SIZE[1], SIZE[2])
    fine, coarse = blocky(big, (2, 2, 1), seed=4)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse, size=big)
    layer.add_mag_as_copy(source)

    assert requests(server) == [*EXCHANGES, ("GET", INFO), ("PATCH", PATCH), ("GET", INFO)]
    (sent,) = [json.loads(r.body) for r in server.received if r.method == "PATCH"]
    (tiff,) = sent["dataSource"]["dataLayers"]
    assert tiff["boundingBox"] == {"topLeft": [0, 0, 0], "width": big[0], "height": big[1], "depth": big[2]}
    assert [m["mag"] for m in tiff["mags"]] == [[1, 1, 1], [2, 2, 1]]
    written = zarr.open_array(str(tmp_path / "storage" / RESERVED), mode="r")
    np.testing.assert_array_equal(written[0, : coarse.shape[0], : coarse.shape[1], : coarse.shape[2]], coarse)


def test_without_extend_layer_bounding_box_the_box_is_not_sent(wk_server: Any, tmp_path: Path) -> None:
    server, layer, _ = setup(wk_server, tmp_path)
    big = (SIZE[0] + 13, SIZE[1], SIZE[2])
    _, coarse = blocky(big, (2, 2, 1), seed=5)
    layer.add_mag_as_copy(local_mag(tmp_path / "src", (2, 2, 1), coarse, size=big), extend_layer_bounding_box=False)
    assert requests(server) == EXCHANGES


def test_a_source_that_cannot_be_read_is_reported_not_finished_and_removed(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse, data_format="zarr")  # recoded into zarr3
    chunks = [p for p in Path(source.path).rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert chunks, "the source has chunk files"
    for chunk in chunks:
        chunk.write_bytes(b"not a chunk")
    with pytest.raises(MagUploadError) as caught:
        layer.add_mag_as_copy(source)
    message = str(caught.value)
    assert "Writing Mag 2-2-1 of layer 'tiff'" in message and str(tmp_path / "storage" / RESERVED) in message
    assert "not finished" in message and "pending" in message
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)]
    assert not (tmp_path / "storage" / RESERVED).exists(), "the partial copy is removed"
    assert set(layer.mags) == {wk.Mag(1)}


def test_a_reserved_path_this_machine_cannot_reach_is_named_and_left_pending(wk_server: Any, tmp_path: Path) -> None:
    fine, coarse = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    mounted = str(tmp_path / "storage" / "Organization_X" / DIRECTORY / "tiff" / "1")
    source = f"{RECORDED_ROOT}/Organization_X/{DIRECTORY}/tiff/1"
    server = wk_server(RECORDING, replace={source: mounted, RECORDED_BOX: storage_at(tmp_path)[RECORDED_BOX]})
    layer = open_remote(server, access_mode=DIRECT).get_layer("tiff")
    with pytest.raises(MagUploadError, match="not reachable") as caught:
        layer.add_mag_as_copy(local_mag(tmp_path / "src", (2, 2, 1), coarse))
    assert f"{RECORDED_ROOT}/{RESERVED}" in str(caught.value) and "pending" in str(caught.value)
    assert requests(server) == [("GET", INFO), ("POST", RESERVE)]
    assert not Path(RECORDED_ROOT).exists()


def test_wrong_sources_are_refused_before_anything_is_reserved(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    seg = wk.Dataset(tmp_path / "other", voxel_size=VOXEL_SIZE).add_layer("s", wk.COLOR_CATEGORY, dtype="uint16")
    with pytest.raises(ValueError, match="uint16"):
        layer.add_mag_as_copy(seg.add_mag(2))
    with pytest.raises(MagUploadError, match="already has Mag 1"):
        layer.add_mag_as_copy(local_mag(tmp_path / "src", 1, np.ones(SIZE, np.uint8)))
    with pytest.raises(FileNotFoundError, match="not a mag of a dataset"):
        layer.add_mag_as_copy(tmp_path / "nowhere" / "tiff" / "1")
    assert requests(server) == [("GET", INFO)]


def test_a_read_only_remote_dataset_refuses_copies(wk_server: Any, tmp_path: Path) -> None:
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"))
    dataset = open_remote(server, access_mode=DIRECT, read_only=True)
    source = local_mag(tmp_path / "src", (2, 2, 1), np.ones((34, 34, 33), np.uint8))
    with pytest.raises(RuntimeError, match="read-only"):
        dataset.get_layer("tiff").add_mag_as_copy(source)
    with pytest.raises(RuntimeError, match="read-only"):
        dataset.add_layer_as_copy(source.layer, "copy")
    assert requests(server) == [("GET", INFO)]


# ------------------------------------------------------------------ layers


def info_with_layer(tmp_path: Path, name: str, mags: list[str]) -> bytes:
    """Stand-in GET reply: the recorded dataset with a layer ``name`` (a copy of ``tiff``) holding ``mags`` at
    reserved paths below tmp_path's storage."""
    info = json.loads(reply(RECORDING, INFO))
    tiff = info["dataSource"]["dataLayers"][0]
    virtual = tmp_path / "storage" / "Organization_X" / ".virtual" / DIRECTORY / name
    entries = [{"mag": wk.Mag(m).to_list(), "path": str(virtual / f"{m}__reserved")} for m in mags]
    info["dataSource"]["dataLayers"].append(
        {**tiff, "name": name, "mags": entries, "resolutions": [e["mag"] for e in entries]}
    )
    return json.dumps(info, separators=(",", ":")).encode()  # the server's ``replace`` applies to it too


def layer_copy_exchanges(tmp_path: Path, name: str, mags: list[str]) -> list[Interaction]:
    """Stand-ins for a layer copy (the recording adds a mag to an existing layer only): GET of the data source to
    change, PATCH adding the layer, GET listing it, then per mag reserve (its reply a path for the new layer),
    finish and GET."""
    headers = {"content-type": "application/json"}
    exchanges = [
        Interaction("GET", INFO, [], b"", "", 200, headers, reply(RECORDING, INFO)),
        Interaction("PATCH", PATCH, [], b"", "", 200, {}, b""),
        Interaction("GET", INFO, [], b"", "", 200, headers, info_with_layer(tmp_path, name, [])),
    ]
    virtual = tmp_path / "storage" / "Organization_X" / ".virtual" / DIRECTORY / name
    for index, mag in enumerate(mags):
        path = json.dumps(str(virtual / f"{mag}__reserved")).encode()
        exchanges += [
            Interaction("POST", RESERVE, [], b"", "", 200, headers, path),
            Interaction("POST", FINISH, [], b"", "", 200, {}, b""),
            Interaction("GET", INFO, [], b"", "", 200, headers, info_with_layer(tmp_path, name, mags[: index + 1])),
        ]
    return exchanges


def layer_server(wk_server: Any, tmp_path: Path, name: str, mags: list[str]) -> Any:
    """A server answering the recorded GET of the dataset, then the stand-ins of ``layer_copy_exchanges``."""
    fine, _ = blocky(SIZE, (2, 2, 1))
    write_storage(tmp_path / "storage", 1, fine)
    server = wk_server(RECORDING, replace=storage_at(tmp_path / "storage"), match_body=False)
    first = next(i for i in server.interactions if i.method == "GET" and i.path == INFO)
    server.interactions = [first, *layer_copy_exchanges(tmp_path, name, mags)]
    return server


def test_add_layer_as_copy_adds_the_layer_then_copies_each_mag_at_its_reserved_path(
    wk_server: Any, tmp_path: Path
) -> None:
    fine, coarse = blocky(SIZE, (2, 2, 1), seed=6)
    source = local_mag(tmp_path / "src", 1, fine)
    source.layer.add_mag((2, 2, 1)).write(coarse, absolute_offset=(0, 0, 0))
    server = layer_server(wk_server, tmp_path, "copy", ["1", "2-2-1"])
    dataset = open_remote(server, access_mode=DIRECT)
    copied = dataset.add_layer_as_copy(source.layer, "copy", transfer_mode=wk.TransferMode.COPY)

    assert requests(server) == [("GET", INFO), ("GET", INFO), ("PATCH", PATCH), ("GET", INFO)] + 2 * [
        ("POST", RESERVE),
        ("POST", FINISH),
        ("GET", INFO),
    ]
    (patch,) = [json.loads(r.body) for r in server.received if r.method == "PATCH"]
    added = patch["dataSource"]["dataLayers"][1]
    assert (added["name"], added["mags"], added["elementClass"]) == ("copy", [], "uint8")
    assert added["boundingBox"] == {"topLeft": [0, 0, 0], "width": SIZE[0], "height": SIZE[1], "depth": SIZE[2]}
    reserves = [json.loads(r.body) for r in server.received if r.path == RESERVE]
    expected = recorded_body(RESERVE)
    assert reserves == [{**expected, "layerName": "copy", "mag": [1, 1, 1]}, {**expected, "layerName": "copy"}]
    assert set(copied.mags) == {wk.Mag(1), wk.Mag((2, 2, 1))}
    np.testing.assert_array_equal(copied.get_mag(1).read()[0], fine)
    np.testing.assert_array_equal(copied.get_mag("2-2-1").read()[0], coarse)


def test_a_layer_with_attachments_is_refused_unless_with_attachments_is_false(wk_server: Any, tmp_path: Path) -> None:
    local = wk.Dataset(tmp_path / "src", voxel_size=VOXEL_SIZE)
    seg = local.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint8", largest_segment_id=1)
    seg.bounding_box = wk.BoundingBox((0, 0, 0), SIZE)
    seg.add_mag(1).write(np.ones(SIZE, np.uint8), absolute_offset=(0, 0, 0))
    (tmp_path / "mesh.hdf5").write_bytes(b"mesh")
    seg.attachments.add_attachment_as_ref(
        wk.MeshAttachment.from_path_and_name(tmp_path / "mesh.hdf5", "m", data_format="hdf5")
    )
    server = layer_server(wk_server, tmp_path, "seg", ["1"])
    dataset = open_remote(server, access_mode=DIRECT)
    with pytest.raises(RuntimeError, match=r"attachments \['m'\].*with_attachments=False"):
        dataset.add_layer_as_copy(seg)
    assert requests(server) == [("GET", INFO)], "nothing is changed on the server"


def test_a_layer_name_that_exists_is_refused(wk_server: Any, tmp_path: Path) -> None:
    server, layer, coarse = setup(wk_server, tmp_path)
    source = local_mag(tmp_path / "src", (2, 2, 1), coarse)
    with pytest.raises(LayerExistsError, match="already has a layer 'tiff'.*new_layer_name"):
        layer.dataset.add_layer_as_copy(source.layer)
    assert requests(server) == [("GET", INFO)]
