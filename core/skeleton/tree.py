"""Tree: one skeleton tree, a networkx Graph of Node views whose node data lives in int-keyed dicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from daedalus.core.geometry import Vec3Float, Vec3Int

from .graph_dicts import AdjacencyDict, NodeDict
from .node import Node, NodeAttributes, node_key, stored_node

if TYPE_CHECKING:
    from .group import Group
    from .skeleton import Skeleton

Vector4 = tuple[float, float, float, float]
_tnew = tuple.__new__


def normalize_color(color: Sequence[float] | None) -> Vector4 | None:
    """An RGBA tuple of floats from an RGB or RGBA sequence (alpha 1.0 when missing), or None."""
    if color is None:
        return None
    values = tuple(float(c) for c in color)
    if len(values) == 3:
        values = (*values, 1.0)
    if len(values) != 4:
        raise TypeError(f"A tree color needs 3 (r, g, b) or 4 (r, g, b, a) numbers, got {color!r}.")
    return values  # type: ignore[return-value]


class Tree(nx.Graph):
    """A skeleton tree: a ``networkx.Graph`` of Node views (despite the name it may contain cycles).

    Create trees with ``Skeleton.add_tree`` / ``Group.add_tree``. Graph nodes are Node objects; they
    hash and compare like their int ids, so ``tree.nodes[node]``, ``tree.nodes[node.id]`` and networkx
    algorithms (``nx.shortest_path``, ``nx.connected_components``, ...) all work. ``Tree()`` without
    arguments gives a detached tree, as networkx needs for ``copy()`` and subgraphs.
    """

    node_dict_factory = NodeDict
    node_attr_dict_factory = NodeAttributes

    group: Group | None
    is_visible: bool
    metadata: dict[str, Any]
    nml_type: str | None = (
        None  # internal (not webknossos API): the NML <thing type>, e.g. "DEFAULT"/"AGGLOMERATE" (kept for round trips)
    )

    def adjlist_outer_dict_factory(self) -> AdjacencyDict:
        """The outer adjacency mapping (node -> neighbours) of this tree."""
        return AdjacencyDict({}, self._node.store, True)

    def adjlist_inner_dict_factory(self) -> AdjacencyDict:
        """A new, empty neighbour mapping of one node."""
        return AdjacencyDict({}, self._node.store, False)

    @property
    def node_store(self) -> dict:
        """Internal (not webknossos API): the raw node id -> attributes store (dicts or compact tuples)."""
        return self._node.store

    @property
    def adjacency_store(self) -> dict:
        """Internal (not webknossos API): the raw node id -> {neighbour id: edge attributes} store."""
        return self._adj.store

    def __init__(
        self,
        name: str = "",
        group: Group | None = None,
        skeleton: Skeleton | None = None,
        color: Sequence[float] | None = None,
        enforced_id: int | None = None,
        metadata: dict[str, Any] | None = None,
        is_visible: bool = True,
        **graph_attributes: Any,
    ) -> None:
        super().__init__(**graph_attributes)
        self.name = name
        self.group = group
        self._skeleton = skeleton
        self._color = normalize_color(color)
        self.metadata = dict(metadata or {})
        self.is_visible = bool(is_visible)
        if skeleton is not None:
            self._id = skeleton.claim_tree_id(enforced_id)
        else:
            self._id = int(enforced_id or 0)

    # ------------------------------------------------------------------ properties

    @property
    def id(self) -> int:
        """The unique identifier of the tree (read-only)."""
        return self._id

    @property
    def color(self) -> Vector4 | None:
        """RGBA color of the tree (None: WEBKNOSSOS picks one)."""
        return self._color

    @color.setter
    def color(self, value: Sequence[float] | None) -> None:
        self._color = normalize_color(value)

    # ------------------------------------------------------------------ nodes and edges

    def add_node(  # type: ignore[override]
        self,
        position: Any,
        comment: str | None = None,
        radius: float | None = None,
        rotation: Any = None,
        inVp: int | None = None,
        inMag: int | None = None,
        bitDepth: int | None = None,
        interpolation: bool | None = None,
        time: int | None = None,
        is_branchpoint: bool = False,
        branchpoint_time: int | None = None,
        _enforced_id: int | None = None,
    ) -> Node:
        """Add a node at ``position`` (x, y, z) with optional attributes; returns the new Node."""
        if type(position) is tuple and len(position) == 3:
            x, y, z = position
            if type(x) is not int or type(y) is not int or type(z) is not int:
                x, y, z = Vec3Int(position)
        else:
            x, y, z = Vec3Int(position)
        if (
            comment is None
            and rotation is None
            and not is_branchpoint
            and inVp is None
            and inMag is None
            and bitDepth is None
            and interpolation is None
            and time is None
            and branchpoint_time is None
        ):
            # Compact entry (see NodeDict): a tuple of numbers, which the cyclic GC stops tracking.
            attributes: Any = (x, y, z, None if radius is None else float(radius))
        else:
            attributes = NodeAttributes(position=_tnew(Vec3Int, (x, y, z)))
            if radius is not None:
                attributes["radius"] = float(radius)
            if comment is not None:
                attributes["comment"] = str(comment)
            if is_branchpoint:
                attributes["is_branchpoint"] = True
            if rotation is not None:
                attributes["rotation"] = Vec3Float(rotation)
            if inVp is not None:
                attributes["inVp"] = int(inVp)
            if inMag is not None:
                attributes["inMag"] = int(inMag)
            if bitDepth is not None:
                attributes["bitDepth"] = int(bitDepth)
            if interpolation is not None:
                attributes["interpolation"] = bool(interpolation)
            if time is not None:
                attributes["time"] = int(time)
            if branchpoint_time is not None:
                attributes["branchpoint_time"] = int(branchpoint_time)
        skeleton = self._skeleton
        if _enforced_id is None and skeleton is not None:
            node_id = skeleton.next_id
            skeleton.next_id = node_id + 1
        else:
            node_id = self._claim_node_id(_enforced_id)
        store = self._node.store
        store[node_id] = attributes
        self._adj.store[node_id] = {}
        cache = self.__networkx_cache__
        if cache:
            cache.clear()
        return stored_node(node_id, attributes, store)

    def _claim_node_id(self, enforced_id: int | None) -> int:
        skeleton = self._skeleton
        if skeleton is not None:
            return skeleton.claim_node_id(enforced_id)
        if enforced_id is None:
            return self.get_max_node_id() + 1
        enforced_id = int(enforced_id)
        if enforced_id in self._node.store:
            raise ValueError(f"Node id {enforced_id} already exists in tree {self.name!r}; choose another id.")
        return enforced_id

    def add_edge(self, u_of_edge: Node | int, v_of_edge: Node | int, **attr: Any) -> None:
        """Connect two nodes (Node objects or ids) of this tree."""
        u = u_of_edge._id if type(u_of_edge) is Node else node_key(u_of_edge)
        v = v_of_edge._id if type(v_of_edge) is Node else node_key(v_of_edge)
        adj = self._adj.store
        try:
            neighbours_u = adj[u]
            neighbours_v = adj[v]
        except KeyError as error:
            raise ValueError(
                f"Cannot add edge ({u}, {v}) to tree {self.name!r} (id {self._id}): node {error.args[0]} is not "
                "part of this tree. Add it with tree.add_node(...) first."
            ) from None
        data = neighbours_u.get(v)
        if attr:
            if data is None:
                data = {}
            data.update(attr)
        # Without attributes a new edge's data stays None until it is accessed (see AdjacencyDict).
        neighbours_u[v] = data
        neighbours_v[u] = data
        cache = self.__networkx_cache__
        if cache:
            cache.clear()

    def add_edges_from(self, ebunch_to_add: Any, **attr: Any) -> None:
        """Add edges given as (u, v) or (u, v, data) tuples; every node must already be in the tree."""
        for edge in ebunch_to_add:
            if len(edge) == 3:
                u, v, data = edge
                self.add_edge(u, v, **{**attr, **data})
            else:
                u, v = edge
                self.add_edge(u, v, **attr)

    def get_node_positions(self) -> np.ndarray:
        """Positions of all nodes as an (N, 3) int64 array, in node order."""
        positions = [a[:3] if type(a) is tuple else a["position"] for a in self._node.store.values()]
        return np.array(positions, dtype=np.int64).reshape(-1, 3)

    def get_node_by_id(self, node_id: int) -> Node:
        """The node with id ``node_id``; raises KeyError if it is not in this tree."""
        node_id = node_key(node_id)
        store = self._node.store
        return stored_node(node_id, store[node_id], store)

    def get_max_node_id(self) -> int:
        """The highest node id in this tree (0 for an empty tree)."""
        return max(self._node.store, default=0)

    def __repr__(self) -> str:
        return f"Tree(id={self._id}, name={self.name!r}, nodes={len(self)}, edges={self.number_of_edges()})"
