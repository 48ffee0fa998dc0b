"""NormalizedBoundingBox behaves like the reference's: boxes with a channel axis, their wkw dicts, and how they
combine and compare with BoundingBox and NDBoundingBox."""

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

CLASS = {"class": "NormalizedBoundingBox"}
box = st.one_of(gs.normalized_bounding_box(), gs.normalized_bounding_box(extra_axis=True))
AXES = [
    ["c", "x", "y", "z"],
    ["c", "x", "y", "z", "t"],
    ["c", "t", "x", "y", "z"],
    ["x", "y", "z", "c"],
    ["x", "y", "z"],
]


@st.composite
def constructor_args(draw):
    names = draw(st.sampled_from(AXES))
    n = len(names)
    kwargs = {"axes": draw(st.sampled_from([names, gs.tup(names), "".join(names)]))}
    if draw(st.booleans()):
        kwargs["index"] = draw(st.permutations(list(range(n))))
    if draw(st.booleans()):
        kwargs["name"] = draw(gs.names)
    return [draw(gs.vector_forms(n, gs.coordinate)), draw(gs.vector_forms(n, gs.extent))], kwargs


@gs.examples(30)
@given(params=constructor_args())
def test_construct(differential, params):
    differential.check("normalized_bounding_box:construct", args=params[0], kwargs=params[1])


@gs.examples(20)
@given(target=gs.bounding_box(), channels=st.integers(-1, 4))
def test_made_by_normalize_axes(differential, target, channels):
    differential.check("normalized_bounding_box:call", target=target, method="normalize_axes", args=[channels])


METHODS = {
    **gs.box_methods("NormalizedBoundingBox"),
    "chunk": lambda s: st.one_of(
        gs.vector_forms(3, st.integers(1, 12)).map(lambda v: [v]),
        st.tuples(gs.vector_forms(3, st.integers(1, 12)), gs.vector_forms(3, st.sampled_from([1, 2, 4]))).map(list),
    ),
    "to_wkw_dict": lambda s: st.just([]),
}
wkw_dicts = st.tuples(gs.ints(3), gs.ints(3, st.integers(0, 9)), st.integers(1, 4)).flatmap(
    lambda p: st.sampled_from(
        [
            {"dict": {"topLeft": p[0], "width": p[1][0], "height": p[1][1], "depth": p[1][2]}},
            {"dict": {"topLeft": p[0], "width": p[1][0], "height": p[1][1], "depth": p[1][2], "numChannels": p[2]}},
            {
                "dict": {
                    "topLeft": p[0],
                    "width": p[1][0],
                    "height": p[1][1],
                    "depth": p[1][2],
                    "numChannels": p[2],
                    "axisOrder": {"dict": {"c": 0, "x": 1, "y": 2, "z": 3}},
                }
            },
            {
                "dict": {
                    "topLeft": p[0],
                    "width": p[1][0],
                    "height": p[1][1],
                    "depth": p[1][2],
                    "additionalAxes": [{"dict": {"name": "t", "bounds": [0, p[2]], "index": 1}}],
                    "axisOrder": {"dict": {"c": 0, "x": 2, "y": 3, "z": 4}},
                }
            },
            {
                "dict": {
                    "topLeft": p[0],
                    "width": p[1][0],
                    "height": p[1][1],
                    "depth": p[1][2],
                    "additionalAxes": [{"dict": {"name": "t", "bounds": [0, p[2]], "index": 4}}],
                    "axisOrder": {"dict": {"x": 1, "y": 2, "z": 3}},
                }
            },
            {
                "dict": {
                    "topLeft": p[0],
                    "width": p[1][0],
                    "height": p[1][1],
                    "depth": p[1][2],
                    "additionalAxes": [{"dict": {"name": "t", "bounds": [0, p[2]], "index": 1}}],
                }
            },
            {"dict": {"topLeft": p[0], "width": p[1][0], "height": p[1][1]}},
        ]
    )
)
CLASS_METHODS = {
    "from_wkw_dict": wkw_dicts.map(lambda d: [d]),
    "from_axes": st.sampled_from(AXES[:3]).flatmap(
        lambda names: st.tuples(st.just(gs.tup(names)), gs.ints(len(names), gs.extent)).map(list)
    ),
    "group_boxes_with_aligned_mag": st.tuples(st.lists(gs.normalized_bounding_box(), max_size=3), gs.mag()).map(list),
}
EXERCISED = set(METHODS) | set(CLASS_METHODS) | set(gs.BOX_ATTRIBUTES)


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples()
@given(data=st.data())
def test_method(differential, method, data):
    target = data.draw(box)
    differential.check(
        "normalized_bounding_box:call", target=target, method=method, args=data.draw(METHODS[method](target))
    )


@pytest.mark.parametrize("method", sorted(CLASS_METHODS))
@gs.examples()
@given(data=st.data())
def test_class_method(differential, method, data):
    differential.check(
        "normalized_bounding_box:call", target=CLASS, method=method, args=data.draw(CLASS_METHODS[method])
    )


@gs.examples(20)
@given(d=wkw_dicts)
def test_wkw_dict_round_trip(differential, d):
    differential.check("normalized_bounding_box:wkw_round_trip", bbox=d)


@pytest.mark.parametrize("name", gs.BOX_ATTRIBUTES)
@gs.examples(10)
@given(params=constructor_args())
def test_attribute(differential, name, params):
    differential.check(
        "normalized_bounding_box:attribute", target=gs.new("NormalizedBoundingBox", *params[0], **params[1]), name=name
    )


@pytest.mark.parametrize("op", gs.BOX_UNARY)
@gs.examples(10)
@given(target=box)
def test_unary(differential, op, target):
    differential.check("normalized_bounding_box:unary", op=op, a=target)


others = st.one_of(
    gs.bounding_box(),
    gs.normalized_bounding_box(),
    gs.normalized_bounding_box(extra_axis=True),
    gs.nd_bounding_box(axes=st.sampled_from([["x", "y", "z"], ["x", "y", "z", "t"], ["c", "x", "y", "z"]])),
    st.sampled_from([None, 5]),
)


@gs.examples(40)
@given(a=box, b=others, same=st.booleans())
def test_equality_and_hash(differential, a, b, same):
    if same and isinstance(b, dict) and b.get("new") == "BoundingBox" and len(a["args"][0]) == 4:
        b = {**b, "args": [a["args"][0][1:], a["args"][1][1:]]}
    differential.check("normalized_bounding_box:equality", a=a, b=b)


@pytest.mark.parametrize("method", ["intersected_with", "extended_by", "contains_bbox"])
@gs.examples(30)
@given(a=box, b=others)
def test_combined_with_other_box_classes(differential, method, a, b):
    args = [b, True] if method == "intersected_with" else [b]
    differential.check("normalized_bounding_box:call", target=a, method=method, args=args)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("normalized_bounding_box:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED, sorted(reference_members - EXERCISED)
    differential.check("normalized_bounding_box:missing_members", members=sorted(reference_members))
