"""Mags stored in another axis order than (c, x, y, z) behave like the reference's: reads return the voxels of
the box asked for (arrays that name their axes or not), and the properties keep each mag's ``axisOrder``; the
documented difference is the layout of a read: daedalus returns (c, x, y, z), the reference the stored order."""

from __future__ import annotations

import pytest

FORMATS = ["zarr3", "zarr"]
CHANNEL = pytest.mark.parametrize("channel", [True, False], ids=["czyx", "zyx"])
NAMED = pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])


@pytest.mark.parametrize("box", [((0, 0, 0), (6, 5, 4)), ((1, 2, 1), (4, 3, 2)), ((4, 0, 3), (3, 6, 2))])
@NAMED
@CHANNEL
@pytest.mark.parametrize("data_format", FORMATS)
def test_read_voxels(differential, data_format, channel, named, box):
    offset, size = box
    differential.check(
        "axis_order:read_voxels",
        data_format=data_format,
        channel=channel,
        named=named,
        seed=1,
        offset=offset,
        size=size,
    )


@NAMED
@CHANNEL
@pytest.mark.parametrize("data_format", FORMATS)
def test_read_layout(differential, data_format, channel, named):
    differential.check("axis_order:read_layout", data_format=data_format, channel=channel, named=named, seed=2)


@NAMED
@CHANNEL
@pytest.mark.parametrize("data_format", FORMATS)
def test_add_layer_round_trip(differential, data_format, channel, named):
    differential.check("axis_order:add_layer_round_trip", data_format=data_format, channel=channel, named=named, seed=3)
