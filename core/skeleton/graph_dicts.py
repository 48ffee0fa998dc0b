"""The dict types behind a Tree's networkx graph: keyed by int node ids, presenting Node views to networkx."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, MutableMapping, ValuesView
from typing import Any

from .node import NodeAttributes, make_node, node_key


class NodeDict(MutableMapping):
    """``Tree._node``: node id -> attribute dict; iterating yields Node views, lookups accept Nodes or ids."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[int, dict] = {}

    def __getitem__(self, key: Any) -> dict:
        return self._data[key]

    def __setitem__(self, key: Any, value: dict) -> None:
        self._data[node_key(key)] = value if type(value) is NodeAttributes else NodeAttributes(value)

    def __delitem__(self, key: Any) -> None:
        del self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator:
        data = self._data
        return map(make_node, data, data.values())

    def __len__(self) -> int:
        return len(self._data)

    def items(self) -> ItemsView:
        """(Node, attribute dict) pairs."""
        return _NodeItems(self)

    def values(self) -> ValuesView:
        """The attribute dicts."""
        return self._data.values()  # type: ignore[return-value]


class _NodeItems(ItemsView):
    def __iter__(self) -> Iterator:
        for node_id, attributes in self._mapping._data.items():  # type: ignore[attr-defined]
            yield make_node(node_id, attributes), attributes


class AdjacencyDict(MutableMapping):
    """An adjacency mapping (outer: node -> neighbours, inner: neighbour -> edge data) over raw int-keyed dicts.

    The outer mapping stores plain dicts and hands out an inner ``AdjacencyDict`` view per lookup; both
    yield Node views when iterated and accept Nodes or ids as keys.
    """

    __slots__ = ("_data", "_nodes", "_outer")

    def __init__(self, data: dict, nodes: dict, outer: bool) -> None:
        self._data = data
        self._nodes = nodes
        self._outer = outer

    def __getitem__(self, key: Any) -> Any:
        value = self._data[key]
        return AdjacencyDict(value, self._nodes, False) if self._outer else value

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._outer:
            value = value._data if type(value) is AdjacencyDict else dict(value)
        self._data[node_key(key)] = value

    def __delitem__(self, key: Any) -> None:
        del self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator:
        nodes = self._nodes
        return (make_node(node_id, nodes[node_id]) for node_id in self._data)

    def __len__(self) -> int:
        return len(self._data)

    def items(self) -> ItemsView:
        """(Node, value) pairs."""
        return _AdjacencyItems(self)

    def __repr__(self) -> str:
        return f"AdjacencyDict({len(self._data)} entries)"


class _AdjacencyItems(ItemsView):
    def __iter__(self) -> Iterator:
        mapping: AdjacencyDict = self._mapping  # type: ignore[assignment]
        nodes = mapping._nodes
        if mapping._outer:
            for node_id, value in mapping._data.items():
                yield make_node(node_id, nodes[node_id]), AdjacencyDict(value, nodes, False)
        else:
            for node_id, value in mapping._data.items():
                yield make_node(node_id, nodes[node_id]), value
