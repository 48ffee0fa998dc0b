"""JSON codec of a layer's bounding box: ``boundingBox`` plus ``additionalAxes`` <-> (ND)BoundingBox."""

from __future__ import annotations

from typing import Any

from ..geometry import BoundingBox, NDBoundingBox
from .json_source import JsonSource

XYZ = ("x", "y", "z")
_SIZE_FIX = "a size is a voxel count (0 for an empty layer); fix the bounding box in the file."


def bounding_box_from_json(
    layer: dict, xyz_index: tuple[int, int, int] | None, source: JsonSource, where: str
) -> NDBoundingBox:
    """Decode ``layer["boundingBox"]`` (Mag(1) voxels) and the layer's ``additionalAxes``.

    A plain 3-d box becomes a BoundingBox; with additional axes (listed on the layer, or inside the
    box in some files) an NDBoundingBox whose axes are ordered by their index (e.g. ``t, x, y, z``), x/y/z
    indexed by ``xyz_index`` and the extra axes by their ``index``. Without ``xyz_index`` (a layer with no mag recording
    its axis order yet) x, y and z take the first positions after the channel that no extra axis uses.
    """
    at = f"{where}.boundingBox"
    box = source.mapping(source.require(layer, "boundingBox", where), at)
    topleft = source.integers(source.require(box, "topLeft", at), f"{at}.topLeft", 3)
    size = [
        source.at_least(source.integer(source.require(box, key, at), f"{at}.{key}"), 0, f"{at}.{key}", _SIZE_FIX)
        for key in ("width", "height", "depth")
    ]
    if "additionalAxes" in layer:
        axes_json, axes_at = layer["additionalAxes"], f"{where}.additionalAxes"
    else:
        axes_json, axes_at = box.get("additionalAxes"), f"{at}.additionalAxes"
    if not axes_json:
        return BoundingBox(topleft, size)
    names, index = list(XYZ), [0, 0, 0]  # x/y/z positions filled in below
    for i, axis in enumerate(source.array(axes_json, axes_at)):
        axis_at = f"{axes_at}[{i}]"
        axis = source.mapping(axis, axis_at)
        names.append(source.string(source.require(axis, "name", axis_at), f"{axis_at}.name"))
        low, high = source.integers(source.require(axis, "bounds", axis_at), f"{axis_at}.bounds", 2)
        if high < low:
            raise source.error(
                f"{axis_at}.bounds",
                f"expected [start, end] with end >= start, got {[low, high]!r}; fix the axis' bounds.",
            )
        topleft.append(low)
        size.append(high - low)
        index.append(source.integer(source.require(axis, "index", axis_at), f"{axis_at}.index"))
    if xyz_index is None:
        free = (position for position in range(1, len(names) + 1) if position not in index[3:])
        xyz_index = (next(free), next(free), next(free))
    index[:3] = xyz_index
    order = sorted(range(len(names)), key=lambda i: index[i])  # axes in their array order, as the reference
    topleft, size, names, index = ([values[i] for i in order] for values in (topleft, size, names, index))
    try:
        return NDBoundingBox(topleft=topleft, size=size, axes=names, index=index)
    except (ValueError, AssertionError, TypeError) as error:
        raise source.error(at, f"not a valid bounding box: {error}") from error


def bounding_box_to_json(bbox: NDBoundingBox) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Encode a box as ``(boundingBox, additionalAxes)``; the list is empty for a 3-d box."""
    topleft, size = bbox.topleft_xyz, bbox.size_xyz
    box = {
        "topLeft": [int(v) for v in topleft],
        "width": int(size[0]),
        "height": int(size[1]),
        "depth": int(size[2]),
    }
    additional = []
    for position, name in enumerate(bbox.axes):
        if name in XYZ:
            continue
        low = int(bbox.topleft[position])
        additional.append(
            {
                "name": name,
                "bounds": [low, low + int(bbox.size[position])],
                "index": int(bbox.index[position]),
            }
        )
    return box, additional
