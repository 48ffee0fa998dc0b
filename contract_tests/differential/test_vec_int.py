"""VecInt behaves like the reference's: constructor forms (axes as strings too), operators and methods."""

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

CLASS = {"class": "VecInt"}
vec = gs.vecint()
axes_forms = gs.axes_lists.flatmap(
    lambda names: st.sampled_from([names, gs.tup(names), "".join(names), {"iter": names}])
)


@st.composite
def constructor_args(draw):
    names = draw(gs.axes_lists)
    values = draw(gs.ints(len(names), st.integers(-1000, 1000)))
    axes = draw(st.sampled_from([names, gs.tup(names), "".join(names), {"iter": names}]))
    form = draw(st.integers(0, 7))
    if form == 0:
        return values, {"axes": axes}
    if form == 1:
        return [draw(gs.sequence_forms(values))], {"axes": axes}
    if form == 2:
        return [], dict(zip(names, values))
    if form == 3:
        return [gs.tup(values), draw(st.sampled_from([names, gs.tup(names), "".join(names)]))], {}
    if form == 4:
        return [gs.new("VecInt", *values, axes=names)], {}
    if form == 5:
        return [gs.new("VecInt", *values, axes=names)], {"axes": list(reversed(names))}
    if form == 6:
        return [{"np": values, "dtype": "float64"}], {"axes": axes}
    return [[str(v) for v in values]], {"axes": axes}


@st.composite
def refused_args(draw):
    names = draw(gs.axes_lists)
    values = draw(gs.ints(len(names)))
    return draw(
        st.sampled_from(
            [
                ([], {"axes": names}),
                ([",".join(map(str, values))], {"axes": names}),
                ([str(v) for v in values], {"axes": names}),
                ([None], {"axes": names}),
                (values, {"axes": names, **dict.fromkeys(names[:1], 1)}),
                ([{"np": [v + 0.5 for v in values], "dtype": "float64"}], {"axes": names}),
                ([gs.new("VecInt", *values, axes=names)], {"axes": names + ["q"]}),
            ]
        )
    )


@gs.examples(40)
@given(params=constructor_args())
def test_construct(differential, params):
    differential.check("vec_int:construct", args=params[0], kwargs=params[1])


@gs.examples()
@given(params=refused_args())
def test_construct_refused(differential, params):
    differential.check("vec_int:construct", args=params[0], kwargs=params[1])


@gs.examples(5)
@given(names=gs.axes_lists)
def test_construct_with_values_and_an_iterator_of_axes(differential, names):
    values = list(range(len(names)))
    differential.check("vec_int:construct_axes_iterator", args=[gs.tup(values), {"iter": names}])


@gs.examples(10)
@given(values=st.lists(gs.small, min_size=1, max_size=5), form=st.sampled_from(["positional", "tuple"]))
def test_construct_without_axes(differential, values, form):
    args = values if form == "positional" else [gs.tup(values)]
    differential.check("vec_int:construct_without_axes", args=args)


@gs.examples()
@given(names=gs.axes_lists, extra=st.integers(-2, 2).filter(bool), data=st.data())
def test_construct_with_as_many_axes_as_values_only(differential, names, extra, data):
    values = data.draw(gs.ints(max(len(names) + extra, 0)))
    differential.check("vec_int:construct_mismatched_axes", args=values, kwargs={"axes": names})


@gs.examples()
@given(values=gs.ints(2, gs.floats), names=st.sampled_from([["x", "t"], ["a", "b"]]))
def test_construct_keywords_not_int(differential, values, names):
    differential.check("vec_int:component_not_int", kwargs=dict(zip(names, values)))


def operand_for(spec):
    n = len(spec["args"])
    same_axes = gs.vecint(st.just(list(spec["kwargs"]["axes"])))
    return st.one_of(gs.int_operands(n), gs.int_operands(n), gs.odd_operands(n), same_axes)


