"""Node: a view on one skeleton node whose attributes live in its tree's networkx node-attribute dict."""

from __future__ import annotations

from typing import Any

from daedalus.core.geometry import Vec3Float, Vec3Int

# Attributes a node may carry besides its position, with the value a node has when it is not set.
NODE_DEFAULTS: dict[str, Any] = {
    "comment": None,
    "radius": None,
    "rotation": None,
    "inVp": None,
    "inMag": None,
    "bitDepth": None,
    "interpolation": None,
    "time": None,
    "is_branchpoint": False,
    "branchpoint_time": None,
}
NODE_ATTRIBUTES = ("position", *NODE_DEFAULTS)


def _optional_int(value: Any) -> int:
    return int(value)


NODE_CONVERTERS: dict[str, Any] = {
    "position": Vec3Int,
    "comment": str,
    "radius": float,
    "rotation": Vec3Float,
    "inVp": _optional_int,
    "inMag": _optional_int,
    "bitDepth": _optional_int,
    "interpolation": bool,
    "time": _optional_int,
    "is_branchpoint": bool,
    "branchpoint_time": _optional_int,
}


_tnew = tuple.__new__


class NodeAttributes(dict):
    """The attribute dict of one node; unset attributes are absent and read as their default."""

    __slots__ = ()

    def __missing__(self, key: str) -> Any:
        if key in NODE_DEFAULTS:
            return NODE_DEFAULTS[key]
        raise KeyError(key)


def expand_compact(compact: tuple) -> NodeAttributes:
    """The attribute dict of a node stored compactly as the plain tuple ``(x, y, z, radius or None)``.

    Trees store nodes that carry only a position (and a radius) in this form: a tuple of numbers is
    invisible to Python's cyclic GC, so building or loading millions of nodes stays cheap. The dict is
    made on first access through the mapping API and replaces the tuple.
    """
    x, y, z, radius = compact
    attributes = NodeAttributes(position=_tnew(Vec3Int, (x, y, z)))
    if radius is not None:
        attributes["radius"] = radius
    return attributes


def materialize(store: dict, node_id: int) -> NodeAttributes:
    """The attribute dict of ``node_id`` in the raw node store ``store``, expanding a compact entry in place."""
    value = store[node_id]
    if type(value) is tuple:
        value = store[node_id] = expand_compact(value)
    return value


def set_node_attribute(attributes: dict, key: str, value: Any) -> None:
    """Store ``value`` (converted) under ``key``; a default value removes the key (storage stays sparse)."""
    if value is None or (key == "is_branchpoint" and not value):
        if key == "position":
            raise ValueError("A node's position cannot be None; pass (x, y, z).")
        attributes.pop(key, None)
        return
    attributes[key] = NODE_CONVERTERS[key](value)


def _attribute_property(key: str, doc: str) -> property:
    default = NODE_DEFAULTS.get(key)

    def fget(self: Node) -> Any:
        a = self._a
        if type(a) is tuple:
            if key == "position":
                return _tnew(Vec3Int, a[:3])
            if key == "radius":
                return a[3]
            return default
        return a.get(key, default)

    def fset(self: Node, value: Any) -> None:
        set_node_attribute(self._attrs, key, value)

    return property(fget, fset, doc=doc)


