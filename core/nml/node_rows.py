"""Bulk conversion of parsed NML <node>/<edge> attribute dicts into a skeleton tree's raw node and edge stores.

The NML reader collects the attribute dicts of a tree's nodes and edges and converts them here in batches
with C-level ``map``/``zip`` passes, which is much cheaper than converting element by element.
"""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any

from daedalus.core.geometry import Vec3Float, Vec3Int
from daedalus.core.skeleton.node import NodeAttributes

_tnew = tuple.__new__
_TRUE = {"true", "True", "TRUE", "1"}
_WITH_RADIUS = ("id", "radius", "x", "y", "z")
_WITHOUT_RADIUS = ("id", "x", "y", "z")
_EDGE = ("source", "target")


class NodeRowError(ValueError):
    """A <node> or <edge> element has an invalid or missing attribute, or a node id repeats."""


def _int_from_float_text(text: str) -> int:
    return int(float(text))


def _coordinates(column: tuple) -> list[int]:
    try:
        return list(map(int, column))
    except ValueError:
        return list(map(_int_from_float_text, column))


def node_entry(a: dict) -> tuple[int, Any]:
    """The node id and store entry (compact tuple or NodeAttributes) for one <node> attribute dict."""
    node_id = int(a["id"])
    x = a["x"]
    y = a["y"]
    z = a["z"]
    try:
        x, y, z = int(x), int(y), int(z)
    except ValueError:
        x, y, z = _int_from_float_text(x), _int_from_float_text(y), _int_from_float_text(z)
    get = a.get
    radius = get("radius")
    if len(a) == (4 if radius is None else 5):  # nothing but id, x, y, z (and radius): a compact entry
        return node_id, (x, y, z, None if radius is None else float(radius))
    d = NodeAttributes(position=_tnew(Vec3Int, (x, y, z)))
    if radius is not None:
        d["radius"] = float(radius)
    v = get("rotX")
    if v is not None:
        d["rotation"] = Vec3Float.from_xyz(float(v), float(get("rotY", 0)), float(get("rotZ", 0)))
    for key in ("inVp", "inMag", "bitDepth"):
        v = get(key)
        if v is not None:
            d[key] = int(v)
    v = get("interpolation")
    if v is not None:
        d["interpolation"] = v in _TRUE
    v = get("time")
    if v is not None:
        d["time"] = int(v)
    return node_id, d


def _as_dict(flat: list[str]) -> dict[str, str]:
    """expat's ordered attribute list [name, value, name, value, ...] as a dict."""
    return dict(zip(flat[::2], flat[1::2]))


def _value_columns(rows: list[list[str]], wanted: tuple[str, ...]) -> list[Any] | None:
    """Per attribute in ``wanted``, an iterator over its values in ``rows``, if every row has exactly these
    attributes in one order (expat interns attribute names, so the checks are cheap); else None."""
    width = 2 * len(wanted)
    if set(map(len, rows)) != {width}:
        return None
    layout = []
    for index in range(0, width, 2):
        names = set(map(itemgetter(index), rows))
        if len(names) != 1:
            return None
        layout.append(names.pop())
    if sorted(layout) != sorted(wanted):
        return None
    return [map(itemgetter(2 * layout.index(key) + 1), rows) for key in wanted]


def _add_uniform(rows: list[list[str]], store: dict, adj: dict) -> bool:
    """Add rows that all have exactly id, x, y, z (and radius); False (nothing added) if they do not."""
    with_radius = len(rows[0]) == 10
    columns = _value_columns(rows, _WITH_RADIUS if with_radius else _WITHOUT_RADIUS)
    if columns is None:
        return False
    try:
        ids = list(map(int, columns[0]))
        xs = _coordinates(list(columns[-3]))
        ys = _coordinates(list(columns[-2]))
        zs = _coordinates(list(columns[-1]))
        radii: Any = map(float, columns[1]) if with_radius else repeat(None)
        entries = list(zip(xs, ys, zs, radii))
    except (KeyError, ValueError, TypeError, OverflowError):  # the per-row path names the offending node
        return False
    unique = set(ids)
    if len(unique) != len(ids) or not store.keys().isdisjoint(unique):  # a repeated id: the per-row path names it
        return False
    store.update(zip(ids, entries))
    adj.update(zip(ids, map(dict, repeat((), len(ids)))))
    return True


def add_node_rows(rows: list[list[str]], store: dict, adj: dict, where: str) -> None:
    """Add the <node> attribute lists ``rows`` (expat's ordered attributes: name, value, name, value, ...)
    to a tree's raw node ``store`` and adjacency ``adj``.

    ``where`` describes the tree and file position for error messages.
    """
    if not rows or _add_uniform(rows, store, adj):
        return
    for index, flat in enumerate(rows):
        a = _as_dict(flat)
        try:
            node_id, entry = node_entry(a)
        except (KeyError, ValueError, TypeError, OverflowError) as error:
            shown = " ".join(f"{key}={value!r}" for key, value in a.items())
            raise NodeRowError(
                f"{where}: <node> element {index + 1} of this batch (id {a.get('id')!r}) has an invalid or "
                f"missing attribute ({type(error).__name__}: {error}) in <node {shown[:300]}>; coordinates must be "
                "finite numbers and ids integers."
            ) from None
        if node_id in store:
            raise NodeRowError(f"{where}: node id {node_id} occurs more than once; node ids must be unique.")
        store[node_id] = entry
        adj[node_id] = {}


def add_edge_rows(rows: list[list[str]], sources: list[int], targets: list[int], where: str) -> None:
    """Append the source and target ids of the <edge> attribute lists ``rows`` to ``sources``/``targets``."""
    if not rows:
        return
    columns = _value_columns(rows, _EDGE)
    try:
        if columns is None:
            dicts = list(map(_as_dict, rows))
            columns = [map(itemgetter(key), dicts) for key in _EDGE]
        sources.extend(map(int, columns[0]))
        targets.extend(map(int, columns[1]))
    except (KeyError, ValueError, TypeError) as error:
        del sources[len(targets) :]
        raise NodeRowError(
            f"{where}: an <edge> element has an invalid or missing source/target ({type(error).__name__}: {error})."
        ) from None


def connect(sources: list[int], targets: list[int], adj: dict, where: str) -> None:
    """Add the edges (sources[i], targets[i]) to the raw adjacency ``adj``; their data dicts stay lazy (None)."""
    for u, v in zip(sources, targets):
        try:
            neighbours_u = adj[u]
            neighbours_v = adj[v]
        except KeyError as error:
            raise NodeRowError(
                f"{where}: edge ({u}, {v}) refers to node {error.args[0]}, which is not a node of that tree."
            ) from None
        neighbours_u[v] = None
        neighbours_v[u] = None
