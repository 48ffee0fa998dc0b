"""The array layout of an agglomerate file (zarr3 or HDF5) as WEBKNOSSOS reads it, built and parsed with numpy.

Agglomerates are the connected components of the graph, numbered 1..A by their smallest segment id
(agglomerate 0 is empty). Segments are listed per agglomerate in ascending order; edges per agglomerate,
as local indices into that list (smaller first), sorted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...geometry import Vec3Int

if TYPE_CHECKING:
    from .agglomerate_graph import AgglomerateGraph, AgglomerateGraphData

AGGLOMERATE_KEYS = (
    "segment_to_agglomerate",
    "agglomerate_to_segments",
    "agglomerate_to_segments_offsets",
    "agglomerate_to_edges",
    "agglomerate_to_edges_offsets",
    "agglomerate_to_positions",
    "agglomerate_to_affinities",
)
AGGLOMERATE_ATTRIBUTES = {"voxelytics": {"artifact_schema_version": 4, "artifact_class": "AgglomerateViewArtifact"}}


def component_roots(count: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """For nodes 0..count, the smallest node id of each node's connected component (vectorized union-find)."""
    labels = np.arange(count + 1, dtype=np.int64)
    if len(u) == 0:
        return labels
    while True:
        lu, lv = labels[u], labels[v]
        if np.array_equal(lu, lv):
            return labels
        low = np.minimum(lu, lv)
        np.minimum.at(labels, lu, low)
        np.minimum.at(labels, lv, low)
        while True:  # pointer jumping until every node points at its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


def _offsets(group_of_item: np.ndarray, groups: int) -> np.ndarray:
    """Offsets (length groups + 1) into items sorted by group."""
    counts = np.bincount(group_of_item, minlength=groups)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)


def encode_agglomerates(data: AgglomerateGraphData) -> dict[str, np.ndarray]:
    """The agglomerate file arrays for checked graph data (segments are 1..N in order)."""
    dtype = data.segments.dtype
    count = len(data.segments)
    u = data.edges[:, 0].astype(np.int64)
    v = data.edges[:, 1].astype(np.int64)
    roots = component_roots(count, u, v)
    unique_roots = np.unique(roots[1:])
    agglomerate = np.zeros(count + 1, dtype=np.int64)
    agglomerate[1:] = np.searchsorted(unique_roots, roots[1:]) + 1
    num_groups = len(unique_roots) + 1  # agglomerate 0 is empty
    segment_order = np.argsort(agglomerate[1:], kind="stable")  # ascending ids within each agglomerate
    segments = segment_order + 1
    segment_offsets = _offsets(agglomerate[1:], num_groups)
    rank = np.empty(count + 1, dtype=np.int64)
    rank[segments] = np.arange(count)
    local = rank - segment_offsets[agglomerate].astype(np.int64)
    edge_agglomerate = agglomerate[u]
    local_u, local_v = local[u], local[v]
    edge_order = np.lexsort((local_v, local_u, edge_agglomerate))
    local_edges = np.stack([local_u[edge_order], local_v[edge_order]], axis=1).reshape(-1, 2)
    positions = data.positions[segment_order]
    if positions.size and (positions.min() < np.iinfo(np.int32).min or positions.max() > np.iinfo(np.int32).max):
        raise ValueError("Segment positions must fit int32 to be stored in an agglomerate file.")
    return {
        "segment_to_agglomerate": agglomerate.astype(np.uint64),
        "agglomerate_to_segments": segments.astype(dtype),
        "agglomerate_to_segments_offsets": segment_offsets,
        "agglomerate_to_edges": local_edges.astype(dtype),
        "agglomerate_to_edges_offsets": _offsets(edge_agglomerate, num_groups),
        "agglomerate_to_positions": positions.astype(np.int32).reshape(-1, 3),
        "agglomerate_to_affinities": data.affinities[edge_order].astype(np.float32),
    }


def decode_agglomerates(arrays: dict[str, np.ndarray]) -> AgglomerateGraph:
    """Rebuild the AgglomerateGraph from agglomerate file arrays."""
    from .agglomerate_graph import AgglomerateGraph  # loads networkx

    segments = np.asarray(arrays["agglomerate_to_segments"]).astype(np.int64)
    positions = np.asarray(arrays["agglomerate_to_positions"]).reshape(-1, 3).astype(np.int64)
    segment_offsets = np.asarray(arrays["agglomerate_to_segments_offsets"]).astype(np.int64)
    edges = np.asarray(arrays["agglomerate_to_edges"]).reshape(-1, 2).astype(np.int64)
    edge_offsets = np.asarray(arrays["agglomerate_to_edges_offsets"]).astype(np.int64)
    affinities = np.asarray(arrays["agglomerate_to_affinities"]).astype(np.float32)
    edge_agglomerate = np.repeat(np.arange(len(edge_offsets) - 1), np.diff(edge_offsets))
    base = segment_offsets[edge_agglomerate]
    global_u, global_v = segments[base + edges[:, 0]], segments[base + edges[:, 1]]
    order = np.argsort(segments, kind="stable")
    graph = AgglomerateGraph()
    graph.add_nodes_from(
        (segment, {"position": Vec3Int(position)})
        for segment, position in zip(segments[order].tolist(), positions[order].tolist())
    )
    graph.add_edges_from(
        (a, b, {"affinity": affinity})
        for a, b, affinity in zip(global_u.tolist(), global_v.tolist(), affinities.tolist())
    )
    return graph
