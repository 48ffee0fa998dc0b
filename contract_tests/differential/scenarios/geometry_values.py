"""Shared by the geometry scenarios: arguments decoded from JSON specs, results described as plain data.

Stdlib and numpy only (it runs in daedalus' environment and in the reference venv). A spec is JSON: plain values
stay as they are; ``{"tuple": [...]}``, ``{"np": [...], "dtype": "int64"}``, ``{"npscalar": 3, "dtype": "int32"}``,
``{"float": "nan"}``, ``{"iter": [...]}``, ``{"range": [a, b]}``, ``{"dict": {...}}`` make the Python value;
``{"new": "Vec3Int", "args": [...], "kwargs": {...}}`` builds a geometry object and ``{"class": "Mag"}`` names a class.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator
from typing import Any

import numpy as np

_VEC_CLASSES = ("VecInt", "Vec3Int")
_BOX_CLASSES = ("NDBoundingBox", "BoundingBox", "NormalizedBoundingBox")
MAX_ITEMS = 300


def resolve(wk: Any, name: str) -> Any:
    """A class of the package under test by name (top level first, then its ``geometry`` module)."""
    found = getattr(wk, name, None)
    if found is None:
        found = getattr(importlib.import_module(f"{wk.__name__}.geometry"), name)
    return found


def build(wk: Any, spec: Any) -> Any:
    """The Python value a JSON spec describes (see the module docstring)."""
    if isinstance(spec, list):
        return [build(wk, item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    if "tuple" in spec:
        return tuple(build(wk, item) for item in spec["tuple"])
    if "np" in spec:
        return np.array(build(wk, spec["np"]), dtype=spec.get("dtype"))
    if "npscalar" in spec:
        return np.dtype(spec["dtype"]).type(spec["npscalar"])
    if "float" in spec:
        return float(spec["float"])
    if "iter" in spec:
        return iter(build(wk, spec["iter"]))
    if "range" in spec:
        return range(*spec["range"])
    if "dict" in spec:
        return {key: build(wk, value) for key, value in spec["dict"].items()}
    if "class" in spec:
        return resolve(wk, spec["class"])
    if "new" in spec:
        factory = resolve(wk, spec["new"])
        if "method" in spec:
            factory = getattr(factory, spec["method"])
        kwargs = {key: build(wk, value) for key, value in spec.get("kwargs", {}).items()}
        return factory(*build(wk, spec.get("args", [])), **kwargs)
    raise ValueError(f"unknown spec {spec!r}")


def _items(value: Any) -> list:
    out = []
    for item in value:
        out.append(describe(item))
        if len(out) >= MAX_ITEMS:
            out.append("...")
            break
    return out


def describe(value: Any) -> Any:
    """``value`` as plain data: geometry objects by type, fields, repr and str; containers recursively."""
    kind = type(value).__name__
    if kind in _VEC_CLASSES and hasattr(value, "axes"):
        return {"vec": kind, "values": _items(value), "axes": list(value.axes), "repr": repr(value), "str": str(value)}
    if kind == "Vec3Float":
        return {"vec": kind, "values": _items(value), "repr": repr(value), "str": str(value)}
    if kind == "Mag":
        return {"mag": repr(value), "str": str(value), "values": _items(value)}
    if kind in _BOX_CLASSES:
        return {
            "box": kind,
            "topleft": describe(value.topleft),
            "size": describe(value.size),
            "bottomright": describe(value.bottomright),
            "axes": describe(value.axes),
            "index": describe(value.index),
            "name": value.name,
            "is_visible": value.is_visible,
            "color": describe(value.color),
            "repr": repr(value),
            "str": str(value),
        }
    if isinstance(value, slice):
        return {"slice": [describe(value.start), describe(value.stop), describe(value.step)]}
    if isinstance(value, dict):
        return {"dict": [[describe(k), describe(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        described = _items(value)
        return described if type(value) is list else {"tuple": described}
    if isinstance(value, np.ndarray):
        return {"array": str(value.dtype), "shape": list(value.shape), "values": value.tolist()}
    if isinstance(value, Iterator):
        return {"iterator": _items(value)}
    return value


def outcome(function: Any, *args: Any, **kwargs: Any) -> Any:
    """``describe(function(*args, **kwargs))``, or the exception class name when it raises (for pairs of checks)."""
    try:
        return describe(function(*args, **kwargs))
    except Exception as error:  # the error is the observation
        return {"raised": type(error).__name__}


OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
    "floordiv": lambda a, b: a // b,
    "mod": lambda a, b: a % b,
    "pow": lambda a, b: a**b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "contains": lambda a, b: b in a,
    "getitem": lambda a, b: a[b],
}
UNARY = {
    "neg": lambda a: -a,
    "pos": lambda a: +a,
    "abs": lambda a: abs(a),
    "len": len,
    "bool": bool,
    "list": list,
    "reversed": lambda a: list(reversed(a)),
    "repr": repr,
    "str": str,
    "array": lambda a: np.asarray(a),
    "hashable": lambda a: hash(a) == hash(a),
}


def binary(wk: Any, a: Any, op: str, b: Any) -> Any:
    """``a <op> b`` on built values, described."""
    return describe(OPERATORS[op](build(wk, a), build(wk, b)))


def unary(wk: Any, op: str, a: Any) -> Any:
    """``<op>(a)`` on a built value, described."""
    return describe(UNARY[op](build(wk, a)))


def call(wk: Any, target: Any, method: str, args: list, kwargs: dict) -> Any:
    """``target.method(*args, **kwargs)`` on built values (target may be a class spec), described."""
    function = getattr(build(wk, target), method)
    return describe(function(*build(wk, args), **{key: build(wk, value) for key, value in kwargs.items()}))


def attribute(wk: Any, target: Any, name: str) -> Any:
    """``target.name`` on a built value, described."""
    return describe(getattr(build(wk, target), name))


def equality(wk: Any, a: Any, b: Any) -> dict:
    """How two values compare and hash: == both ways, !=, hashability, and equal hashes when equal."""
    left, right = build(wk, a), build(wk, b)
    # A comparison that raises ends the scenario, so that the observer compares the exception by type.
    result = {
        "eq": describe(left == right),
        "req": describe(right == left),
        "ne": describe(left != right),
        "hash_left": outcome(lambda: hash(left) == hash(left)),
        "hash_right": outcome(lambda: hash(right) == hash(right)),
    }
    if result["eq"] is True and result["hash_left"] is True and result["hash_right"] is True:
        result["same_hash"] = hash(left) == hash(right)
        result["set_size"] = len({left, right})
    return result


def public_members(wk: Any, name: str) -> list[str]:
    """The public attribute names of a class (for coverage of the suite and missing members)."""
    return sorted(member for member in dir(resolve(wk, name)) if not member.startswith("_"))


def missing_members(wk: Any, name: str, members: list[str]) -> list[str]:
    """Those of ``members`` the class lacks."""
    cls = resolve(wk, name)
    return [member for member in members if not hasattr(cls, member)]


def construct(wk: Any, cls: str, args: list, kwargs: dict) -> Any:
    """``cls(*args, **kwargs)`` on built values, described."""
    factory = resolve(wk, cls)
    return describe(factory(*build(wk, args), **{key: build(wk, value) for key, value in kwargs.items()}))


def scenarios(cls: str) -> types.SimpleNamespace:
    """The generic scenarios for one class, as functions ``(wk, tmp, **params)`` defined in this file.

    They are defined here (not in the class' module) so that warnings the package issues "at its caller" are
    attributed to the scenario's own file, which the observer counts.
    """

    def construct_(wk: Any, tmp: Any, args: list = (), kwargs: dict | None = None) -> Any:
        return construct(wk, cls, list(args), kwargs or {})

    def call_(wk: Any, tmp: Any, target: Any, method: str, args: list = (), kwargs: dict | None = None) -> Any:
        return call(wk, target, method, list(args), kwargs or {})

    def attribute_(wk: Any, tmp: Any, target: Any, name: str) -> Any:
        return attribute(wk, target, name)

    def binary_(wk: Any, tmp: Any, a: Any, op: str, b: Any) -> Any:
        return binary(wk, a, op, b)

    def unary_(wk: Any, tmp: Any, op: str, a: Any) -> Any:
        return unary(wk, op, a)

    def equality_(wk: Any, tmp: Any, a: Any, b: Any) -> Any:
        return equality(wk, a, b)

    def is_a_tuple_(wk: Any, tmp: Any, a: Any) -> Any:
        value = build(wk, a)
        return [isinstance(value, tuple), outcome(lambda: "%s" % value)]  # noqa: UP031 - %-formatting is what is observed

    def members_(wk: Any, tmp: Any) -> list[str]:
        return public_members(wk, cls)

    def missing_(wk: Any, tmp: Any, members: list[str]) -> list[str]:
        return missing_members(wk, cls, members)

    return types.SimpleNamespace(
        construct=construct_,
        call=call_,
        attribute=attribute_,
        binary=binary_,
        unary=unary_,
        equality=equality_,
        is_a_tuple=is_a_tuple_,
        members=members_,
        missing_members=missing_,
    )
