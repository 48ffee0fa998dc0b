"""Refused attachment changes raise clear errors and leave datasource-properties.json byte-for-byte unchanged."""

from __future__ import annotations

import pytest
from daedalus.core.dataset.attachments.agglomerate_layout import encode_agglomerates
from daedalus.core.ports import resolve_attachment_storage

import daedalus as wk


def _properties_bytes(layer):
    return (layer.dataset.path / "datasource-properties.json").read_bytes()


def test_non_dense_segment_ids(seg_layer, small_graph):
    small_graph.remove_node(4)
    before = _properties_bytes(seg_layer)
    with pytest.raises(ValueError, match=r"dense \(1\.\.5\).*missing \[4\].*out of range \[6\]"):
        wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    assert _properties_bytes(seg_layer) == before
    assert not (seg_layer.path / "agglomerates" / "view").exists()


def test_non_integer_ids_and_missing_attributes(tmp_path):
    graph = wk.AgglomerateGraph()
    graph.add_node("a", position=(0, 0, 0))
    with pytest.raises(ValueError, match="must be integers"):
        graph.to_agglomerate_graph_data()
    graph = wk.AgglomerateGraph()
    graph.add_node(1)
    with pytest.raises(ValueError, match="no 'position'"):
        wk.AgglomerateAttachment.create(tmp_path / "x", graph)
    graph = wk.AgglomerateGraph()
    graph.add_segment(1, position=(0, 0, 0))
    graph.add_segment(2, position=(0, 0, 0))
    graph.add_edge(1, 2)
    with pytest.raises(ValueError, match="no 'affinity'"):
        wk.AgglomerateAttachment.create(tmp_path / "x", graph)
    with pytest.raises(ValueError, match="uint32 or uint64"):
        graph.to_agglomerate_graph_data("int16")
    assert not (tmp_path / "x").exists()


def test_dtype_mismatch(seg_layer, small_graph, tmp_path):
    other = wk.AgglomerateAttachment.create(tmp_path / "agg64", small_graph, segmentation_dtype="uint64")
    before = _properties_bytes(seg_layer)
    with pytest.raises(ValueError, match="uint64 segment ids.*dtype uint32"):
        seg_layer.attachments.add_attachment_as_copy(other)
    with pytest.raises(ValueError, match="uint64 segment ids"):
        seg_layer.attachments.add_attachment_as_ref(other)
    assert _properties_bytes(seg_layer) == before
    assert not (seg_layer.path / "agglomerates" / "agg64").exists()
    ds = seg_layer.dataset
    small = ds.add_layer("seg8", wk.SEGMENTATION_CATEGORY, dtype="uint8").as_segmentation_layer()
    before = _properties_bytes(seg_layer)
    with pytest.raises(ValueError, match="uint32 or uint64"):
        wk.AgglomerateAttachment.create_and_add_to(small, "view", small_graph)
    assert _properties_bytes(seg_layer) == before


def test_missing_and_unreadable_files(seg_layer, tmp_path):
    before = _properties_bytes(seg_layer)
    missing = wk.MeshAttachment.from_path_and_name(tmp_path / "nope.hdf5", "m", data_format="hdf5")
    with pytest.raises(FileNotFoundError, match="nope.hdf5"):
        seg_layer.attachments.add_attachment_as_copy(missing)
    assert _properties_bytes(seg_layer) == before
    garbage = tmp_path / "garbage.hdf5"
    garbage.write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="cannot be read"):
        seg_layer.attachments.add_attachment_as_ref(
            wk.AgglomerateAttachment.from_path_and_name(garbage, "g", data_format="hdf5")
        )
    incomplete = tmp_path / "incomplete"
    resolve_attachment_storage("zarr3").write_arrays(incomplete, {"segment_to_agglomerate": [0, 1]}, {})
    with pytest.raises(ValueError, match="not an agglomerate file"):
        seg_layer.attachments.add_attachment_as_ref(
            wk.AgglomerateAttachment.from_path_and_name(incomplete, "i", data_format="zarr3")
        )
    assert _properties_bytes(seg_layer) == before
    # a reference may name a file that is written later (as in the reference library)
    seg_layer.attachments.add_attachment_as_ref(missing)
    assert [(m.name, str(m.path)) for m in seg_layer.attachments.meshes] == [("m", str(tmp_path / "nope.hdf5"))]


def test_existing_name(seg_layer, small_graph, tmp_path):
    wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    before = _properties_bytes(seg_layer)
    with pytest.raises(ValueError, match="already has a agglomerate attachment named 'view'"):
        wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    path = tmp_path / "agg.hdf5"
    resolve_attachment_storage("hdf5").write_arrays(
        path, encode_agglomerates(small_graph.to_agglomerate_graph_data()), {}
    )
    hdf5 = wk.AgglomerateAttachment.from_path_and_name(path, "view", data_format="hdf5")
    with pytest.raises(ValueError, match="named 'view'"):
        seg_layer.attachments.add_attachment_as_copy(hdf5)
    second = seg_layer.attachments.add_attachment_as_ref(hdf5, new_name="view2")
    with pytest.raises(ValueError, match="named 'view'"):
        seg_layer.attachments.rename_attachment(second, new_name="view")
    assert not (seg_layer.path / "agglomerates" / "view.hdf5").exists()
    with pytest.raises(ValueError, match="not an attachment of layer"):
        seg_layer.attachments.delete_attachment(hdf5.__class__.from_path_and_name(path, "zzz", data_format="hdf5"))
    assert len(seg_layer.attachments.agglomerates) == 2
    assert _properties_bytes(seg_layer) != before  # only the successful add changed the file


def test_read_only_layer_refuses(seg_layer, small_graph):
    wk.AgglomerateAttachment.create_and_add_to(seg_layer, "view", small_graph)
    layer = wk.Dataset.open(seg_layer.dataset.path, read_only=True).get_layer("seg")
    with pytest.raises(RuntimeError, match="read-only"):
        layer.attachments.delete_attachment(layer.attachments.agglomerates[0])
