"""NormalizedBoundingBox scenarios: boxes with a channel axis, mixed with BoundingBox and NDBoundingBox."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("geometry_values", Path(__file__).with_name("geometry_values.py"))
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

_generic = values.scenarios("NormalizedBoundingBox")
construct = _generic.construct
call = _generic.call
attribute = _generic.attribute
binary = _generic.binary
unary = _generic.unary
equality = _generic.equality
members = _generic.members
missing_members = _generic.missing_members


def wkw_round_trip(wk, tmp, bbox):
    """A wkw dict read and written again, and the box it makes (as the properties code does)."""
    box = values.resolve(wk, "NormalizedBoundingBox").from_wkw_dict(values.build(wk, bbox))
    return [values.describe(box), values.describe(box.to_wkw_dict())]
