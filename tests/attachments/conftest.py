"""Shared fixtures for the attachment tests: the reference-written fixture dataset and a fresh dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import daedalus as wk

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURE_DATASET = SHARED / "fixtures" / "generated" / "datasets" / "zarr3_sharded"
FIXTURE_AGGLOMERATE = FIXTURE_DATASET / "segmentation" / "agglomerates" / "agglomerate_view_5"
FIXTURE_GRAPH = SHARED / "fixtures" / "generated" / "expected" / "agglomerate_view_5.graph.json"


@pytest.fixture
def fixture_graph() -> wk.AgglomerateGraph:
    """The graph the reference built ``agglomerate_view_5`` from."""
    if not FIXTURE_GRAPH.is_file() or not FIXTURE_AGGLOMERATE.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED}")
    data = json.loads(FIXTURE_GRAPH.read_text())
    graph = wk.AgglomerateGraph()
    for segment_id, position in data["nodes"]:
        graph.add_segment(segment_id, position=position)
    for u, v, affinity in data["edges"]:
        graph.add_affinity_edge(u, v, affinity=affinity)
    return graph


@pytest.fixture
def seg_layer(tmp_path: Path) -> wk.SegmentationLayer:
    """An empty uint32 segmentation layer in a new dataset."""
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    return ds.add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32").as_segmentation_layer()


@pytest.fixture
def fixture_agglomerate(fixture_graph) -> Path:
    """The reference-written zarr3 agglomerate ``agglomerate_view_5``."""
    return FIXTURE_AGGLOMERATE


@pytest.fixture
def small_graph() -> wk.AgglomerateGraph:
    """Six segments in two components, added out of order."""
    graph = wk.AgglomerateGraph()
    for segment_id in (5, 3, 1, 4, 2, 6):
        graph.add_segment(segment_id, position=(segment_id, 2 * segment_id, 3))
    graph.add_affinity_edge(4, 3, affinity=0.25)
    graph.add_affinity_edge(5, 1, affinity=0.5)
    graph.add_affinity_edge(3, 1, affinity=0.75)
    graph.add_affinity_edge(6, 2, affinity=1.0)
    return graph


@pytest.fixture
def graphs_equal():
    """The graph comparison used by the tests."""
    return _graphs_equal


def _graphs_equal(a, b) -> bool:
    """Same nodes with positions, same undirected edges with affinities (float32 precision)."""
    if {n: tuple(p) for n, p in a.nodes(data="position")} != {n: tuple(p) for n, p in b.nodes(data="position")}:
        return False
    edges_a = {frozenset((u, v)): w for u, v, w in a.edges(data="affinity")}
    edges_b = {frozenset((u, v)): w for u, v, w in b.edges(data="affinity")}
    return edges_a.keys() == edges_b.keys() and all(abs(edges_a[k] - edges_b[k]) < 1e-6 for k in edges_a)
