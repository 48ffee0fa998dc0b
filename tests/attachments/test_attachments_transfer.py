"""copy_attachments / reference_attachments: attachments travelling with their layer to another dataset."""

from __future__ import annotations

import json
import os

from daedalus.core.dataset.attachments import copy_attachments, reference_attachments

import daedalus as wk


def _attachments_json(dataset_path, layer_name="seg"):
    data = json.loads((dataset_path / "datasource-properties.json").read_text())
    return next(e for e in data["dataLayers"] if e["name"] == layer_name)["attachments"]


def _source(seg_layer, small_graph, tmp_path):
    wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    (tmp_path / "outside.hdf5").write_bytes(b"mesh")
    seg_layer.attachments.add_attachment_as_ref(
        wk.MeshAttachment.from_path_and_name(tmp_path / "outside.hdf5", "m", data_format="hdf5")
    )
    return seg_layer


def _target(tmp_path, name="target"):
    ds = wk.Dataset(tmp_path / name, voxel_size=(1, 1, 1))
    return ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32").as_segmentation_layer()


def test_copy_attachments(seg_layer, small_graph, tmp_path, graphs_equal):
    source = _source(seg_layer, small_graph, tmp_path)
    target = _target(tmp_path)
    copied = copy_attachments(source, target)
    assert [a.name for a in copied] == ["m", "view"]
    found = _attachments_json(target.dataset.path)
    assert found["agglomerates"] == [{"name": "view", "path": "./seg/agglomerates/view", "dataFormat": "zarr3"}]
    assert found["meshes"] == [{"name": "m", "path": "./seg/meshes/m.hdf5", "dataFormat": "hdf5"}]
    reopened = wk.Dataset.open(target.dataset.path).get_layer("seg").attachments
    assert graphs_equal(reopened.agglomerates[0].to_graph(), small_graph)
    assert (target.path / "meshes" / "m.hdf5").read_bytes() == b"mesh"


def test_reference_attachments_absolute_and_relative(seg_layer, small_graph, tmp_path):
    source = _source(seg_layer, small_graph, tmp_path)
    absolute = _target(tmp_path, "absolute")
    reference_attachments(source, absolute)
    found = _attachments_json(absolute.dataset.path)
    assert found["agglomerates"][0]["path"] == str(source.path / "agglomerates" / "view")
    assert found["meshes"][0]["path"] == str(tmp_path / "outside.hdf5")
    assert not (absolute.path / "agglomerates").exists()
    relative = _target(tmp_path, "relative")
    reference_attachments(source, relative, make_relative=True)
    found = _attachments_json(relative.dataset.path)
    assert found["agglomerates"][0]["path"] == os.path.join("..", "ds", "seg", "agglomerates", "view")
    assert found["meshes"][0]["path"] == os.path.join("..", "outside.hdf5")
    reopened = wk.Dataset.open(relative.dataset.path).get_layer("seg").attachments
    assert reopened.agglomerates[0].path == source.path / "agglomerates" / "view"
    assert reopened.agglomerates[0].to_graph().number_of_nodes() == 6
