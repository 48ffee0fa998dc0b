"""Changing the layers, mags and attachments of a RemoteDataset: the requests sent (shapes observed from the
reference 4.3.3 against the same replays; no recording holds a compose or data-source PATCH), the reload
afterwards, and the refusals."""

from __future__ import annotations

import json

import pytest
from recorded import reply
from wk_replay import Interaction

import daedalus as wk

ID = "59e9cfbdba632ac2ab8b23b5"
OTHER = "aaaaaaaaaaaaaaaaaaaaaaaa"
REC = "test_remote_dataset/test_shallow_copy_remote_layers.yml"  # opens l4_sample once, then reads chunks
INFO = json.loads(reply(REC, f"/api/v12/datasets/{ID}"))
PROPS = json.loads(reply(REC, f"/data/v12/zarr/{ID}/datasource-properties.json"))


def _reply(method: str, path: str, body: object = b"", status: int = 200) -> Interaction:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Interaction(method, path, [], b"", "", status, {"content-type": "application/json"}, raw)


def _json(body: object) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


class _Live(Interaction):
    """A stand-in for the server's state in the replay: answers every matching request (it is never used up) with
    the reply ``state`` holds for its path; when it answers, the replies in ``then`` become the state (a PATCH or
    compose request changes what later GETs of the dataset return)."""

    def __init__(self, state: dict[str, bytes], method: str, path: str, then: dict[str, bytes] | None = None):
        self._state, self._then = state, dict(then or {})
        super().__init__(method, path, [], b"", "", 200, {"content-type": "application/json"}, b"")

    @property  # type: ignore[override]
    def used(self) -> bool:
        return False

    @used.setter
    def used(self, value: bool) -> None:
        if value:
            self._state.update(self._then)

    @property  # type: ignore[override]
    def reply(self) -> bytes:
        return self._state.get(self.path, b"")

    @reply.setter
    def reply(self, value: bytes) -> None:
        pass


def _info_path(dataset_id: str) -> str:
    return f"/api/v12/datasets/{dataset_id}"


def _props_path(dataset_id: str) -> str:
    return f"/data/v12/zarr/{dataset_id}/datasource-properties.json"


def _dataset(dataset_id: str, info: dict, props: dict, state: dict[str, bytes] | None = None) -> list[Interaction]:
    """Replies to every GET of the dataset's information and zarr streaming properties (from ``state``, seeded
    with ``info`` and ``props``)."""
    state = {} if state is None else state
    state.setdefault(_info_path(dataset_id), _json({**info, "id": dataset_id}))
    state.setdefault(_props_path(dataset_id), _json(props))
    return [_Live(state, "GET", _info_path(dataset_id)), _Live(state, "GET", _props_path(dataset_id))]


def _change(
    state: dict[str, bytes], method: str, path: str, info: dict | None = None, props: dict | None = None
) -> Interaction:
    """A change request to dataset ID, after which its GETs return ``info`` / ``props`` (if given)."""
    then = {}
    if info is not None:
        then[_info_path(ID)] = _json({**info, "id": ID})
    if props is not None:
        then[_props_path(ID)] = _json(props)
    return _Live(state, method, path, then)


def _with_layer(props: dict, layer: dict) -> dict:
    return {**props, "dataLayers": [*props["dataLayers"], layer]}


def _sent(server, method: str, suffix: str) -> list[dict]:
    return [json.loads(r.body) for r in server.received if r.method == method and r.path.endswith(suffix)]


def test_add_layer_as_ref_composes_and_reloads(wk_server) -> None:
    new_layer = {**PROPS["dataLayers"][0], "name": "c2"}
    state: dict[str, bytes] = {}
    extra = [
        *_dataset(OTHER, INFO, PROPS, state),
        *_dataset(ID, INFO, PROPS, state),
        _change(state, "POST", f"/api/v12/datasets/{ID}/compose/addLayer", props=_with_layer(PROPS, new_layer)),
    ]
    server = wk_server(REC, extra=extra, match_body=False)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    other = wk.RemoteDataset.open(dataset_id=OTHER)
    layer = ds.add_layer_as_ref(other.get_layer("color"), new_layer_name="c2")
    assert _sent(server, "POST", "/compose/addLayer") == [
        {"sourceDatasetId": OTHER, "sourceLayerName": "color", "targetLayerName": "c2"}
    ]
    assert isinstance(layer, wk.RemoteLayer) and layer.name == "c2"
    assert sorted(ds.layers) == ["c2", "color", "segmentation"]
    assert layer.bounding_box == wk.BoundingBox((3072, 3072, 512), (1024, 1024, 1024))


