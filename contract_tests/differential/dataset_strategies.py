"""Shared pieces of the dataset, skeleton and annotation differential tests: example counts and value strategies.

``DAEDALUS_DIFFERENTIAL_EXAMPLES`` overrides every test's default number of examples (the defaults keep these
tests at a few minutes on two cores); the tests load this module by path (pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ENV_EXAMPLES = "DAEDALUS_DIFFERENTIAL_EXAMPLES"
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"  # ../shared next to the repository


def examples(default: int) -> settings:
    """Hypothesis settings: ``default`` examples (or ``$DAEDALUS_DIFFERENTIAL_EXAMPLES``), no deadline."""
    value = os.environ.get(ENV_EXAMPLES)
    return settings(
        max_examples=int(value) if value else default,
        deadline=None,
        derandomize=not os.environ.get("DAEDALUS_DIFFERENTIAL_RANDOM"),  # CI runs the same examples each time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


ALL_DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64"]
COLOR_DTYPES = ["uint8", "uint16", "uint32", "int8", "int16", "int32", "float32"]
WRITABLE_FORMATS = ["wkw", "zarr", "zarr3"]
CATEGORIES = ["color", "segmentation"]

dtype = st.sampled_from(ALL_DTYPES)
color_dtype = st.sampled_from(COLOR_DTYPES)
data_format = st.sampled_from(WRITABLE_FORMATS)
category = st.sampled_from(CATEGORIES)
edge = st.sampled_from([8, 16, 32, 64])


@st.composite
def storage(draw, data_format=data_format, small=False):
    """(data format, chunk shape, shard shape, compress) that the format accepts (shard None: the default)."""
    fmt = draw(data_format)
    chunk = draw(st.sampled_from([16, 32] if small else [None, 8, 16, 32, 64, (16, 32, 16)]))
    if fmt == "wkw" and isinstance(chunk, tuple):
        chunk = 32
    base = 32 if chunk is None else chunk
    if fmt == "zarr":
        shard = draw(st.sampled_from([None, base]))
    else:
        factors = [1, 2] if small else [1, 2, 4]
        shard = draw(st.sampled_from([None] + [_times(base, f) for f in factors])) if not small else None
        if small:
            shard = _times(base, draw(st.sampled_from(factors)))
    return fmt, chunk, shard, draw(st.booleans())


def _times(shape, factor):
    return tuple(v * factor for v in shape) if isinstance(shape, tuple) else shape * factor


def vec3(low, high):
    """Three integers in [low, high]."""
    return st.tuples(st.integers(low, high), st.integers(low, high), st.integers(low, high))


aligned_or_not = st.sampled_from([0, 8, 16, 32, 3, 5, 13, 40])
