"""Hypothesis strategies for the geometry scenarios: JSON specs of vectors, mags, boxes and operands.

Specs are decoded by ``scenarios/geometry_values.py`` on both sides. ``DAEDALUS_DIFFERENTIAL_EXAMPLES`` sets the
examples of a default test (20; tests with their own count scale alike); the tests load this module by path
(pytest runs with ``--import-mode=importlib``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

DEFAULT_EXAMPLES = 20
EXAMPLES = int(os.environ.get("DAEDALUS_DIFFERENTIAL_EXAMPLES", str(DEFAULT_EXAMPLES)))
HERE = Path(__file__).resolve().parent


def load(name: str) -> ModuleType:
    """A module of this folder by file name, loaded once."""
    key = f"daedalus_differential_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def examples(n: int | None = None) -> settings:
    """Hypothesis settings of a differential test: ``n`` examples (default 20), scaled by
    ``DAEDALUS_DIFFERENTIAL_EXAMPLES / 20``; no deadline."""
    return settings(
        max_examples=max(1, round((n or DEFAULT_EXAMPLES) * EXAMPLES / DEFAULT_EXAMPLES)),
        deadline=None,
        derandomize=not os.environ.get("DAEDALUS_DIFFERENTIAL_RANDOM"),  # CI runs the same examples each time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ---- plain values ----------------------------------------------------------------------------------------------
small = st.integers(-12, 12)
positive = st.integers(1, 9)
coordinate = st.integers(-40, 40)
extent = st.integers(-8, 40)
floats = st.sampled_from([0.0, 0.5, 1.0, 1.5, -1.5, 2.0, 2.75, -0.25, 3.0, 1e-3, 100.0])
special_floats = st.sampled_from([{"float": "nan"}, {"float": "inf"}, {"float": "-inf"}])
axis_names = st.sampled_from(["x", "y", "z", "c", "t", "a"])
AXES_CHOICES = [
    ["x", "y", "z"],
    ["z", "y", "x"],
    ["c", "x", "y", "z"],
    ["t", "x", "y", "z"],
    ["x", "y", "z", "t"],
    ["x", "t", "y", "z"],
    ["c", "t", "x", "y", "z"],
    ["a", "b"],
    ["t"],
]
axes_lists = st.sampled_from(AXES_CHOICES)


def tup(values: list) -> dict:
    """The spec of a tuple."""
    return {"tuple": list(values)}


def new(cls: str, *args: Any, **kwargs: Any) -> dict:
    """The spec of ``cls(*args, **kwargs)``."""
    spec: dict = {"new": cls, "args": list(args)}
    if kwargs:
        spec["kwargs"] = kwargs
    return spec


def ints(n: int, elements: st.SearchStrategy = small) -> st.SearchStrategy[list[int]]:
    """Lists of ``n`` ints."""
    return st.lists(elements, min_size=n, max_size=n)


def vec3_values(elements: st.SearchStrategy = small) -> st.SearchStrategy[list[int]]:
    """Three ints."""
    return ints(3, elements)


def sequence_forms(values: list, dtype: str = "int64") -> st.SearchStrategy[Any]:
    """``values`` as a list, tuple, numpy array, iterator or vector spec."""
    forms = [
        st.just(values),
        st.just(tup(values)),
        st.just({"np": values, "dtype": dtype}),
        st.just({"iter": values}),
    ]
    if len(values) == 3:
        forms.append(st.just(new("Vec3Int", *values)))
    return st.one_of(forms)


def vec3int(elements: st.SearchStrategy = small) -> st.SearchStrategy[dict]:
    """A spec of a Vec3Int."""
    return vec3_values(elements).map(lambda v: new("Vec3Int", *v))


@st.composite
def vecint(draw: Any, axes: st.SearchStrategy = axes_lists, elements: st.SearchStrategy = small) -> dict:
    """A spec of a VecInt with named axes."""
    names = draw(axes)
    return new("VecInt", *draw(ints(len(names), elements)), axes=names)


def vec3float(elements: st.SearchStrategy | None = None) -> st.SearchStrategy[dict]:
    """A spec of a Vec3Float."""
    elements = elements or st.one_of(floats, small)
    return st.lists(elements, min_size=3, max_size=3).map(lambda v: new("Vec3Float", *v))


MAG_VALUES = [1, 2, 4, 8, 16]
mag_factor = st.sampled_from(MAG_VALUES)


def mag(anisotropic: bool = True) -> st.SearchStrategy[dict]:
    """A spec of a valid Mag (powers of two)."""
    uniform = mag_factor.map(lambda n: new("Mag", n))
    if not anisotropic:
        return uniform
    return st.one_of(uniform, st.lists(mag_factor, min_size=3, max_size=3).map(lambda v: new("Mag", v)))


@st.composite
def bounding_box(draw: Any, topleft: st.SearchStrategy = coordinate, size: st.SearchStrategy = extent) -> dict:
    """A spec of a BoundingBox (sizes may be zero or negative)."""
    return new("BoundingBox", draw(vec3_values(topleft)), draw(vec3_values(size)))


ND_AXES = [
    ["x", "y", "z"],
    ["t", "x", "y", "z"],
    ["x", "y", "z", "t"],
    ["c", "x", "y", "z"],
    ["z", "y", "x"],
    ["t", "z", "x", "y"],
]


@st.composite
def nd_bounding_box(
    draw: Any,
    axes: st.SearchStrategy | None = None,
    topleft: st.SearchStrategy = coordinate,
    size: st.SearchStrategy = extent,
    with_index: bool = True,
) -> dict:
    """A spec of an NDBoundingBox (an index permutation sometimes)."""
    names = draw(axes if axes is not None else st.sampled_from(ND_AXES))
    kwargs: dict = {"axes": names}
    if with_index and draw(st.booleans()):
        kwargs["index"] = draw(st.permutations(list(range(1, len(names) + 1))))
    return new("NDBoundingBox", draw(ints(len(names), topleft)), draw(ints(len(names), size)), **kwargs)


@st.composite
def normalized_bounding_box(
    draw: Any, topleft: st.SearchStrategy = coordinate, size: st.SearchStrategy = extent, extra_axis: bool = False
) -> dict:
    """A spec of a NormalizedBoundingBox (axes c, x, y, z and maybe t, as ``normalize_axes`` makes them)."""
    names = ["c", "x", "y", "z"] + (["t"] if extra_axis else [])
    channels = draw(st.integers(1, 4))
    tl = [0] + draw(ints(len(names) - 1, topleft))
    sz = [channels] + draw(ints(len(names) - 1, size))
    return new("NormalizedBoundingBox", tl, sz, axes=names, index=list(range(len(names))))


def int_operands(n: int) -> st.SearchStrategy[Any]:
    """Operands of an n-vector in arithmetic: ints, n-sequences in every form, and vectors."""
    sequences = ints(n).flatmap(sequence_forms)
    return st.one_of(small, sequences)


def odd_operands(n: int) -> st.SearchStrategy[Any]:
    """Operands that should be refused or handled specially: floats, wrong lengths, strings, None, numpy scalars."""
    return st.one_of(
        floats,
        st.just(None),
        st.just("1,2,3"),
        ints(n + 1).map(tup),
        ints(max(n - 1, 0)).map(tup),
        st.lists(floats, min_size=n, max_size=n).map(tup),
        small.map(lambda v: {"npscalar": v, "dtype": "int64"}),
        floats.map(lambda v: {"npscalar": v, "dtype": "float64"}),
        st.just([]),
        st.just(True),
    )


# ---- boxes -----------------------------------------------------------------------------------------------------
def box_axes(spec: dict) -> list[str]:
    """The axes a box spec is built with (before sorting by index)."""
    if spec["new"] == "BoundingBox":
        return ["x", "y", "z"]
    return list(spec["kwargs"]["axes"])


def same_kind_box(spec: dict, topleft: st.SearchStrategy = coordinate, size: st.SearchStrategy = extent):
    """Another box like ``spec``: the same class, axes and index, other corners."""
    n = len(box_axes(spec))
    return st.tuples(ints(n, topleft), ints(n, size)).map(
        lambda p: {**spec, "args": [p[0], p[1]], "kwargs": {k: v for k, v in spec.get("kwargs", {}).items()}}
    )


def vector_forms(n: int, elements: st.SearchStrategy = small) -> st.SearchStrategy[Any]:
    """n values as a list, tuple, numpy array or (for 3) a Vec3Int."""
    return ints(n, elements).flatmap(lambda v: st.sampled_from([v, tup(v), {"np": v, "dtype": "int64"}]))


def xyz_or_all(spec: dict, elements: st.SearchStrategy = small) -> st.SearchStrategy[Any]:
    """Three values (x, y, z) or one per axis of the box."""
    n = len(box_axes(spec))
    return st.one_of(vector_forms(3, elements), vector_forms(n, elements), vec3int(elements))


mag_or_vec = st.one_of(mag(), st.lists(mag_factor, min_size=3, max_size=3).map(lambda v: new("Vec3Int", *v)))
colors = st.one_of(
    st.none(),
    st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=4, max_size=4).map(tup),
    st.lists(st.sampled_from([0, 1]), min_size=4, max_size=4),
)
names = st.one_of(st.none(), st.sampled_from(["", "box", "Unnamed Bounding Box", "ä"]))


def box_methods(kind: str) -> dict[str, Any]:
    """Method name -> (target spec -> strategy of the argument list) for the methods every box class has."""
    other = same_kind_box
    return {
        "align_with_mag": lambda s: st.one_of(
            mag_or_vec.map(lambda m: [m]), st.tuples(mag_or_vec, st.booleans()).map(list)
        ),
        "contains": lambda s: xyz_or_all(s, coordinate).map(lambda p: [p]),
        "contains_bbox": lambda s: other(s).map(lambda b: [b]),
        "denormalize": lambda s: st.just([]),
        "extended_by": lambda s: other(s).map(lambda b: [b]),
        "from_mag_to_mag1": lambda s: mag().map(lambda m: [m]),
        "get_bounds": lambda s: st.sampled_from(box_axes(s) + ["q"]).map(lambda a: [a]),
        "get_shape": lambda s: st.sampled_from(box_axes(s) + ["q"]).map(lambda a: [a]),
        "in_mag": lambda s: mag().map(lambda m: [m]),
        "intersected_with": lambda s: st.tuples(other(s), st.booleans()).map(list),
        "is_empty": lambda s: st.just([]),
        "normalize_axes": lambda s: st.integers(-1, 4).map(lambda n: [n]),
        "offset": lambda s: xyz_or_all(s).map(lambda v: [v]),
        "padded_with_margins": lambda s: st.one_of(
            vector_forms(3).map(lambda v: [v]), st.tuples(vector_forms(3), vector_forms(3)).map(list)
        ),
        "slice_array": lambda s: st.just([{"np": _nested_range(len(box_axes(s))), "dtype": "int64"}]),
        "to_checkpoint_name": lambda s: st.just([]),
        "to_config_dict": lambda s: st.just([]),
        "to_slices": lambda s: st.just([]),
        "to_slices_xyz": lambda s: st.just([]),
        "volume": lambda s: st.just([]),
        "with_bottomright": lambda s: vector_forms(len(box_axes(s)), coordinate).map(lambda v: [v]),
        "with_bottomright_xyz": lambda s: vector_forms(3, coordinate).map(lambda v: [v]),
        "with_bounds": lambda s: st.tuples(
            st.sampled_from(box_axes(s) + ["q"]), st.one_of(st.none(), coordinate), st.one_of(st.none(), extent)
        ).map(list),
        "with_color": lambda s: colors.map(lambda c: [c]),
        "with_index": lambda s: st.permutations(list(range(1, len(box_axes(s)) + 1))).map(lambda p: [p]),
        "with_index_xyz": lambda s: st.permutations([1, 2, 3]).map(lambda p: [p]),
        "with_is_visible": lambda s: st.booleans().map(lambda b: [b]),
        "with_name": lambda s: names.map(lambda n: [n]),
        "with_size": lambda s: vector_forms(len(box_axes(s)), extent).map(lambda v: [v]),
        "with_size_xyz": lambda s: vector_forms(3, extent).map(lambda v: [v]),
        "with_topleft": lambda s: vector_forms(len(box_axes(s)), coordinate).map(lambda v: [v]),
        "with_topleft_xyz": lambda s: vector_forms(3, coordinate).map(lambda v: [v]),
        "xyz_array_to_bbox_shape": lambda s: st.sampled_from([(2, 3, 4), (1, 2, 3, 4)]).map(
            lambda shape: [{"np": _zeros(shape), "dtype": "int64"}]
        ),
    }


def _nested_range(ndim: int, width: int = 4) -> list:
    """A nested list of ``width**ndim`` distinct ints (an array to slice)."""
    import numpy as np

    return np.arange(width**ndim).reshape((width,) * ndim).tolist()


def _zeros(shape: tuple) -> list:
    import numpy as np

    return np.zeros(shape, dtype=np.int64).tolist()


BOX_ATTRIBUTES = [
    "axes",
    "bottomright",
    "bottomright_xyz",
    "color",
    "index",
    "index_xyz",
    "is_visible",
    "name",
    "ndim",
    "size",
    "size_xyz",
    "topleft",
    "topleft_xyz",
]
BOX_UNARY = ["len", "bool", "repr", "str", "hashable"]
BOX_BINARY = ["lt", "getitem", "add"]
