"""JSON codec of ``datasource-properties.json``: dict or text <-> DatasetProperties."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from os import PathLike
from typing import Any

from .codec_layer import layer_from_json, layer_to_json
from .codec_view import dataset_view_configuration_from_json, view_configuration_to_json
from .dataset import CURRENT_VERSION, DatasetProperties
from .errors import UnsupportedPropertiesVersionError
from .json_source import JsonSource
from .length_unit import DEFAULT_LENGTH_UNIT, LengthUnit
from .voxel_size import VoxelSize

_DATASET_KEYS = ("id", "scale", "dataLayers", "version", "defaultViewConfiguration")


def _parse(document: str | bytes | Mapping[str, Any], source: JsonSource) -> dict:
    if isinstance(document, Mapping):
        return copy.deepcopy(dict(document))  # the properties must not share lists with the caller's dict
    try:
        data = json.loads(document)
    except json.JSONDecodeError as error:
        raise source.error(
            None, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except UnicodeDecodeError as error:
        raise source.error(None, f"not UTF-8 text ({error}).") from None
    return source.mapping(data, "")


def _scale_from_json(data: dict, source: JsonSource) -> VoxelSize:
    scale = source.require(data, "scale", "")
    if isinstance(scale, list):  # legacy: a plain list in nanometers
        factor, unit, at = scale, DEFAULT_LENGTH_UNIT.value, "scale"
    else:
        scale = source.mapping(scale, "scale")
        factor, at = source.require(scale, "factor", "scale"), "scale.factor"
        unit = scale.get("unit", DEFAULT_LENGTH_UNIT.value)
    factor = source.array(factor, at)
    if len(factor) != 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in factor):
        raise source.error(at, f"expected three numbers (x, y, z), got {factor!r}.")
    if not all(math.isfinite(v) and v > 0 for v in factor):
        raise source.error(
            at, f"every voxel edge length must be a positive number, got {factor!r}; fix the voxel size in the file."
        )
    try:
        return VoxelSize(factor, LengthUnit(unit))
    except ValueError:
        raise source.error("scale.unit", f"unknown length unit {unit!r}.") from None


def dataset_properties_from_json(
    document: str | bytes | Mapping[str, Any], path_for_errors: str | PathLike | None = None
) -> DatasetProperties:
    """Decode a ``datasource-properties.json`` document (text, bytes or already-parsed dict).

    Reads the legacy variants too. Raises DatasetPropertiesError (a ValueError) naming
    ``path_for_errors`` and the JSON key for malformed JSON, missing keys or unknown values.
    """
    source = JsonSource(None if path_for_errors is None else str(path_for_errors))
    data = _parse(document, source)
    layers_json = source.array(source.require(data, "dataLayers", ""), "dataLayers")
    layers = [layer_from_json(layer, source, f"dataLayers[{i}]") for i, layer in enumerate(layers_json)]
    names = [layer.name for layer in layers]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise source.error("dataLayers", f"layer names must be unique, repeated: {', '.join(duplicates)}.")
    dataset_id = source.mapping(data.get("id", {"name": _dataset_name(source.path), "team": ""}), "id")
    version = data.get("version")
    view = data.get("defaultViewConfiguration")
    return DatasetProperties(
        id=dataset_id,
        scale=_scale_from_json(data, source),
        data_layers=layers,
        version=_version_from_json(version, source),
        default_view_configuration=None
        if view is None
        else dataset_view_configuration_from_json(view, source, "defaultViewConfiguration"),
        extra={k: v for k, v in data.items() if k not in _DATASET_KEYS},
    )


def _version_from_json(version: object, source: JsonSource) -> int:
    """The properties' ``version`` (absent: the current one); only version 1 exists, others are refused."""
    if version is None:
        return CURRENT_VERSION
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    number = source.integer(version, "version")
    if number != CURRENT_VERSION:
        raise UnsupportedPropertiesVersionError(
            f"Unsupported dataset version {number}; this library reads version {CURRENT_VERSION} (written by "
            "WEBKNOSSOS and its Python libraries). Was the file written by a newer tool?",
            source.path,
            "version",
        )
    return number


def _dataset_name(path: str | None) -> str:
    if not path:
        return ""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    if parts[-1].endswith(".json"):
        parts = parts[:-1]
    return parts[-1] if parts else ""


def dataset_properties_to_json(properties: DatasetProperties) -> dict[str, Any]:
    """Encode properties as the dict WEBKNOSSOS writes (``id``, ``scale``, ``dataLayers``, ``version``, ...).

    Unknown keys read earlier are appended at every level.
    """
    out: dict[str, Any] = {
        "id": dict(properties.id),
        "scale": {"factor": list(properties.scale.factor), "unit": properties.scale.unit.value},
        "dataLayers": [layer_to_json(layer) for layer in properties.data_layers],
        "version": int(properties.version),
    }
    if properties.default_view_configuration is not None:
        out["defaultViewConfiguration"] = view_configuration_to_json(properties.default_view_configuration)
    out.update(properties.extra)
    return out


def dataset_properties_to_text(properties: DatasetProperties) -> str:
    """The JSON text written to disk: indented by 4 spaces, like WEBKNOSSOS."""
    return json.dumps(dataset_properties_to_json(properties), indent=4)
