"""Axis names that OME-NGFF multiscales metadata gives the arrays of an image group.

OME-Zarr 0.4 stores its arrays as zarr v2 without dimension names: the group's ``multiscales`` ``axes`` say which
axis is which. Storage adapters ask here for the names of an array that has none of its own.
"""

from __future__ import annotations

import json
from typing import Any


def multiscales_of(group_attributes: Any) -> list[dict[str, Any]]:
    """The ``multiscales`` entries of a group's attributes (0.4: top level; 0.5: under ``ome``), or ``[]``."""
    if not isinstance(group_attributes, dict):
        return []
    ome = group_attributes.get("ome")
    scope = ome if isinstance(ome, dict) and "multiscales" in ome else group_attributes
    multiscales = scope.get("multiscales")
    return [m for m in multiscales if isinstance(m, dict)] if isinstance(multiscales, list) else []


def axis_name(axis: Any) -> str | None:
    """The name of one NGFF axis (0.4+: an object with ``name``; 0.3: a plain string), or None."""
    name = axis.get("name") if isinstance(axis, dict) else axis
    return name if isinstance(name, str) and name else None


def ngff_axis_names(group_attributes: Any, array_name: str, ndim: int) -> list[str] | None:
    """The axis names of the array ``array_name`` (a dataset ``path`` of the group's multiscales), or None.

    None when the group lists no such dataset, or its axes are not ``ndim`` unique names.
    """
    for multiscale in multiscales_of(group_attributes):
        datasets = multiscale.get("datasets")
        paths = [d.get("path") for d in datasets if isinstance(d, dict)] if isinstance(datasets, list) else []
        if array_name not in paths:
            continue
        axes = multiscale.get("axes")
        names = [axis_name(axis) for axis in axes] if isinstance(axes, list) else []
        if len(names) == ndim and None not in names and len(set(names)) == ndim:
            return names  # type: ignore[return-value]
        return None
    return None


def ngff_axis_names_from_json(raw: bytes | None, array_name: str, ndim: int) -> list[str] | None:
    """``ngff_axis_names`` for the group metadata file's bytes (``.zattrs`` or ``zarr.json``); None if unreadable."""
    if not raw:
        return None
    try:
        document = json.loads(raw)
    except ValueError:
        return None
    if isinstance(document, dict) and document.get("zarr_format") == 3:
        document = document.get("attributes")
    return ngff_axis_names(document, array_name, ndim)
