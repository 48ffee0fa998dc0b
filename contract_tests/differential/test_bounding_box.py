"""BoundingBox behaves like the reference's: construction (negative and degenerate sizes included), every method
with random arguments, conversions, chunking and comparison with the other box classes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location(
    "geometry_strategies", Path(__file__).with_name("geometry_strategies.py")
)
gs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gs)

CLASS = {"class": "BoundingBox"}
coordinate = st.integers(-50, 50)
vec3 = st.tuples(coordinate, coordinate, coordinate)
box = gs.bounding_box()


@gs.examples(30)
@given(topleft=vec3, size=vec3)
def test_construct(differential, topleft, size):
    differential.check("bounding_box:construct", topleft=topleft, size=size)


@gs.examples(30)
@given(a=st.tuples(vec3, vec3), b=st.tuples(vec3, vec3))
def test_intersect(differential, a, b):
    differential.check("bounding_box:intersect", a=a, b=b)


@st.composite
def constructor_args(draw):
    topleft = draw(gs.vector_forms(3, gs.coordinate))
    size = draw(gs.vector_forms(3, gs.extent))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["name"] = draw(gs.names)
    if draw(st.booleans()):
        kwargs["is_visible"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["color"] = draw(gs.colors)
    if draw(st.booleans()):
        kwargs["index"] = draw(st.permutations([1, 2, 3]).flatmap(lambda p: st.sampled_from([gs.tup(p), list(p)])))
    if draw(st.booleans()):
        kwargs["axes"] = draw(
            st.sampled_from([gs.tup(["x", "y", "z"]), "xyz", ["x", "y", "z"], gs.tup(["z", "y", "x"])])
        )
    if draw(st.booleans()):
        return [], {"topleft": topleft, "size": size, **kwargs}
    return [topleft, size], kwargs


@gs.examples(40)
@given(params=constructor_args())
def test_create(differential, params):
    differential.check("bounding_box:create", args=params[0], kwargs=params[1])


@gs.examples()
@given(
    params=st.one_of(
        st.tuples(gs.ints(2), gs.ints(3)).map(lambda p: ([p[0], p[1]], {})),
        st.just(([1, 2], {})),
        st.just(([], {})),
        st.tuples(gs.ints(3), gs.ints(3)).map(lambda p: ([p[0]], {"size": p[1], "topleft": p[0]})),
    )
)
def test_create_refused(differential, params):
    differential.check("bounding_box:create", args=params[0], kwargs=params[1])


@gs.examples(10)
@given(topleft=gs.ints(3, st.integers(0, 99)), size=gs.ints(3, st.integers(0, 99)))
def test_create_from_strings(differential, topleft, size):
    differential.check("bounding_box:create_from_str", args=[",".join(map(str, topleft)), ",".join(map(str, size))])


METHODS = {
    **gs.box_methods("BoundingBox"),
    "chunk": lambda s: st.one_of(
        gs.vector_forms(3, st.integers(1, 12)).map(lambda v: [v]),
        st.tuples(gs.vector_forms(3, st.integers(1, 12)), gs.vector_forms(3, st.sampled_from([1, 2, 4]))).map(list),
    ),
    "iter_chunk_toplefts": lambda s: st.one_of(
        gs.vector_forms(3, st.integers(1, 12)).map(lambda v: [v]),
        st.tuples(
            gs.vector_forms(3, st.integers(1, 12)),
            st.one_of(st.none(), gs.vector_forms(3, st.sampled_from([1, 2, 4]))),
            st.one_of(st.none(), gs.bounding_box()),
        ).map(list),
    ),
    "with_bounds_x": lambda s: st.tuples(st.one_of(st.none(), gs.coordinate), st.one_of(st.none(), gs.extent)).map(
        list
    ),
    "with_bounds_y": lambda s: st.tuples(st.one_of(st.none(), gs.coordinate), st.one_of(st.none(), gs.extent)).map(
        list
    ),
    "with_bounds_z": lambda s: st.tuples(st.one_of(st.none(), gs.coordinate), st.one_of(st.none(), gs.extent)).map(
        list
    ),
    "to_csv": lambda s: st.just([]),
    "to_tuple6": lambda s: st.just([]),
}
CLASS_METHODS = {
    "empty": st.just([]),
    "from_auto": st.one_of(
        st.tuples(gs.ints(3), gs.ints(3)).flatmap(
            lambda p: st.sampled_from(
                [
                    [",".join(map(str, p[0] + p[1]))],
                    [gs.tup(p[0] + p[1])],
                    [p[0] + p[1]],
                    [gs.tup([gs.tup(p[0]), gs.tup(p[1])])],
                    [{"dict": {"topleft": p[0], "size": p[1]}}],
                    [{"dict": {"topLeft": p[0], "width": p[1][0], "height": p[1][1], "depth": p[1][2]}}],
                    [json.dumps({"topleft": p[0], "size": p[1]})],
                    [gs.new("BoundingBox", p[0], p[1])],
                    [gs.new("NDBoundingBox", p[0], p[1], axes="xyz")],
                    [gs.tup(p[0])],
                    [5],
                    ["x_" + "_".join(map(str, p[0] + p[1]))],
                ]
            )
        )
    ),
    "from_axes": st.tuples(st.sampled_from([gs.tup(["x", "y", "z"]), "xyz", gs.tup(["x", "y", "t"])]), gs.ints(3)).map(
        list
    ),
    "from_checkpoint_name": st.tuples(st.sampled_from(["", "x_", "a_b_", "x_-"]), gs.ints(6, st.integers(0, 99))).map(
        lambda p: [p[0] + "_".join(map(str, p[1]))]
    ),
    "from_config_dict": st.tuples(gs.ints(3), gs.ints(3)).map(lambda p: [{"dict": {"topleft": p[0], "size": p[1]}}]),
    "from_csv": st.one_of(
        gs.ints(6).map(lambda v: [",".join(map(str, v))]),
        gs.ints(6).map(lambda v: [", ".join(map(str, v))]),
        st.sampled_from([["1,2,3,4,5"], ["1,2,3,4,5,6.5"], [""]]),
    ),
    "from_ndbbox": gs.nd_bounding_box().map(lambda b: [b]),
    "from_points": st.one_of(
        st.lists(gs.ints(3), min_size=1, max_size=5).map(lambda v: [v]),
        st.lists(gs.ints(3), min_size=1, max_size=5).map(lambda v: [{"np": v, "dtype": "int64"}]),
        st.lists(st.lists(gs.floats, min_size=3, max_size=3), min_size=1, max_size=3).map(lambda v: [v]),
        st.just([[]]),
    ),
    "from_tuple2": st.tuples(gs.ints(3), gs.ints(3)).map(lambda p: [gs.tup([gs.tup(p[0]), p[1]])]),
    "from_tuple6": st.lists(gs.small, min_size=5, max_size=7).map(lambda v: [gs.tup(v)]),
    "group_boxes_with_aligned_mag": st.tuples(st.lists(gs.bounding_box(), max_size=4), gs.mag()).map(list),
}
EXERCISED = set(METHODS) | set(CLASS_METHODS) | set(gs.BOX_ATTRIBUTES)


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples()
@given(data=st.data())
def test_method(differential, method, data):
    target = data.draw(box)
    differential.check("bounding_box:call", target=target, method=method, args=data.draw(METHODS[method](target)))


@pytest.mark.parametrize("method", sorted(CLASS_METHODS))
@gs.examples()
@given(data=st.data())
def test_class_method(differential, method, data):
    differential.check("bounding_box:call", target=CLASS, method=method, args=data.draw(CLASS_METHODS[method]))


@gs.examples()
@given(data=st.data(), factors=st.lists(gs.mag_factor, min_size=3, max_size=3))
def test_in_mag_of_aligned_boxes(differential, data, factors):
    topleft = [f * data.draw(st.integers(-5, 5)) for f in factors]
    size = [f * data.draw(st.integers(0, 5)) for f in factors]
    target = gs.new("BoundingBox", topleft, size)
    differential.check("bounding_box:call", target=target, method="in_mag", args=[gs.new("Mag", factors)])


@gs.examples()
@given(
    target=box,
    mag=st.sampled_from([2, {"tuple": [2, 2, 1]}, [2, 2, 1]]),
    method=st.sampled_from(["align_with_mag", "in_mag", "from_mag_to_mag1"]),
)
def test_mag_methods_with_plain_values(differential, target, mag, method):
    differential.check("bounding_box:call", target=target, method=method, args=[mag])


@gs.examples()
@given(
    target=box,
    shape=st.one_of(gs.vector_forms(3, st.integers(-3, 3)), st.just(4)),
    method=st.sampled_from(["chunk", "iter_chunk_toplefts"]),
)
def test_chunking_with_odd_shapes(differential, target, shape, method):
    differential.check("bounding_box:call", target=target, method=method, args=[shape])


@gs.examples()
@given(
    target=box,
    vector=st.one_of(gs.small, gs.vector_forms(2), gs.vector_forms(4)),
    method=st.sampled_from(["offset", "padded_with_margins", "contains", "with_topleft", "with_size"]),
)
def test_vector_methods_with_wrong_lengths(differential, target, vector, method):
    differential.check("bounding_box:call", target=target, method=method, args=[vector])


@gs.examples()
@given(
    target=box,
    point=gs.vec3_values(st.integers(-60, 60)).map(lambda v: {"np": [x + 0.5 for x in v], "dtype": "float64"}),
)
def test_contains_float_points(differential, target, point):
    differential.check("bounding_box:call", target=target, method="contains", args=[point])


@pytest.mark.parametrize("name", gs.BOX_ATTRIBUTES)
@gs.examples(10)
@given(params=constructor_args())
def test_attribute(differential, name, params):
    differential.check("bounding_box:attribute", target=gs.new("BoundingBox", *params[0], **params[1]), name=name)


@pytest.mark.parametrize("op", gs.BOX_UNARY)
@gs.examples(10)
@given(target=box)
def test_unary(differential, op, target):
    differential.check("bounding_box:unary", op=op, a=target)


@pytest.mark.parametrize("op", gs.BOX_BINARY)
@gs.examples(5)
@given(a=box, b=box)
def test_binary(differential, op, a, b):
    differential.check("bounding_box:binary", a=a, op=op, b=b if op != "getitem" else 0)


other_boxes = st.one_of(
    gs.bounding_box(),
    st.tuples(gs.vec3_values(gs.coordinate), gs.vec3_values(gs.extent), gs.names, gs.colors).map(
        lambda p: gs.new("BoundingBox", p[0], p[1], name=p[2], color=p[3])
    ),
    st.tuples(gs.vec3_values(gs.coordinate), gs.vec3_values(gs.extent)).map(
        lambda p: gs.new("NDBoundingBox", p[0], p[1], axes=["x", "y", "z"])
    ),
    gs.nd_bounding_box(),
    gs.normalized_bounding_box(),
    st.sampled_from([None, 5, {"tuple": [1, 2, 3, 4, 5, 6]}]),
)


@gs.examples(40)
@given(a=box, b=other_boxes, same=st.booleans())
def test_equality_and_hash(differential, a, b, same):
    if same and isinstance(b, dict) and b.get("new") in ("BoundingBox", "NDBoundingBox") and len(b["args"][0]) == 3:
        b = {**b, "args": a["args"]}
    differential.check("bounding_box:equality", a=a, b=b)


@gs.examples(20)
@given(
    a=box, b=gs.normalized_bounding_box(), method=st.sampled_from(["intersected_with", "extended_by", "contains_bbox"])
)
def test_combined_with_normalized_boxes(differential, a, b, method):
    args = [b, True] if method == "intersected_with" else [b]
    differential.check("bounding_box:call", target=a, method=method, args=args)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("bounding_box:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED, sorted(reference_members - EXERCISED)
    differential.check("bounding_box:missing_members", members=sorted(reference_members))
