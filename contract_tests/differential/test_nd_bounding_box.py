"""NDBoundingBox behaves like the reference's: construction with axes (as strings too) and index orders, negative
sizes, every method with random arguments, and comparison with the other box classes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location(
    "geometry_strategies", Path(__file__).with_name("geometry_strategies.py")
)
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)

CLASS = {"class": "NDBoundingBox"}
box = gs.nd_bounding_box()


@st.composite
def constructor_args(draw):
    names = draw(st.sampled_from(gs.ND_AXES + [["a", "b"], ["t"], ["x", "y"]]))
    n = len(names)
    kwargs = {"axes": draw(st.sampled_from([names, gs.tup(names), "".join(names)]))}
    topleft = draw(gs.vector_forms(n, gs.coordinate))
    size = draw(gs.vector_forms(n, gs.extent))
    if draw(st.booleans()):
        kwargs["index"] = draw(
            st.one_of(
                st.permutations(list(range(1, n + 1))),
                st.permutations(list(range(n))),
                gs.ints(n, st.integers(0, 3)),
            )
        )
    if draw(st.booleans()):
        kwargs["name"] = draw(gs.names)
    if draw(st.booleans()):
        kwargs["color"] = draw(gs.colors)
    if draw(st.booleans()):
        kwargs["is_visible"] = draw(st.booleans())
    if draw(st.booleans()):
        return [], {"topleft": topleft, "size": size, **kwargs}
    return [topleft, size], kwargs


@gs.examples(40)
@given(params=constructor_args())
def test_construct(differential, params):
    differential.check("nd_bounding_box:construct", args=params[0], kwargs=params[1])


@gs.examples()
@given(
    names=st.sampled_from(gs.ND_AXES),
    params=st.sampled_from(
        [
            ("short-topleft", {}),
            ("comma-axes", {}),
            ("vec3-topleft", {}),
            ("short-index", {}),
            ("string-topleft", {}),
        ]
    ),
)
def test_construct_refused(differential, names, params):
    n = len(names)
    args, kwargs = [list(range(n)), [1] * n], {"axes": names}
    case = params[0]
    if case == "short-topleft":
        args[0] = args[0][:-1]
    elif case == "comma-axes":
        kwargs["axes"] = ",".join(names)
    elif case == "vec3-topleft":
        args[0] = gs.new("Vec3Int", 1, 2, 3)
    elif case == "short-index":
        kwargs["index"] = list(range(n - 1))
    elif case == "string-topleft":
        args[0] = ",".join(map(str, args[0]))
    differential.check("nd_bounding_box:construct", args=args, kwargs=kwargs)


@gs.examples(10)
@given(names=st.sampled_from(gs.ND_AXES), repeat=st.integers(0, 2))
def test_construct_duplicate_axes(differential, names, repeat):
    axes = list(names)
    axes[-1] = axes[repeat]
    differential.check(
        "nd_bounding_box:construct_duplicate_axes",
        args=[list(range(len(axes))), [1] * len(axes)],
        kwargs={"axes": axes},
    )


METHODS = {
    **gs.box_methods("NDBoundingBox"),
    "chunk": lambda s: st.one_of(
        gs.vector_forms(3, st.integers(1, 12)).map(lambda v: [v]),
        gs.vector_forms(len(gs.box_axes(s)), st.integers(1, 12)).map(lambda v: [v]),
        st.tuples(gs.vector_forms(3, st.integers(1, 12)), gs.vector_forms(3, st.sampled_from([1, 2, 4]))).map(list),
    ),
}
# normalize_axes of boxes without a channel axis: test_normalize_axes_without_c.
METHODS["normalize_axes"] = lambda s: st.integers(-1, 4).map(lambda n: [n])
CLASS_METHODS = {
    "from_axes": st.sampled_from(gs.ND_AXES).flatmap(
        lambda names: st.tuples(st.sampled_from([gs.tup(names), "".join(names)]), gs.ints(len(names), gs.extent)).map(
            list
        )
    ),
    "group_boxes_with_aligned_mag": st.tuples(
        st.lists(gs.nd_bounding_box(axes=st.just(["t", "x", "y", "z"]), with_index=False), max_size=4), gs.mag()
    ).map(list),
}
EXERCISED = set(METHODS) | set(CLASS_METHODS) | set(gs.BOX_ATTRIBUTES)
with_c = gs.nd_bounding_box(
    axes=st.sampled_from([["c", "x", "y", "z"], ["x", "c", "y", "z"], ["t", "c", "x", "y", "z"]])
)


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples()
@given(data=st.data())
def test_method(differential, method, data):
    target = data.draw(with_c if method == "normalize_axes" else box)
    differential.check("nd_bounding_box:call", target=target, method=method, args=data.draw(METHODS[method](target)))


@gs.examples(10)
@given(target=gs.nd_bounding_box(axes=st.sampled_from([["t", "x", "y", "z"], ["x", "y", "z"]])), n=st.integers(-1, 3))
def test_normalize_axes_without_c(differential, target, n):
    differential.check("nd_bounding_box:normalize_axes_without_c", target=target, method="normalize_axes", args=[n])


@pytest.mark.parametrize("method", sorted(CLASS_METHODS))
@gs.examples()
@given(data=st.data())
def test_class_method(differential, method, data):
    differential.check("nd_bounding_box:call", target=CLASS, method=method, args=data.draw(CLASS_METHODS[method]))


@gs.examples()
@given(data=st.data(), factors=st.lists(gs.mag_factor, min_size=3, max_size=3), names=st.sampled_from(gs.ND_AXES))
def test_in_mag_of_aligned_boxes(differential, data, factors, names):
    per_axis = [factors["xyz".index(a)] if a in "xyz" else 1 for a in names]
    topleft = [f * data.draw(st.integers(-5, 5)) for f in per_axis]
    size = [f * data.draw(st.integers(0, 5)) for f in per_axis]
    target = gs.new("NDBoundingBox", topleft, size, axes=names)
    differential.check("nd_bounding_box:call", target=target, method="in_mag", args=[gs.new("Mag", factors)])


@gs.examples()
@given(target=box, shape=st.one_of(gs.vector_forms(3, st.integers(-2, 2)), st.just(4)))
def test_chunking_with_odd_shapes(differential, target, shape):
    differential.check("nd_bounding_box:call", target=target, method="chunk", args=[shape])


@gs.examples()
@given(
    target=box,
    vector=st.one_of(gs.small, gs.vector_forms(2), gs.vector_forms(5)),
    method=st.sampled_from(["offset", "padded_with_margins", "contains", "with_topleft", "with_size"]),
)
def test_vector_methods_with_wrong_lengths(differential, target, vector, method):
    differential.check("nd_bounding_box:call", target=target, method=method, args=[vector])


@gs.examples()
@given(
    target=box,
    mag=st.sampled_from([2, {"tuple": [2, 2, 1]}]),
    method=st.sampled_from(["align_with_mag", "in_mag", "from_mag_to_mag1"]),
)
def test_mag_methods_with_plain_values(differential, target, mag, method):
    differential.check("nd_bounding_box:call", target=target, method=method, args=[mag])


@gs.examples()
@given(target=box, flat=st.booleans(), method=st.sampled_from(["to_slices_xyz", "xyz_array_to_bbox_shape"]))
def test_flat_boxes(differential, target, flat, method):
    if flat:
        names = target["kwargs"]["axes"]
        target = {
            **target,
            "args": [target["args"][0], [s if a in "xyz" else 1 for a, s in zip(names, target["args"][1])]],
        }
    args = [] if method == "to_slices_xyz" else [{"np": gs._zeros((2, 3, 4)), "dtype": "int64"}]
    differential.check("nd_bounding_box:call", target=target, method=method, args=args)


@pytest.mark.parametrize("name", gs.BOX_ATTRIBUTES)
@gs.examples(10)
@given(params=constructor_args())
def test_attribute(differential, name, params):
    differential.check("nd_bounding_box:attribute", target=gs.new("NDBoundingBox", *params[0], **params[1]), name=name)


@pytest.mark.parametrize("op", gs.BOX_UNARY)
@gs.examples(10)
@given(target=box)
def test_unary(differential, op, target):
    differential.check("nd_bounding_box:unary", op=op, a=target)


@pytest.mark.parametrize("op", gs.BOX_BINARY)
@gs.examples(5)
@given(a=box, b=box)
def test_binary(differential, op, a, b):
    differential.check("nd_bounding_box:binary", a=a, op=op, b=b if op != "getitem" else 0)


other_boxes = st.one_of(
    gs.nd_bounding_box(),
    gs.bounding_box(),
    gs.normalized_bounding_box(),
    gs.normalized_bounding_box(extra_axis=True),
    st.sampled_from([None, 5]),
)


@gs.examples(40)
@given(a=box, b=other_boxes, same=st.booleans())
def test_equality_and_hash(differential, a, b, same):
    if same and isinstance(b, dict) and b.get("new") == "NDBoundingBox":
        b = {
            **b,
            "args": a["args"],
            "kwargs": {**a.get("kwargs", {}), **{k: v for k, v in b["kwargs"].items() if k == "name"}},
        }
    differential.check("nd_bounding_box:equality", a=a, b=b)


@gs.examples(20)
@given(
    a=gs.nd_bounding_box(axes=st.sampled_from([["x", "y", "z"], ["t", "x", "y", "z"]])),
    b=st.one_of(gs.normalized_bounding_box(), gs.normalized_bounding_box(extra_axis=True), gs.bounding_box()),
    method=st.sampled_from(["intersected_with", "extended_by", "contains_bbox"]),
)
def test_combined_with_other_box_classes(differential, a, b, method):
    args = [b, True] if method == "intersected_with" else [b]
    differential.check("nd_bounding_box:call", target=a, method=method, args=args)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("nd_bounding_box:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED, sorted(reference_members - EXERCISED)
    differential.check("nd_bounding_box:missing_members", members=sorted(reference_members))
