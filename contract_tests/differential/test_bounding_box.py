"""BoundingBox behaves like the reference's: construction and intersection with random boxes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

coordinate = st.integers(-50, 50)
vec3 = st.tuples(coordinate, coordinate, coordinate)


@settings(max_examples=30, deadline=None)
@given(topleft=vec3, size=vec3)
def test_construct(differential, topleft, size):
    differential.check("bounding_box:construct", topleft=topleft, size=size)


@settings(max_examples=30, deadline=None)
@given(a=st.tuples(vec3, vec3), b=st.tuples(vec3, vec3))
def test_intersect(differential, a, b):
    differential.check("bounding_box:intersect", a=a, b=b)
