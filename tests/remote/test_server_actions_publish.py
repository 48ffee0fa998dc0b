"""Dataset.publish_to_preliminary_dataset: the local properties sent for path reservation, each mag transferred to
its reserved path, then the upload finished (synthetic server replies: no recording has this exchange)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from wk_replay import Interaction

import daedalus as wk

DATASET_ID = "aaaaaaaaaaaaaaaaaaaaaaaa"
RESERVE = f"/api/v12/datasets/{DATASET_ID}/reserveUploadToPathsForPreliminary"
FINISH = f"/api/v12/datasets/{DATASET_ID}/finishUploadToPaths"


def _local(tmp_path) -> wk.Dataset:
    ds = wk.Dataset(tmp_path / "local", voxel_size=(1, 1, 1))
    color = ds.add_layer(
        "color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (10, 10, 10))
    )
    color.add_mag(1).write(np.arange(1000, dtype=np.uint8).reshape(1, 10, 10, 10), absolute_offset=(0, 0, 0))
    return ds


def _server(wk_server, ds: wk.Dataset, reserved_root, rename_layer: str | None = None):
    props = json.loads((ds.path / "datasource-properties.json").read_text())
    for layer in props["dataLayers"]:
        for mag in layer["mags"]:
            mag["path"] = str(reserved_root / layer["name"] / f"reserved_{mag['mag'][0]}")
        layer["name"] = rename_layer or layer["name"]
    reply = json.dumps({"dataSource": props}).encode()
    json_reply = {"content-type": "application/json"}
    return wk_server(
        "default.yml",
        extra=[
            Interaction("POST", RESERVE, [], b"", "", 200, json_reply, reply),
            Interaction("POST", FINISH, [], b"", "", 200, {}, b""),
        ],
        match_body=False,
    )


def test_publish_copies_each_mag_to_its_reserved_path_then_finishes(wk_server, tmp_path) -> None:
    ds = _local(tmp_path)
    server = _server(wk_server, ds, tmp_path / "reserved")

    assert ds.publish_to_preliminary_dataset(DATASET_ID, path_prefix="/prefix") is None

    assert [r.path for r in server.received] == [RESERVE, FINISH]
    sent = json.loads(server.received[0].body)
    assert sent == {
        "dataSource": json.loads((ds.path / "datasource-properties.json").read_text()),
        "pathPrefix": "/prefix",
    }
    source, target = ds.path / "color" / "1", tmp_path / "reserved" / "color" / "reserved_1"
    files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert all((source / f).read_bytes() == (target / f).read_bytes() for f in files)
    assert (ds.path / "color" / "1").is_dir() and not (ds.path / "color" / "1").is_symlink()  # copied, kept


def test_publish_with_move_and_symlink_leaves_a_link(wk_server, tmp_path) -> None:
    ds = _local(tmp_path)
    _server(wk_server, ds, tmp_path / "reserved")
    ds.publish_to_preliminary_dataset(DATASET_ID, transfer_mode=wk.TransferMode.MOVE_AND_SYMLINK)
    assert (ds.path / "color" / "1").is_symlink()
    assert (tmp_path / "reserved" / "color" / "reserved_1" / "zarr.json").is_file()


def test_publish_refuses_http_and_reserved_layers_it_does_not_have(wk_server, tmp_path) -> None:
    ds = _local(tmp_path)
    server = _server(wk_server, ds, tmp_path / "reserved", rename_layer="other")
    with pytest.raises(ValueError, match="TransferMode.COPY"):
        ds.publish_to_preliminary_dataset(DATASET_ID, transfer_mode=wk.TransferMode.HTTP)
    with pytest.raises(ValueError, match="dataset_id"):
        ds.publish_to_preliminary_dataset("")
    assert server.received == []
    with pytest.raises(RuntimeError, match="layer 'other'"):
        ds.publish_to_preliminary_dataset(DATASET_ID)
    assert [r.path for r in server.received] == [RESERVE]  # nothing transferred, the upload not finished
    assert not (tmp_path / "reserved").exists()
