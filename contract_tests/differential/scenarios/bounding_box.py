"""BoundingBox scenarios: construction (negative and degenerate sizes included), the box algebra, conversions,
chunking and comparison with the other box classes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("geometry_values", Path(__file__).with_name("geometry_values.py"))
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

_generic = values.scenarios("BoundingBox")
create = _generic.construct
call = _generic.call
attribute = _generic.attribute
binary = _generic.binary
unary = _generic.unary
equality = _generic.equality
members = _generic.members
missing_members = _generic.missing_members


def construct(wk, tmp, topleft, size):
    """A box from topleft and size: its topleft, size, bottomright, volume and repr."""
    box = wk.BoundingBox(topleft, size)
    return [box.topleft.to_tuple(), box.size.to_tuple(), box.bottomright.to_tuple(), box.volume(), repr(box)]


def intersect(wk, tmp, a, b):
    """The intersection of two boxes, as topleft, size and emptiness."""
    box = wk.BoundingBox(*a).intersected_with(wk.BoundingBox(*b))
    return [box.topleft.to_tuple(), box.size.to_tuple(), box.is_empty()]


create_from_str = _generic.construct
