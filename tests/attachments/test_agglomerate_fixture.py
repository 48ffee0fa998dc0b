"""Agglomerates written by daedalus equal the reference-written fixture, and the fixture reads back as its graph."""

from __future__ import annotations

import numpy as np
from daedalus.core.dataset.attachments.agglomerate_layout import AGGLOMERATE_KEYS, encode_agglomerates
from daedalus.core.ports import resolve_attachment_storage

import daedalus as wk


def test_create_from_graph_matches_fixture_arrays(tmp_path, fixture_graph, fixture_agglomerate):
    created = wk.AgglomerateAttachment.create(tmp_path / "agg", fixture_graph)
    assert created.name == "agg" and created.data_format == wk.AttachmentDataFormat.Zarr3
    storage = resolve_attachment_storage("zarr3")
    expected = storage.list_arrays(fixture_agglomerate)
    assert set(expected) == set(AGGLOMERATE_KEYS)
    assert storage.list_arrays(created.path) == expected
    for key in AGGLOMERATE_KEYS:
        mine, theirs = storage.read_array(created.path, key), storage.read_array(fixture_agglomerate, key)
        assert mine.dtype == theirs.dtype, key
        np.testing.assert_array_equal(mine, theirs, err_msg=key)
    assert storage.read_attributes(created.path) == storage.read_attributes(fixture_agglomerate)


def test_fixture_to_graph_gives_input_graph(fixture_graph, fixture_agglomerate, graphs_equal):
    fixture = wk.AgglomerateAttachment.from_path_and_name(fixture_agglomerate, "view", data_format="zarr3")
    graph = fixture.to_graph()
    assert isinstance(graph, wk.AgglomerateGraph)
    assert graphs_equal(graph, fixture_graph)
    assert all(isinstance(p, wk.Vec3Int) for _, p in graph.nodes(data="position"))


def test_fixture_dataset_lists_its_agglomerate(fixture_graph, fixture_agglomerate, graphs_equal):
    ds = wk.Dataset.open(fixture_agglomerate.parents[2], read_only=True)
    (agglomerate,) = ds.get_layer("segmentation").attachments.agglomerates
    assert agglomerate.name == "agglomerate_view_5"
    assert agglomerate.path.resolve() == fixture_agglomerate.resolve()
    assert graphs_equal(agglomerate.to_graph(), fixture_graph)


def test_layout_of_unordered_graph(small_graph):
    # components {1,3,4,5} and {2,6}: numbered by smallest id, edges as sorted local index pairs
    data = small_graph.to_agglomerate_graph_data("uint64")
    arrays = encode_agglomerates(data)
    assert arrays["segment_to_agglomerate"].tolist() == [0, 1, 2, 1, 1, 1, 2]
    assert arrays["agglomerate_to_segments"].tolist() == [1, 3, 4, 5, 2, 6]
    assert arrays["agglomerate_to_segments"].dtype == np.uint64
    assert arrays["agglomerate_to_segments_offsets"].tolist() == [0, 0, 4, 6]
    assert arrays["agglomerate_to_edges"].tolist() == [[0, 1], [0, 3], [1, 2], [0, 1]]
    assert arrays["agglomerate_to_edges"].dtype == np.uint64
    assert arrays["agglomerate_to_edges_offsets"].tolist() == [0, 0, 3, 4]
    assert arrays["agglomerate_to_affinities"].tolist() == [0.75, 0.5, 0.25, 1.0]
    assert arrays["agglomerate_to_positions"][:, 0].tolist() == [1, 3, 4, 5, 2, 6]


def test_graph_data_dtypes(small_graph):
    data = small_graph.to_agglomerate_graph_data()
    assert data.segments.dtype == np.uint32 and data.segments.tolist() == [1, 2, 3, 4, 5, 6]
    assert data.edges.dtype == np.uint32 and data.positions.dtype == np.int64
    assert data.affinities.dtype == np.float32 and data.positions.shape == (6, 3)


def test_empty_graph_round_trips(tmp_path):
    created = wk.AgglomerateAttachment.create(tmp_path / "empty", wk.AgglomerateGraph())
    assert created.to_graph().number_of_nodes() == 0


def test_hdf5_agglomerate_reads_as_graph(tmp_path, small_graph, graphs_equal):
    arrays = encode_agglomerates(small_graph.to_agglomerate_graph_data())
    path = tmp_path / "agg.hdf5"
    resolve_attachment_storage("hdf5").write_arrays(path, arrays, {})
    attachment = wk.AgglomerateAttachment.from_path_and_name(path, "agg", data_format=wk.AttachmentDataFormat.HDF5)
    assert graphs_equal(attachment.to_graph(), small_graph)
