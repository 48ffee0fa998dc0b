"""Vec3Float scenarios: float vectors from every input form, arithmetic with floats, ints and vectors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("geometry_values", Path(__file__).with_name("geometry_values.py"))
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

_generic = values.scenarios("Vec3Float")
construct = _generic.construct
call = _generic.call
attribute = _generic.attribute
binary = _generic.binary
unary = _generic.unary
equality = _generic.equality
members = _generic.members
missing_members = _generic.missing_members
