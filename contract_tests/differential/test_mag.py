"""Mag behaves like the reference's: construction from every form, ordering, arithmetic, names and hashing."""

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

factors = st.lists(gs.mag_factor, min_size=3, max_size=3)
mag = gs.mag()
# Values a Mag is built from or compared with: valid ones, zero and negative ones (refused alike).
component = st.sampled_from([1, 2, 4, 8, 16, 0, -1, -2])
components = st.lists(component, min_size=3, max_size=3)

constructor_args = st.one_of(
    gs.mag_factor.map(lambda n: [n]),
    component.map(lambda n: [n]),
    components.flatmap(lambda v: st.sampled_from([v, gs.tup(v), {"np": v, "dtype": "int64"}])).map(lambda v: [v]),
    factors.map(lambda v: [{"np": [v], "dtype": "int64"}]),
    factors.map(lambda v: [{"np": v, "dtype": "float64"}]),
    factors.map(lambda v: [[float(x) for x in v]]),
    factors.map(lambda v: [gs.new("Vec3Int", *v)]),
    factors.map(lambda v: [gs.new("Mag", v)]),
    st.booleans().map(lambda b: [b]),
    gs.mag_factor.map(lambda n: [str(n)]),
    factors.map(lambda v: ["-".join(map(str, v))]),
    factors.map(lambda v: ["0" + "-".join(map(str, v))]),
)
refused_args = st.one_of(
    st.sampled_from([[None], [2.0], [2.5], ["abc"], [""], ["2-2"], ["2-2-1-1"], ["-2"], [" 2"], ["2--1"]]),
    factors.map(lambda v: [",".join(map(str, v))]),
    factors.map(lambda v: [" " + "-".join(map(str, v))]),
    factors.map(lambda v: [gs.new("Vec3Float", *v)]),
    factors.map(lambda v: [gs.new("VecInt", *v, axes="xyz")]),
    factors.map(lambda v: [{"range": [1, 4]}]),
    factors.map(lambda v: [{"iter": v}]),
    st.lists(gs.mag_factor, min_size=1, max_size=2).map(lambda v: [v]),
    st.just([{"np": 2, "dtype": "int64"}]),
)


@gs.examples(40)
@given(args=constructor_args)
def test_construct(differential, args):
    differential.check("mag:construct", args=args)


@gs.examples()
@given(args=refused_args)
def test_construct_refused(differential, args):
    differential.check("mag:construct", args=args)


@gs.examples(5)
@given(n=gs.mag_factor)
def test_construct_by_keyword(differential, n):
    differential.check("mag:construct", kwargs={"mag": n})


@gs.examples()
@given(
    args=st.one_of(
        st.lists(gs.mag_factor, min_size=3, max_size=3),
        st.sampled_from([[3], [6], ["3-2-1"], [[3, 3, 1]], [{"npscalar": 2, "dtype": "int64"}]]),
    )
)
def test_construct_extended(differential, args):
    differential.check("mag:construct_extended", args=args)


METHODS = {
    "to_layer_name": st.just([]),
    "to_long_layer_name": st.just([]),
    "to_list": st.just([]),
    "to_np": st.just([]),
    "to_tuple": st.just([]),
    "to_vec3_int": st.just([]),
}
ATTRIBUTES = ["x", "y", "z", "max_dim", "max_dim_log2"]
other = st.one_of(
    mag,
    gs.mag_factor,
    factors.map(gs.tup),
    factors,
    gs.mag_factor.map(str),
    factors.map(lambda v: gs.new("Vec3Int", *v)),
    st.sampled_from([None, "x", 2.5, 0, -1]),
)
COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge"]
ARITHMETIC = ["mul", "floordiv", "add", "sub", "truediv", "mod"]
arithmetic_operand = st.one_of(
    gs.mag_factor,
    st.sampled_from([0, -1, 2.0, None, "2", [1, 2]]),
    factors.map(gs.tup),
    mag,
    factors.map(lambda v: gs.new("Vec3Int", *v)),
)
UNARY = ["neg", "len", "bool", "list", "repr", "str", "hashable"]
EXERCISED = set(METHODS) | set(ATTRIBUTES)


@pytest.mark.parametrize("method", sorted(METHODS))
@gs.examples(10)
@given(target=mag)
def test_method(differential, method, target):
    differential.check("mag:call", target=target, method=method)


@pytest.mark.parametrize("name", ATTRIBUTES)
@gs.examples(10)
@given(target=mag)
def test_attribute(differential, name, target):
    differential.check("mag:attribute", target=target, name=name)


@pytest.mark.parametrize("op", COMPARISONS)
@gs.examples()
@given(a=mag, b=other)
def test_comparison(differential, op, a, b):
    differential.check("mag:binary", a=a, op=op, b=b)


@gs.examples()
@given(mags=st.lists(mag, min_size=2, max_size=6))
def test_sorting(differential, mags):
    differential.check("mag:sorted_mags", mags=mags)


@pytest.mark.parametrize("op", ARITHMETIC)
@gs.examples()
@given(a=mag, b=arithmetic_operand, reflected=st.booleans())
def test_arithmetic(differential, op, a, b, reflected):
    left, right = (b, a) if reflected and not isinstance(b, str) else (a, b)
    differential.check("mag:binary", a=left, op=op, b=right)


@gs.examples(10)
@given(a=mag, b=st.sampled_from([3, 5, {"tuple": [3, 1, 1]}]), op=st.sampled_from(["mul", "floordiv"]))
def test_arithmetic_to_non_power_of_two(differential, a, b, op):
    differential.check("mag:arithmetic_extended", a=a, op=op, b=b)


@pytest.mark.parametrize("op", UNARY)
@gs.examples(10)
@given(a=mag)
def test_unary(differential, op, a):
    differential.check("mag:unary", op=op, a=a)


@gs.examples(30)
@given(a=mag, b=other)
def test_equality_and_hash(differential, a, b):
    differential.check("mag:equality", a=a, b=b)


def test_every_public_member_is_exercised_and_present(differential):
    _, theirs = differential.observe_both("mag:members", {})
    reference_members = set(theirs["result"])
    assert reference_members <= EXERCISED, sorted(reference_members - EXERCISED)
    differential.check("mag:missing_members", members=sorted(reference_members))