METHODS = {
    "add_or_none": lambda v: st.one_of(st.just([None]), gs.int_operands(len(v["args"])).map(lambda o: [o])),
    "ceildiv": lambda v: st.one_of(gs.positive, gs.ints(len(v["args"]), gs.positive).map(gs.tup)).map(lambda o: [o]),
    "contains": lambda v: st.one_of(gs.small, gs.floats).map(lambda o: [o]),
    "count": lambda v: gs.small.map(lambda o: [o]),
    "index": lambda v: gs.small.map(lambda o: [o]),
    "get": lambda v: st.tuples(gs.axis_names, st.one_of(st.none(), gs.small)).map(list),
    "is_positive": lambda v: st.one_of(st.just([]), st.booleans().map(lambda b: [b])),
    "is_uniform": lambda v: st.just([]),
    "prod": lambda v: st.just([]),
    "to_list": lambda v: st.just([]),
    "to_np": lambda v: st.just([]),
    "to_tuple": lambda v: st.just([]),
    "pairmax": lambda v: operand_for(v).map(lambda o: [o]),
    "pairmin": lambda v: operand_for(v).map(lambda o: [o]),
    "with_c": lambda v: st.one_of(gs.small, gs.floats).map(lambda o: [o]),
    "with_replaced": lambda v: st.tuples(
        st.one_of(st.integers(0, len(v["args"]) - 1), st.just(-len(v["args"])), gs.axis_names).filter(
            lambda i: i != -1 or len(v["args"]) > 1  # -1 of a one-element vector splices (see out_of_range)
        ),
        st.one_of(gs.small, gs.floats),
    ).map(list),
    "with_x": lambda v: st.one_of(gs.small, gs.floats).map(lambda o: [o]),
    "with_y": lambda v: st.one_of(gs.small, gs.floats).map(lambda o: [o]),
    "with_z": lambda v: st.one_of(gs.small, gs.floats).map(lambda o: [o]),
    "with_xyz": lambda v: st.one_of(gs.vec3int(), gs.vecint(st.sampled_from([["z", "y", "x"], ["x", "y", "z"]]))).map(
        lambda o: [o]
    ),
}
CLASS_METHODS = {
    "full": st.tuples(st.one_of(gs.small, gs.floats), axes_forms).map(list),
    "zeros": axes_forms.map(lambda a: [a]),
    "ones": axes_forms.map(lambda a: [a]),
}
ATTRIBUTES = ["axes", "c", "x", "y", "z", "xyz"]
BINARY = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "eq", "ne", "lt", "le", "gt", "ge", "getitem"]
UNARY = ["neg", "pos", "abs", "len", "bool", "list", "reversed", "repr", "str", "array", "hashable"]
EXERCISED = set(METHODS) | set(CLASS_METHODS) | set(ATTRIBUTES) | {"moveaxis", "from_str"}


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples()
@given(data=st.data())
def test_method(differential, method, data):
    target = data.draw(vec)
    args = data.draw(METHODS[method](target))
    differential.check("vec_int:call", target=target, method=method, args=args)


@pytest.mark.parametrize("method", sorted(CLASS_METHODS))
@gs.examples()
@given(data=st.data())
def test_class_method(differential, method, data):
    differential.check("vec_int:call", target=CLASS, method=method, args=data.draw(CLASS_METHODS[method]))


@gs.examples()
@given(target=vec, position=st.integers(-6, 6))
def test_with_replaced_out_of_range(differential, target, position):
    n = len(target["args"])
    if 0 <= position < n or (position == -n and n > 1):
        position = n
    differential.check("vec_int:with_replaced_out_of_range", target=target, method="with_replaced", args=[position, 1])


@gs.examples()
@given(target=vec, source=st.integers(-4, 3), dest=st.integers(-4, 3))
def test_moveaxis(differential, target, source, dest):
    differential.check("vec_int:moveaxis", target=target, method="moveaxis", args=[source, dest])


@gs.examples()
@given(target=vec)
def test_from_str(differential, target):
    differential.check("vec_int:from_str", target=CLASS, method="from_str", args=[",".join(map(str, target["args"]))])


@pytest.mark.parametrize("name", ATTRIBUTES)
@gs.examples(10)
@given(target=vec)
def test_attribute(differential, name, target):
    differential.check("vec_int:attribute", target=target, name=name)


@pytest.mark.parametrize("op", BINARY)
@gs.examples()
@given(data=st.data(), reflected=st.sampled_from([False, False, False, True]))
def test_binary(differential, op, data, reflected):
    a = data.draw(vec)
    if op == "getitem":
        b = data.draw(st.one_of(st.integers(-len(a["args"]), len(a["args"]) - 1), gs.axis_names))
        differential.check("vec_int:binary", a=a, op=op, b=b)
        return
    b = data.draw(operand_for(a))
    # A string on the left is %-formatting, not arithmetic (see the is_a_tuple scenario).
    left, right = (b, a) if reflected and not isinstance(b, str) else (a, b)
    differential.check("vec_int:binary", a=left, op=op, b=right)


@pytest.mark.parametrize("op", UNARY)
@gs.examples(10)
@given(a=vec)
def test_unary(differential, op, a):
    differential.check("vec_int:unary", op=op, a=a)


@gs.examples()
@given(a=vec, b=st.one_of(vec, gs.vec3int(), gs.ints(3).map(gs.tup), gs.vec3float(), st.just(None)))
def test_equality_and_hash(differential, a, b):
    differential.check("vec_int:equality", a=a, b=b)


@gs.examples(5)
@given(a=vec)
def test_is_a_tuple(differential, a):
    differential.check("vec_int:is_a_tuple", a=a)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("vec_int:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED | {"count", "index"}, sorted(reference_members - EXERCISED)
    differential.check("vec_int:missing_members", members=sorted(reference_members))
