"""BoundingBox scenarios: construction (negative and degenerate sizes included) and the box algebra."""

from __future__ import annotations


def construct(wk, tmp, topleft, size):
    """A box from topleft and size: its topleft, size, bottomright, volume and repr."""
    box = wk.BoundingBox(topleft, size)
    return [box.topleft.to_tuple(), box.size.to_tuple(), box.bottomright.to_tuple(), box.get_volume(), repr(box)]


def intersect(wk, tmp, a, b):
    """The intersection of two boxes, as topleft, size and emptiness."""
    box = wk.BoundingBox(*a).intersected_with(wk.BoundingBox(*b))
    return [box.topleft.to_tuple(), box.size.to_tuple(), box.is_empty()]
