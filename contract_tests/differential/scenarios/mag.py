"""Mag scenarios: construction from ints, strings, lists and vectors, ordering, arithmetic and layer names."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("geometry_values", Path(__file__).with_name("geometry_values.py"))
values = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(values)

_generic = values.scenarios("Mag")
construct = _generic.construct
call = _generic.call
attribute = _generic.attribute
binary = _generic.binary
unary = _generic.unary
equality = _generic.equality
members = _generic.members
missing_members = _generic.missing_members

# The same scenarios under their own names, so that docs/divergences.md can list one family of inputs.
construct_extended = _generic.construct
arithmetic_extended = _generic.binary


def sorted_mags(wk, tmp, mags):
    """The reprs of a list of Mags after ``sorted`` (which uses ``<`` only)."""
    return [repr(mag) for mag in sorted(values.build(wk, mags))]