def test_add_layer_as_ref_refusals(wk_server, tmp_path) -> None:
    server = wk_server(REC, extra=_dataset(OTHER, INFO, PROPS), match_body=False)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    other = wk.RemoteDataset.open(dataset_id=OTHER)
    with pytest.raises(IndexError, match="already has a layer called 'color'"):
        ds.add_layer_as_ref(other.get_layer("color"))
    with pytest.raises(ValueError, match="same dataset"):
        ds.add_layer_as_ref(ds.get_layer("color"), new_layer_name="x")
    local = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1)).add_layer("x", wk.COLOR_CATEGORY)
    with pytest.raises(ValueError, match="only layers of datasets on the same WEBKNOSSOS server"):
        ds.add_layer_as_ref(local)
    with pytest.raises(IndexError, match="no such layer"):
        ds.delete_layer("nope")
    read_only = wk.RemoteDataset.open(dataset_id=OTHER, read_only=True)
    for change in (
        lambda: read_only.add_layer_as_ref(ds.get_layer("color"), new_layer_name="c2"),
        lambda: read_only.add_layer("new", wk.COLOR_CATEGORY),
        lambda: read_only.delete_layer("color"),
        lambda: read_only.get_layer("color").delete_mag(1),
        lambda: read_only.get_layer("color").add_mag_as_ref(ds.get_layer("color").get_mag(1), mag=32),
    ):
        with pytest.raises(RuntimeError, match="read-only"):
            change()
    assert not [r for r in server.received if r.method in ("POST", "PATCH")]


def test_add_layer_patches_the_servers_data_source(wk_server) -> None:
    new_layer = {
        "name": "new",
        "category": "segmentation",
        "dataFormat": "zarr3",
        "elementClass": "uint32",
        "boundingBox": {"topLeft": [1, 2, 3], "width": 10, "height": 20, "depth": 30},
        "mags": [],
        "numChannels": 1,
        "largestSegmentId": 7,
    }
    state: dict[str, bytes] = {}
    extra = [
        *_dataset(ID, INFO, PROPS, state),
        _change(state, "PATCH", f"/api/v12/datasets/{ID}/updatePartial", props=_with_layer(PROPS, new_layer)),
    ]
    server = wk_server(REC, extra=extra, match_body=False)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    with pytest.raises(IndexError, match="already has it"):
        ds.add_layer("color", wk.COLOR_CATEGORY)
    layer = ds.add_layer(
        "new",
        wk.SEGMENTATION_CATEGORY,
        dtype="uint32",
        bounding_box=wk.BoundingBox((1, 2, 3), (10, 20, 30)),
        largest_segment_id=7,
    )
    (patch,) = _sent(server, "PATCH", "/updatePartial")
    assert set(patch) == {"dataSource", "layerRenamings", "attachmentRenamings"}
    layers = patch["dataSource"]["dataLayers"]
    assert [entry["name"] for entry in layers] == ["color", "segmentation", "new"]
    assert layers[0]["dataFormat"] == "wkw"  # the server's data source, not the zarr streaming view
    assert layers[2]["boundingBox"]["topLeft"] == [1, 2, 3] and layers[2]["mags"] == []
    assert isinstance(layer, wk.RemoteSegmentationLayer) and layer.largest_segment_id == 7


def test_add_mag_as_ref_and_delete_mag(wk_server) -> None:
    with_mag = json.loads(json.dumps(PROPS))
    with_mag["dataLayers"][0]["mags"].append({"mag": [32, 32, 32], "path": "./color/32"})
    without = json.loads(json.dumps(PROPS))
    without["dataLayers"][0]["mags"] = [m for m in without["dataLayers"][0]["mags"] if m["mag"] != [16, 16, 4]]
    state: dict[str, bytes] = {}
    extra = [
        *_dataset(OTHER, INFO, PROPS, state),
        *_dataset(ID, INFO, PROPS, state),
        _change(state, "POST", f"/api/v12/datasets/{ID}/compose/addMag", props=with_mag),
        _change(state, "PATCH", f"/api/v12/datasets/{ID}/updatePartial", props=without),
    ]
    server = wk_server(REC, extra=extra, match_body=False)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    other = wk.RemoteDataset.open(dataset_id=OTHER)
    layer = ds.get_layer("color")
    mag = layer.add_mag_as_ref(other.get_layer("segmentation").get_mag(1), mag=32)
    assert _sent(server, "POST", "/compose/addMag") == [
        {
            "sourceDatasetId": OTHER,
            "sourceLayerName": "segmentation",
            "targetLayerName": "color",
            "sourceMag": [1, 1, 1],
            "targetMag": [32, 32, 32],
        }
    ]
    assert mag.mag == wk.Mag(32) and wk.Mag(32) in layer.mags  # the caller's layer object sees the new mag
    assert ds.get_layer("color") is layer and mag.layer is layer
    with pytest.raises(IndexError, match="exists already"):
        layer.add_mag_as_ref(other.get_layer("color").get_mag(1), mag=32)
    with pytest.raises(ValueError, match="paths are not accepted"):
        layer.add_mag_as_ref("/some/local/path/color/1")
    with pytest.raises(IndexError, match="has mags"):
        layer.delete_mag(64)
    ds.get_layer("color").delete_mag("16-16-4")
    (patch,) = _sent(server, "PATCH", "/updatePartial")
    color = patch["dataSource"]["dataLayers"][0]
    assert [m["mag"] for m in color["mags"]] == [[1, 1, 1], [2, 2, 1], [4, 4, 1], [8, 8, 2]]
    assert wk.Mag("16-16-4") not in ds.get_layer("color").mags


