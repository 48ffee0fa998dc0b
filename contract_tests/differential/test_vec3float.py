"""Vec3Float behaves like the reference's: constructor forms, arithmetic with numbers and vectors, methods."""

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

CLASS = {"class": "Vec3Float"}
number = st.one_of(gs.floats, gs.small)
vec = gs.vec3float()
three = st.lists(number, min_size=3, max_size=3)

constructor_args = st.one_of(
    three,
    three.flatmap(lambda v: gs.sequence_forms(v, "float64")).map(lambda v: [v]),
    gs.vec3_values().map(lambda v: [gs.new("Vec3Int", *v)]),
    gs.mag().map(lambda m: [m]),
    vec.map(lambda v: [v]),
    three.map(lambda v: [[str(x) for x in v]]),
    st.integers(0, 999).map(lambda v: [f"{v:03d}"]),
    gs.small.map(lambda v: [{"range": [v, v + 3]}]),
    st.lists(gs.small, min_size=3, max_size=3).map(lambda v: [True, v[1], v[2]]),
    gs.special_floats.map(lambda f: [f, 1.0, 2.0]),
)
refused_args = st.one_of(
    st.lists(number, min_size=0, max_size=2),
    st.lists(number, min_size=4, max_size=5),
    st.lists(number, min_size=1, max_size=5).filter(lambda v: len(v) != 3).map(lambda v: [gs.tup(v)]),
    st.sampled_from([[None], [5], ["1,2,3"], ["1", "2", "3"], [{"np": [[1, 2, 3]], "dtype": "float64"}]]),
    number.map(lambda v: [{"npscalar": v, "dtype": "float32"}, 1.0, 2.0]),
)


@gs.examples(30)
@given(args=constructor_args)
def test_construct(differential, args):
    differential.check("vec3float:construct", args=args)


@gs.examples()
@given(args=refused_args)
def test_construct_refused(differential, args):
    differential.check("vec3float:construct", args=args)


@gs.examples(5)
@given(values=three)
def test_construct_keywords(differential, values):
    differential.check("vec3float:construct", kwargs=dict(zip("xyz", values)))


operand = st.one_of(
    number,
    three.flatmap(lambda v: gs.sequence_forms(v, "float64")),
    gs.vec3int(),
    vec,
    number.map(lambda v: {"npscalar": v, "dtype": "float64"}),
)
odd_operand = st.one_of(gs.odd_operands(3), gs.vecint(), st.just("123"))
METHODS = {
    "pairmax": st.one_of(operand, odd_operand).map(lambda o: [o]),
    "pairmin": st.one_of(operand, odd_operand).map(lambda o: [o]),
    "prod": st.just([]),
    "to_list": st.just([]),
    "to_np": st.just([]),
    "to_tuple": st.just([]),
    "to_vec3_int": st.just([]),
    "with_x": st.one_of(number, st.just("5"), st.just(None)).map(lambda o: [o]),
    "with_y": st.one_of(number, st.just("5"), st.just(None)).map(lambda o: [o]),
    "with_z": st.one_of(number, st.just("5"), st.just(None)).map(lambda o: [o]),
    "count": number.map(lambda o: [o]),
    "index": number.map(lambda o: [o]),
}
CLASS_METHODS = {
    "from_str": st.one_of(
        three.map(lambda v: [",".join(map(str, v))]),
        three.map(lambda v: ["(" + ", ".join(map(str, v)) + ")"]),
        st.sampled_from([["5"], [""], ["Vec3Float(1,2,3)"], ["1e3,2,-3"], ["1,2"], [" (1,2,3) "]]),
    ),
    "from_xyz": three,
    "full": st.one_of(number, st.just("2")).map(lambda v: [v]),
    "zeros": st.just([]),
    "ones": st.just([]),
}
ATTRIBUTES = ["x", "y", "z"]
BINARY = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "eq", "ne", "lt", "le", "gt", "ge", "getitem"]
UNARY = ["neg", "pos", "abs", "len", "bool", "list", "reversed", "repr", "str", "array", "hashable"]
EXERCISED = set(METHODS) | set(CLASS_METHODS) | set(ATTRIBUTES)


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples()
@given(data=st.data())
def test_method(differential, method, data):
    differential.check("vec3float:call", target=data.draw(vec), method=method, args=data.draw(METHODS[method]))


@pytest.mark.parametrize("method", sorted(CLASS_METHODS))
@gs.examples()
@given(data=st.data())
def test_class_method(differential, method, data):
    differential.check("vec3float:call", target=CLASS, method=method, args=data.draw(CLASS_METHODS[method]))


@pytest.mark.parametrize("name", ATTRIBUTES)
@gs.examples(10)
@given(target=vec)
def test_attribute(differential, name, target):
    differential.check("vec3float:attribute", target=target, name=name)


@pytest.mark.parametrize("op", BINARY)
@gs.examples()
@given(a=vec, b=st.one_of(operand, odd_operand), reflected=st.booleans())
def test_binary(differential, op, a, b, reflected):
    if op == "getitem":
        b = b if isinstance(b, int) else 0
    left, right = (b, a) if reflected and op != "getitem" and not isinstance(b, str) else (a, b)
    differential.check("vec3float:binary", a=left, op=op, b=right)


@pytest.mark.parametrize("op", UNARY)
@gs.examples(10)
@given(a=vec)
def test_unary(differential, op, a):
    differential.check("vec3float:unary", op=op, a=a)


@gs.examples()
@given(a=vec, b=st.one_of(vec, three.map(gs.tup), three, gs.vec3int(), gs.vecint(), st.just(None)))
def test_equality_and_hash(differential, a, b):
    differential.check("vec3float:equality", a=a, b=b)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("vec3float:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED, sorted(reference_members - EXERCISED)
    differential.check("vec3float:missing_members", members=sorted(reference_members))


@gs.examples(10)
@given(value=st.one_of(st.none(), three.flatmap(gs.sequence_forms), gs.vec3int(), vec, number))
def test_as_vec3_float_or_none(differential, value):
    differential.check("vec3float:call", target={"class": "as_vec3_float_or_none"}, method="__call__", args=[value])
