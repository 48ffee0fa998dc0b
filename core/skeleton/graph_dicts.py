"""The dict types behind a Tree's networkx graph: keyed by int node ids, presenting Node views to networkx."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, MutableMapping, ValuesView
from itertools import repeat
from typing import Any

from .node import NodeAttributes, expand_compact, node_key, stored_node


class NodeDict(MutableMapping):
    """``Tree._node``: node id -> attribute dict; iterating yields Node views, lookups accept Nodes or ids.

    The raw dict ``store`` (internal, not webknossos API) holds an attribute dict or, for nodes with just a
    position and radius, the compact tuple ``(x, y, z, radius or None)``; every mapping access hands out (and
    keeps) a dict.
    """

    __slots__ = ("store",)

    def __init__(self) -> None:
        self.store: dict[int, dict] = {}

    def __getitem__(self, key: Any) -> dict:
        value = self.store[key]
        if type(value) is tuple:
            value = self.store[node_key(key)] = expand_compact(value)
        return value

    def __setitem__(self, key: Any, value: dict) -> None:
        self.store[node_key(key)] = value if type(value) is NodeAttributes else NodeAttributes(value)

    def __delitem__(self, key: Any) -> None:
        del self.store[key]

    def __contains__(self, key: object) -> bool:
        return key in self.store

    def __iter__(self) -> Iterator:
        data = self.store
        return map(stored_node, data, data.values(), repeat(data))

    def __len__(self) -> int:
        return len(self.store)

    def items(self) -> ItemsView:
        """(Node, attribute dict) pairs."""
        return _NodeItems(self)

    def values(self) -> ValuesView:
        """The attribute dicts."""
        data = self.store
        for node_id, value in data.items():
            if type(value) is tuple:
                data[node_id] = expand_compact(value)
        return data.values()  # type: ignore[return-value]


class _NodeItems(ItemsView):
    def __iter__(self) -> Iterator:
        data = self._mapping.store  # type: ignore[attr-defined]
        for node_id, attributes in data.items():
            if type(attributes) is tuple:
                attributes = data[node_id] = expand_compact(attributes)
            yield stored_node(node_id, attributes, data), attributes


def edge_data(adjacency: dict, u: int, v: int) -> dict:
    """The data dict of edge (u, v) in the raw outer adjacency dict, created (shared by both directions)
    if the edge still has the lazy placeholder None."""
    data = adjacency[u][v]
    if data is None:
        data = adjacency[u][v] = {}
        adjacency[v][u] = data
    return data


class AdjacencyDict(MutableMapping):
    """An adjacency mapping (outer: node -> neighbours, inner: neighbour -> edge data) over raw int-keyed dicts.

    The outer mapping stores plain dicts and hands out an inner ``AdjacencyDict`` view per lookup; both
    yield Node views when iterated and accept Nodes or ids as keys. In the raw inner dicts an edge without
    data may hold None instead of an empty dict (so millions of edges cost the cyclic GC nothing); the
    inner view replaces it with a dict shared by both directions when the edge data is accessed.
    """

    __slots__ = ("store", "_nodes", "_outer", "_adj", "_owner")

    def __init__(self, data: dict, nodes: dict, outer: bool, adj: dict | None = None, owner: int = 0) -> None:
        self.store = data
        self._nodes = nodes
        self._outer = outer
        self._adj = adj
        self._owner = owner

    def __getitem__(self, key: Any) -> Any:
        value = self.store[key]
        if self._outer:
            return AdjacencyDict(value, self._nodes, False, self.store, node_key(key))
        if value is None:
            value = self._materialize(node_key(key))
        return value

    def _materialize(self, neighbour: int) -> dict:
        if self._adj is None:
            value = self.store[neighbour] = {}
            return value
        return edge_data(self._adj, self._owner, neighbour)

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._outer:
            value = value.store if type(value) is AdjacencyDict else dict(value)
        self.store[node_key(key)] = value

    def __delitem__(self, key: Any) -> None:
        del self.store[key]

    def __contains__(self, key: object) -> bool:
        return key in self.store

    def __iter__(self) -> Iterator:
        nodes = self._nodes
        return (stored_node(node_id, nodes[node_id], nodes) for node_id in self.store)

    def __len__(self) -> int:
        return len(self.store)

    def items(self) -> ItemsView:
        """(Node, value) pairs."""
        return _AdjacencyItems(self)

    def __repr__(self) -> str:
        return f"AdjacencyDict({len(self.store)} entries)"


class _AdjacencyItems(ItemsView):
    def __iter__(self) -> Iterator:
        mapping: AdjacencyDict = self._mapping  # type: ignore[assignment]
        nodes = mapping._nodes
        data = mapping.store
        if mapping._outer:
            for node_id, value in data.items():
                yield stored_node(node_id, nodes[node_id], nodes), AdjacencyDict(value, nodes, False, data, node_id)
        else:
            for node_id, value in data.items():
                if value is None:
                    value = mapping._materialize(node_id)
                yield stored_node(node_id, nodes[node_id], nodes), value
