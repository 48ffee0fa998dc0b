"""JSON codec of a layer's mag entries, including the legacy ``wkwResolutions`` / ``resolutions`` lists."""

from __future__ import annotations

from typing import Any

from .json_source import JsonSource
from .layer import MagViewProperties

_MAG_KEYS = ("mag", "path", "cubeLength", "axisOrder")
_LEGACY_KEYS = ("resolution", "cubeLength")
LEGACY_MAG_LISTS = ("wkwResolutions", "resolutions")


def _mag_value(value: object, source: JsonSource, where: str) -> int | list[int]:
    if isinstance(value, list):
        return source.integers(value, where, 3)
    return source.integer(value, where)


def _optional_int(data: dict, key: str, source: JsonSource, where: str) -> int | None:
    value = data.get(key)
    return None if value is None else source.integer(value, f"{where}.{key}")


def mag_from_json(obj: object, source: JsonSource, where: str) -> MagViewProperties:
    """Decode one ``mags`` entry: ``mag``, optional ``path``, ``cubeLength`` and ``axisOrder``."""
    data = source.mapping(obj, where)
    mag = _mag_value(source.require(data, "mag", where), source, f"{where}.mag")
    path = data.get("path")
    if path is not None:
        path = source.string(path, f"{where}.path")
    axis_order = data.get("axisOrder")
    if axis_order is not None:
        at = f"{where}.axisOrder"
        axis_order = {
            source.string(k, at): source.integer(v, f"{at}.{k}") for k, v in source.mapping(axis_order, at).items()
        }
    extra = {k: v for k, v in data.items() if k not in _MAG_KEYS}
    try:
        return MagViewProperties(mag, path, _optional_int(data, "cubeLength", source, where), axis_order, extra=extra)
    except (ValueError, AssertionError, TypeError) as error:
        raise source.error(f"{where}.mag", f"not a valid mag {mag!r}: {error}") from error


def legacy_mag_from_json(obj: object, source: JsonSource, where: str) -> MagViewProperties:
    """Decode a legacy ``{"resolution": 2 | [2, 2, 1], "cubeLength": 1024}`` entry (no path)."""
    data = source.mapping(obj, where)
    mag = _mag_value(source.require(data, "resolution", where), source, f"{where}.resolution")
    extra = {k: v for k, v in data.items() if k not in _LEGACY_KEYS}
    try:
        return MagViewProperties(mag, None, _optional_int(data, "cubeLength", source, where), extra=extra)
    except (ValueError, AssertionError, TypeError) as error:
        raise source.error(f"{where}.resolution", f"not a valid mag {mag!r}: {error}") from error


def mags_from_json(layer: dict, source: JsonSource, where: str) -> list[MagViewProperties] | None:
    """Decode the layer's ``mags`` (or legacy mag list); None if the layer has none of them."""
    if "mags" in layer:
        at = f"{where}.mags"
        return [mag_from_json(item, source, f"{at}[{i}]") for i, item in enumerate(source.array(layer["mags"], at))]
    for key in LEGACY_MAG_LISTS:
        if key in layer:
            at = f"{where}.{key}"
            items = source.array(layer[key], at)
            return [legacy_mag_from_json(item, source, f"{at}[{i}]") for i, item in enumerate(items)]
    return None


def mag_to_json(mag: MagViewProperties) -> dict[str, Any]:
    """Encode a mag entry as WEBKNOSSOS writes it: ``mag``, ``path``, ``cubeLength`` (WKW), ``axisOrder``."""
    out: dict[str, Any] = {"mag": mag.mag.to_list()}
    if mag.path is not None:
        out["path"] = str(mag.path)
    if mag.cube_length is not None:
        out["cubeLength"] = int(mag.cube_length)
    if mag.axis_order is not None:
        out["axisOrder"] = dict(mag.axis_order)
    out.update(mag.extra)
    return out
