"""AgglomerateGraph (a networkx graph of segments with positions and affinity edges) and its flat array form."""

from __future__ import annotations

from typing import Any

import attrs
import networkx as nx
import numpy as np

from ...geometry import Vec3Int
from .agglomerate_graph_proto import decode_agglomerate_graph

SEGMENTATION_DTYPES = (np.dtype("uint32"), np.dtype("uint64"))


def check_segmentation_dtype(segmentation_dtype: Any) -> np.dtype:
    """``segmentation_dtype`` as a numpy dtype; ValueError unless it is uint32 or uint64."""
    dtype = np.dtype(segmentation_dtype)
    if dtype not in SEGMENTATION_DTYPES:
        raise ValueError(
            f"Agglomerates need a uint32 or uint64 segmentation, got segmentation_dtype {dtype}; "
            "pass the dtype of the segmentation layer the agglomerate belongs to."
        )
    return dtype


@attrs.frozen
class AgglomerateGraphData:
    """Flat arrays of an AgglomerateGraph: segments (ids 1..N), edges (id pairs), positions (N, 3), affinities."""

    segments: np.ndarray
    edges: np.ndarray
    positions: np.ndarray
    affinities: np.ndarray

    @classmethod
    def from_proto(cls, agglomerate_graph_proto: Any) -> AgglomerateGraphData:
        """From WEBKNOSSOS's ``AgglomerateGraph`` protobuf: its serialized bytes, or a message object with
        ``segments``, ``edges`` (``source``/``target``), ``positions`` (``x``/``y``/``z``) and ``affinities``."""
        if isinstance(agglomerate_graph_proto, (bytes, bytearray, memoryview)):
            segments, edges, positions, affinities = decode_agglomerate_graph(bytes(agglomerate_graph_proto))
            return cls(segments=segments, edges=edges, positions=positions, affinities=affinities)
        proto = agglomerate_graph_proto
        return cls(
            segments=np.array(list(proto.segments), dtype=np.int64).astype(np.uint64),
            edges=np.array([(e.source, e.target) for e in proto.edges], dtype=np.int64).reshape(-1, 2).astype("uint64"),
            positions=np.array([(p.x, p.y, p.z) for p in proto.positions], dtype=np.int64).reshape(-1, 3),
            affinities=np.array(list(proto.affinities), dtype=np.float32),
        )

    def to_agglomerate_graph(self) -> AgglomerateGraph:
        """The same graph as an AgglomerateGraph: segment nodes with ``position``, edges with ``affinity``."""
        if len(self.positions) != len(self.segments) or len(self.affinities) != len(self.edges):
            raise ValueError(
                f"Inconsistent agglomerate graph: {len(self.segments)} segments with {len(self.positions)} positions, "
                f"{len(self.edges)} edges with {len(self.affinities)} affinities."
            )
        graph = AgglomerateGraph()
        for segment_id, position in zip(self.segments.tolist(), self.positions.tolist()):
            graph.add_segment(segment_id, position=position)
        for (u, v), affinity in zip(self.edges.tolist(), self.affinities.tolist()):
            graph.add_affinity_edge(u, v, affinity=affinity)
        return graph


def _is_integer(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


class AgglomerateGraph(nx.Graph):
    """Typed networkx Graph for agglomerates: nodes are segment ids (1-based, dense) with a ``position``,
    edges carry an ``affinity``; connected components become agglomerates."""

    def add_segment(self, segment_id: int, *, position: Any) -> None:
        """Add a segment node at ``position`` (x, y, z)."""
        self.add_node(segment_id, position=Vec3Int(position))

    def add_affinity_edge(self, u: int, v: int, *, affinity: float) -> None:
        """Add an undirected edge between two segment ids with an affinity score."""
        self.add_edge(u, v, affinity=float(affinity))

    def to_agglomerate_graph_data(self, segmentation_dtype: Any = np.dtype("uint32")) -> AgglomerateGraphData:
        """Check the graph (dense integer ids 1..N, positions, affinities) and return its flat arrays."""
        dtype = check_segmentation_dtype(segmentation_dtype)
        node_ids = list(self.nodes)
        bad = [n for n in node_ids if not _is_integer(n)]
        if bad:
            raise ValueError(f"Segment ids must be integers; the graph has nodes {bad[:5]!r}.")
        ids = np.asarray(node_ids, dtype=np.int64) if node_ids else np.zeros(0, dtype=np.int64)
        count = len(ids)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        if count and (sorted_ids[0] != 1 or sorted_ids[-1] != count):
            present = np.zeros(max(int(sorted_ids[-1]), count) + 1, dtype=bool)
            present[sorted_ids[sorted_ids >= 0]] = True
            missing = np.flatnonzero(~present[1 : count + 1]) + 1
            extra = sorted_ids[(sorted_ids < 1) | (sorted_ids > count)]
            raise ValueError(
                f"Segment ids must be dense (1..{count}) with no gaps: missing {missing[:10].tolist()}, "
                f"out of range {extra[:10].tolist()}. Renumber the segments to 1..N before creating agglomerates."
            )
        if count > np.iinfo(dtype).max:
            raise ValueError(f"{count} segments do not fit segmentation_dtype {dtype}.")
        missing_position = [n for n, p in self.nodes(data="position") if p is None]
        if missing_position:
            raise ValueError(
                f"Segments {missing_position[:10]} have no 'position'; add them with add_segment(id, position=...)."
            )
        positions = np.array([tuple(self.nodes[n]["position"]) for n in sorted_ids.tolist()], dtype=np.int64)
        edge_list = list(self.edges(data="affinity"))
        missing_affinity = [(u, v) for u, v, a in edge_list if a is None]
        if missing_affinity:
            raise ValueError(
                f"Edges {missing_affinity[:10]} have no 'affinity'; "
                "add them with add_affinity_edge(u, v, affinity=...)."
            )
        edges = np.array([(u, v) for u, v, _ in edge_list], dtype=np.int64).reshape(-1, 2)
        edges = np.sort(edges, axis=1)
        affinities = np.array([a for _, _, a in edge_list], dtype=np.float32)
        return AgglomerateGraphData(
            segments=sorted_ids.astype(dtype),
            edges=edges.astype(dtype),
            positions=positions.reshape(-1, 3),
            affinities=affinities,
        )
