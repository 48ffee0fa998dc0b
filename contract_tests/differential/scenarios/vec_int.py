"""VecInt scenarios: n-d integer vectors with named axes (axes given as strings too), operators and methods."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("geometry_values", Path(__file__).with_name("geometry_values.py"))
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

_generic = values.scenarios("VecInt")
construct = _generic.construct
call = _generic.call
attribute = _generic.attribute
binary = _generic.binary
unary = _generic.unary
equality = _generic.equality
members = _generic.members
missing_members = _generic.missing_members

# The same scenarios under their own names, so that docs/divergences.md can list one family of inputs.
construct_mismatched_axes = _generic.construct
component_not_int = _generic.construct
with_replaced_out_of_range = _generic.call
moveaxis = _generic.call
from_str = _generic.call
is_a_tuple = _generic.is_a_tuple
construct_without_axes = _generic.construct
construct_axes_iterator = _generic.construct
