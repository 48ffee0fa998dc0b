"""Which kind of volume a path or URL holds, told by its metadata files, and its description."""

from __future__ import annotations

import numpy as np
from upath import UPath

from ...geometry import Mag
from ..errors import SourceNotFoundError
from .metadata_files import json_object
from .model import ForeignScale, ForeignVolume, ForeignVolumeError
from .n5 import ATTRIBUTES, read_n5
from .ome_zarr import read_ome_zarr
from .precomputed import read_precomputed
from .scales import checked_scales
from .zarr_arrays import check_axes, group_names, positional_names, read_zarr_array, stored_axis_order

_LOOKED_FOR = (
    "info (precomputed), zarr.json (zarr v3 / OME-Zarr 0.5), .zattrs/.zarray (zarr v2 / OME-Zarr 0.4), "
    "attributes.json (N5)"
)


def _plain_zarr(path: UPath) -> ForeignVolume:
    """One zarr array: a single level; its axes by dimension names, else by position (x, y, z / c, x, y, z)."""
    meta = read_zarr_array(path)
    parent = json_object(path.parent / ".zattrs", required=False) if meta.data_format.value == "zarr" else None
    if meta.data_format.value == "zarr3":
        group = json_object(path.parent / "zarr.json", required=False) or {}
        parent = group.get("attributes")
    where = str(path / ("zarr.json" if meta.data_format.value == "zarr3" else ".zarray"))
    names = group_names(meta, parent) or positional_names(len(meta.shape), where)
    check_axes(names, where)
    sizes = meta.sizes(names)
    size = (sizes["x"], sizes["y"], sizes["z"])
    return ForeignVolume(
        kind=f"{meta.data_format.value} array",
        source=path,
        data_format=meta.data_format,
        scales=checked_scales([ForeignScale(Mag(1), path, size, stored_axis_order(names))], path),
        dtype=np.dtype(meta.dtype),
        num_channels=sizes.get("c", 1),
        voxel_size=None,
    )


def describe_volume(source: UPath) -> ForeignVolume:
    """Read the metadata of the volume at ``source`` (a folder or URL) and describe it.

    Tried in turn: ``zarr.json`` (an OME-Zarr 0.5 image or a zarr v3 array), ``.zattrs`` with ``multiscales``
    (OME-Zarr 0.4, also under ``bioformats2raw.layout``'s image ``0``), ``.zarray``, ``info`` (precomputed) and
    ``attributes.json`` (N5, also a group of ``s0``, ``s1``, ...).
    """
    v3 = json_object(source / "zarr.json", required=False)
    if v3 is not None:
        if v3.get("node_type") == "array":
            return _plain_zarr(source)
        attributes = v3.get("attributes") or {}
        if isinstance(attributes, dict) and isinstance(attributes.get("ome"), dict):
            ome = attributes["ome"]
            if "multiscales" in ome:
                return read_ome_zarr(source, attributes, source / "zarr.json")
            if "bioformats2raw.layout" in ome:
                return describe_volume(source / "0")
        raise ForeignVolumeError(
            f"{source / 'zarr.json'} is a zarr group without OME-NGFF multiscales; give the path of an image group "
            "or of one array inside it.",
            path=source,
        )
    attributes_v2 = json_object(source / ".zattrs", required=False)
    if attributes_v2 is not None and "multiscales" in attributes_v2:
        return read_ome_zarr(source, attributes_v2, source / ".zattrs")
    if attributes_v2 is not None and "bioformats2raw.layout" in attributes_v2:
        return describe_volume(source / "0")
    if json_object(source / ".zarray", required=False) is not None:
        return _plain_zarr(source)
    if json_object(source / ".zgroup", required=False) is not None:
        raise ForeignVolumeError(
            f"{source} is a zarr v2 group without OME-NGFF multiscales in .zattrs; give the path of one array "
            "inside it.",
            path=source,
        )
    info = json_object(source / "info", required=False)
    if info is not None:
        return read_precomputed(source, info)
    n5 = json_object(source / ATTRIBUTES, required=False)
    if n5 is not None or json_object(source / "s0" / ATTRIBUTES, required=False) is not None:
        return read_n5(source, n5 or {})
    if not source.exists():
        raise SourceNotFoundError(f"{source} does not exist.", path=source)
    raise ForeignVolumeError(
        f"{source} holds no volume metadata daedalus knows: looked for {_LOOKED_FOR}.", path=source
    )