def test_copies_of_sources_that_are_no_layer_or_mag_are_refused_before_any_change(wk_server, tmp_path) -> None:
    """Copies themselves are tested in test_remote_copies.py (they write at the paths the server reserves)."""
    server = wk_server(REC)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    with pytest.raises(FileNotFoundError, match="not a layer of a dataset"):
        ds.add_layer_as_copy(tmp_path / "ds" / "x", "x")
    with pytest.raises(FileNotFoundError, match="not a mag of a dataset"):
        ds.get_layer("color").add_mag_as_copy(tmp_path / "ds" / "x" / "1")
    local = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1)).add_layer("x", wk.COLOR_CATEGORY, dtype="uint16")
    with pytest.raises(ValueError, match="uint16"):
        ds.get_layer("color").add_mag_as_copy(local.add_mag(1))
    assert not [r for r in server.received if r.method in ("POST", "PATCH")]


def test_view_configuration_is_read_from_the_server(wk_server) -> None:
    config = {"layers": {"color": {"color": [255, 0, 0], "alpha": 80, "isDisabled": False}}}
    server = wk_server(REC, extra=[_reply("POST", f"/api/v12/datasetConfigurations/{ID}", config)], match_body=False)
    ds = wk.RemoteDataset.open(dataset_id=ID)
    view = ds.get_layer("color").view_configuration
    assert view.color == (255, 0, 0) and view.alpha == 80
    assert _sent(server, "POST", f"/datasetConfigurations/{ID}") == [[]]


ATTACHMENTS = {
    "agglomerates": [{"name": "map_all", "path": "s3://bucket/agg/map_all", "dataFormat": "zarr3"}],
    "meshes": [{"name": "meshfile", "path": "s3://bucket/mesh.hdf5", "dataFormat": "hdf5"}],
    "connectomes": [],
}


def _info_with(attachments: dict) -> dict:
    info = json.loads(json.dumps(INFO))
    info["dataSource"]["dataLayers"][1]["attachments"] = attachments
    return info


def test_remote_attachments_come_from_the_servers_data_source(wk_server) -> None:
    renamed = {**ATTACHMENTS, "agglomerates": [{**ATTACHMENTS["agglomerates"][0], "name": "renamed"}]}
    state = {_info_path(ID): _json({**_info_with(ATTACHMENTS), "id": ID})}
    extra = [
        *_dataset(ID, INFO, PROPS, state),
        _change(state, "PATCH", f"/api/v12/datasets/{ID}/updatePartial", info=_info_with(renamed)),
    ]
    server = wk_server(REC, extra=extra, match_body=False)
    seg = wk.RemoteDataset.open(dataset_id=ID).get_segmentation_layer("segmentation")
    attachments = seg.attachments
    assert isinstance(attachments, wk.RemoteAttachments)
    (agglomerate,) = attachments.agglomerates  # the zarr streaming properties have no attachments
    assert agglomerate.name == "map_all" and str(agglomerate.path) == "s3://bucket/agg/map_all"
    result = attachments.rename_attachment(agglomerate, new_name="renamed")
    assert result.name == "renamed"
    (patch,) = _sent(server, "PATCH", "/updatePartial")
    assert patch["attachmentRenamings"] == [
        {"layerName": "segmentation", "attachmentType": "agglomerate", "oldName": "map_all", "newName": "renamed"}
    ]
    sent = patch["dataSource"]["dataLayers"][1]["attachments"]["agglomerates"]
    assert [a["name"] for a in sent] == ["renamed"]


def test_attachment_reference_and_refusals(wk_server, tmp_path) -> None:
    with_agg2 = _info_with({"agglomerates": [{**ATTACHMENTS["agglomerates"][0], "name": "agg2"}]})
    state: dict[str, bytes] = {}
    extra = [
        *_dataset(OTHER, _info_with(ATTACHMENTS), PROPS, state),
        *_dataset(ID, INFO, PROPS, state),
        _change(state, "POST", f"/api/v12/datasets/{ID}/compose/addAttachment", info=with_agg2),
    ]
    server = wk_server(REC, extra=extra, match_body=False)
    seg = wk.RemoteDataset.open(dataset_id=ID).get_segmentation_layer("segmentation")
    foreign = wk.RemoteDataset.open(dataset_id=OTHER).get_segmentation_layer("segmentation")
    (agglomerate,) = foreign.attachments.agglomerates
    added = seg.attachments.add_attachment_as_ref(agglomerate, foreign_layer=foreign, new_name="agg2")
    assert _sent(server, "POST", "/compose/addAttachment") == [
        {
            "sourceDatasetId": OTHER,
            "sourceLayerName": "segmentation",
            "targetLayerName": "segmentation",
            "attachmentType": "agglomerate",
            "sourceAttachmentName": "map_all",
            "targetAttachmentName": "agg2",
        }
    ]
    assert added.name == "agg2"
    with pytest.raises(RuntimeError, match="cannot write to the storage"):
        seg.attachments.upload_attachment(agglomerate)
