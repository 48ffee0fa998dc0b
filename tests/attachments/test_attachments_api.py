"""The Attachments API of a segmentation layer: adding, copying, referencing, renaming, deleting, persistence."""

from __future__ import annotations

import json
import warnings

import pytest

import daedalus as wk

HDF5 = wk.AttachmentDataFormat.HDF5


def _layer_json(layer):
    data = json.loads((layer.dataset.path / "datasource-properties.json").read_text())
    return next(entry for entry in data["dataLayers"] if entry["name"] == layer.name)


def _reopen(layer):
    return wk.Dataset.open(layer.dataset.path).get_layer(layer.name)


def test_new_layer_has_no_attachments(seg_layer):
    attachments = seg_layer.attachments
    assert attachments.is_empty and attachments.meshes == () and attachments.agglomerates == ()
    assert attachments.segment_index is None and attachments.cumsum is None and attachments.connectomes == ()
    assert "attachments" not in _layer_json(seg_layer)


def test_class_metadata():
    assert wk.MeshAttachment.container_name == "meshes" and wk.MeshAttachment.type_name == "mesh"
    assert wk.SegmentIndexAttachment.container_name == "segment_index"
    assert wk.SegmentIndexAttachment.type_name == "segmentIndex"
    assert wk.CumsumAttachment.type_name == "cumsum" and wk.ConnectomeAttachment.type_name == "connectome"
    assert wk.AgglomerateAttachment.container_name == "agglomerates"
    with pytest.raises(ValueError, match="not a valid data_format for MeshAttachment"):
        wk.MeshAttachment.from_path_and_name("/x/m.json", "m", data_format=wk.AttachmentDataFormat.JSON)


def test_create_and_add_to_persists_relative_path(seg_layer, small_graph, graphs_equal):
    added = wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    assert (seg_layer.path / "agglomerates" / "view" / "zarr.json").exists()
    entry = _layer_json(seg_layer)["attachments"]["agglomerates"]
    assert entry == [{"name": "view", "path": "./seg/agglomerates/view", "dataFormat": "zarr3"}]
    reopened = _reopen(seg_layer).attachments.agglomerates
    assert reopened == (added,)
    assert graphs_equal(reopened[0].to_graph(), small_graph)


def test_ref_copy_rename_delete(seg_layer, tmp_path):
    external = tmp_path / "elsewhere" / "m.hdf5"
    external.parent.mkdir()
    external.write_bytes(b"mesh")
    mesh = wk.MeshAttachment.from_path_and_name(external, "m", data_format=HDF5)
    ref = seg_layer.attachments.add_attachment_as_ref(mesh)
    assert ref.path == external and ref.name == "m"
    copy = seg_layer.attachments.add_attachment_as_copy(
        wk.MeshAttachment.from_path_and_name(external, "m_copy", data_format=HDF5)
    )
    assert (seg_layer.path / "meshes" / "m_copy.hdf5").read_bytes() == b"mesh"
    assert copy.path == seg_layer.path / "meshes" / "m_copy.hdf5"
    renamed = seg_layer.attachments.rename_attachment(ref, new_name="m2")
    assert renamed.name == "m2" and external.exists()
    meshes = _layer_json(seg_layer)["attachments"]["meshes"]
    assert meshes == [
        {"name": "m2", "path": str(external), "dataFormat": "hdf5"},
        {"name": "m_copy", "path": "./seg/meshes/m_copy.hdf5", "dataFormat": "hdf5"},
    ]
    seg_layer.attachments.delete_attachment(renamed)
    assert [m.name for m in _reopen(seg_layer).attachments.meshes] == ["m_copy"]
    seg_layer.attachments.delete_attachment(seg_layer.attachments.meshes[0])
    assert "attachments" not in _layer_json(seg_layer)


def test_single_kinds_are_replaced(seg_layer, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text("{}")
        cumsum = wk.CumsumAttachment.from_path_and_name(tmp_path / f"{name}.json", name, data_format="json")
        seg_layer.attachments.add_attachment_as_ref(cumsum)
    assert _reopen(seg_layer).attachments.cumsum.name == "b"
    (tmp_path / "si.hdf5").write_bytes(b"x")
    index = wk.SegmentIndexAttachment.from_path_and_name(tmp_path / "si.hdf5", "si", data_format=HDF5)
    seg_layer.attachments.add_attachment_as_ref(index, new_name="segmentIndex")
    assert _reopen(seg_layer).attachments.segment_index.name == "segmentIndex"
    assert not seg_layer.attachments.is_empty


def test_deprecated_methods_warn_and_delegate(seg_layer, tmp_path):
    (tmp_path / "c.hdf5").write_bytes(b"x")
    with pytest.warns(DeprecationWarning, match="add_connectome"):
        added = seg_layer.attachments.add_connectome(tmp_path / "c.hdf5", name="c", data_format=HDF5)
    assert seg_layer.attachments.connectomes == (added,)
    with pytest.warns(DeprecationWarning, match="add_copy_attachments"):
        (copied,) = seg_layer.attachments.add_copy_attachments(
            wk.ConnectomeAttachment.from_path_and_name(tmp_path / "c.hdf5", "c2", data_format=HDF5)
        )
    assert copied.path == seg_layer.path / "connectomes" / "c2.hdf5"
    with pytest.warns(DeprecationWarning, match="add_attachments"):
        seg_layer.attachments.add_attachments(
            wk.ConnectomeAttachment.from_path_and_name(tmp_path / "c.hdf5", "c3", data_format=HDF5)
        )
    with pytest.warns(DeprecationWarning, match="add_symlink_attachments"):
        seg_layer.attachments.add_symlink_attachments(
            wk.ConnectomeAttachment.from_path_and_name(tmp_path / "c.hdf5", "c4", data_format=HDF5),
            make_relative=True,
        )
    paths = [c["path"] for c in _layer_json(seg_layer)["attachments"]["connectomes"]]
    assert paths == [str(tmp_path / "c.hdf5"), "./seg/connectomes/c2.hdf5", str(tmp_path / "c.hdf5"), "../c.hdf5"]
    assert _reopen(seg_layer).attachments.connectomes[3].path == tmp_path / "c.hdf5"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seg_layer.attachments.meshes  # noqa: B018 - reading warns nothing


def test_detect_legacy_attachments(seg_layer):
    for folder, name in [
        ("agglomerates", "legacy_agg.hdf5"),
        ("agglomerates", "cumsum.json"),
        ("segmentIndex", "segmentIndex.hdf5"),
        ("connectomes", "c1.hdf5"),
        ("meshes", "lm.hdf5"),
        ("meshes", "notes.txt"),
    ]:
        (seg_layer.path / folder).mkdir(exist_ok=True)
        (seg_layer.path / folder / name).write_text("{}")
    seg_layer.attachments.detect_legacy_attachments()
    seg_layer.attachments.detect_legacy_attachments()  # idempotent
    found = _layer_json(seg_layer)["attachments"]
    assert found["meshes"] == [{"name": "lm", "path": "./seg/meshes/lm.hdf5", "dataFormat": "hdf5"}]
    assert found["agglomerates"][0]["path"] == "./seg/agglomerates/legacy_agg.hdf5"
    assert found["segmentIndex"]["name"] == "segmentIndex"
    assert found["cumsum"] == {"name": "cumsum", "path": "./seg/agglomerates/cumsum.json", "dataFormat": "json"}
    assert [c["name"] for c in found["connectomes"]] == ["c1"]