class Node:
    """A node of a skeleton tree: an id, a 3D position and optional metadata.

    Nodes are created with ``Tree.add_node``. A Node is a light view: its attributes are stored in the
    tree's node-attribute dict (``tree.nodes[node]``), so setting e.g. ``node.comment`` changes the tree.
    Nodes hash like their id and compare equal to their id, so ``tree.nodes[node]`` and
    ``tree.nodes[node.id]`` find the same node.
    """

    # _a: the attribute dict, or the compact tuple the node had when the view was made (then _s is the
    # tree's raw node store, where the dict is created on the first write or mapping access).
    __slots__ = ("_id", "_a", "_s")

    position: Vec3Int = _attribute_property("position", "3D coordinates (x, y, z) of the node.")  # type: ignore[assignment]
    comment: str | None = _attribute_property("comment", "Text comment shown in WEBKNOSSOS.")  # type: ignore[assignment]
    radius: float | None = _attribute_property("radius", "Node radius.")  # type: ignore[assignment]
    rotation: Vec3Float | None = _attribute_property("rotation", "Rotation (x, y, z) of the viewport.")  # type: ignore[assignment]
    inVp: int | None = _attribute_property("inVp", "Viewport the node was created in.")  # type: ignore[assignment]
    inMag: int | None = _attribute_property("inMag", "Magnification the node was created in.")  # type: ignore[assignment]
    bitDepth: int | None = _attribute_property("bitDepth", "Bit depth of the data at creation.")  # type: ignore[assignment]
    interpolation: bool | None = _attribute_property("interpolation", "Whether interpolation was on.")  # type: ignore[assignment]
    time: int | None = _attribute_property("time", "Creation timestamp (ms).")  # type: ignore[assignment]
    is_branchpoint: bool = _attribute_property("is_branchpoint", "Whether the node is a branchpoint.")  # type: ignore[assignment]
    branchpoint_time: int | None = _attribute_property("branchpoint_time", "When it became a branchpoint.")  # type: ignore[assignment]

    def __init__(
        self,
        position: Any,
        skeleton: Any,
        comment: str | None = None,
        radius: float | None = None,
        rotation: Any = None,
        inVp: int | None = None,  # noqa: N803 - the NML attribute names
        inMag: int | None = None,  # noqa: N803
        bitDepth: int | None = None,  # noqa: N803
        interpolation: bool | None = None,
        time: int | None = None,
        is_branchpoint: bool = False,
        branchpoint_time: int | None = None,
        enforced_id: int | None = None,
    ) -> None:
        """A node at ``position`` with an id claimed from ``skeleton`` (``enforced_id`` if given) that belongs to no
        tree yet; nodes of trees are made with ``Tree.add_node``."""
        attributes = NodeAttributes()
        values = dict(
            position=position, comment=comment, radius=radius, rotation=rotation, inVp=inVp, inMag=inMag,
            bitDepth=bitDepth, interpolation=interpolation, time=time, is_branchpoint=is_branchpoint,
            branchpoint_time=branchpoint_time,
        )  # fmt: skip
        for key, value in values.items():
            set_node_attribute(attributes, key, value)
        self._id = skeleton.claim_node_id(enforced_id)
        self._a = attributes
        self._s = None

    @property
    def _attrs(self) -> NodeAttributes:
        """The node's attribute dict (created from a compact entry on first use)."""
        a = self._a
        if type(a) is not tuple:
            return a
        current = self._s.get(self._id)
        if current is a:
            current = self._s[self._id] = expand_compact(a)
        elif type(current) is not NodeAttributes:  # the node left its tree: keep a private dict
            current = expand_compact(a)
        self._a = current
        self._s = None
        return current

    @property
    def id(self) -> int:
        """The node id (unique within the skeleton); read-only."""
        return self._id

    def get_dict(self) -> dict[str, Any]:
        """All attributes of the node (unset ones with their default) as a new dict."""
        attributes = self._a if type(self._a) is not tuple else expand_compact(self._a)
        result = {"position": attributes["position"]}
        for key, default in NODE_DEFAULTS.items():
            result[key] = attributes.get(key, default)
        return result

    def __reduce__(self) -> tuple:
        return (make_node, (self._id, self._attrs))

    def __hash__(self) -> int:
        return hash(self._id)

    def __eq__(self, other: object) -> bool:
        if type(other) is Node:
            return self._id == other._id and (self._a is other._a or self._attrs == other._attrs)
        if isinstance(other, int) and not isinstance(other, bool):
            return self._id == other
        return NotImplemented

    def __lt__(self, other: Node | int) -> bool:
        return self._id < (other._id if type(other) is Node else other)

    def __int__(self) -> int:
        return self._id

    def __index__(self) -> int:
        return self._id

    def __repr__(self) -> str:
        """Every attribute, in the reference's order: ``Node(position=Vec3Int(1,2,3), _id=5, comment=None, ...)``."""
        values = self.get_dict()
        shown = ", ".join(f"{key}={values[key]!r}" for key in _REPR_ORDER)
        return f"Node(position={values['position']!r}, _id={self._id}, {shown})"


_REPR_ORDER = (
    "comment", "radius", "rotation", "inVp", "inMag", "bitDepth", "interpolation", "time", "is_branchpoint",
    "branchpoint_time",
)  # fmt: skip


_new = object.__new__


def make_node(node_id: int, attributes: dict) -> Node:
    """Build a Node view on an attribute dict without argument checks (hot path)."""
    node = _new(Node)
    node._id = node_id
    node._a = attributes
    node._s = None
    return node


def stored_node(node_id: int, value: Any, store: dict) -> Node:
    """Build a Node view on the entry ``value`` (dict or compact tuple) of ``node_id`` in the raw store."""
    node = _new(Node)
    node._id = node_id
    node._a = value
    node._s = store
    return node


def node_key(key: Any) -> int:
    """The int id for a Node, an int or a numpy integer; rejects anything else with a clear error."""
    if type(key) is int:
        return key
    if type(key) is Node:
        return key._id
    try:
        import operator

        return operator.index(key)
    except TypeError:
        raise TypeError(
            f"Skeleton tree nodes are identified by int ids or Node objects, not {key!r}; "
            "create nodes with Tree.add_node(position=...)."
        ) from None
