"""JSON codec of the view configurations: attrs fields in snake_case <-> camelCase keys, unknown keys kept."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from .json_source import JsonSource
from .view_configuration import DatasetViewConfiguration, LayerViewConfiguration

_T = TypeVar("_T", LayerViewConfiguration, DatasetViewConfiguration)
_TUPLE_FIELDS = {"color", "intensity_range", "position", "rotation"}


def camel_case(name: str) -> str:
    """``is_in_edit_mode`` -> ``isInEditMode``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _json_fields(cls: type) -> dict[str, str]:
    return {camel_case(f.name): f.name for f in attrs.fields(cls) if f.name != "extra"}


def _from_json(cls: type[_T], obj: object, source: JsonSource, where: str) -> _T:
    data = source.mapping(obj, where)
    known = _json_fields(cls)
    values = {known[key]: value for key, value in data.items() if key in known}
    for name in _TUPLE_FIELDS & values.keys():
        if values[name] is not None:
            values[name] = source.array(values[name], f"{where}.{camel_case(name)}")
    extra = {key: value for key, value in data.items() if key not in known}
    return cls(**values, extra=extra)


def layer_view_configuration_from_json(obj: object, source: JsonSource, where: str) -> LayerViewConfiguration:
    """Decode a layer's ``defaultViewConfiguration`` object."""
    return _from_json(LayerViewConfiguration, obj, source, where)


def dataset_view_configuration_from_json(obj: object, source: JsonSource, where: str) -> DatasetViewConfiguration:
    """Decode the dataset's ``defaultViewConfiguration`` object (its ``layers`` included)."""
    config = _from_json(DatasetViewConfiguration, obj, source, where)
    if config.layers is not None:
        layers = source.mapping(config.layers, f"{where}.layers")
        config.layers = {
            name: layer_view_configuration_from_json(value, source, f"{where}.layers.{name}")
            for name, value in layers.items()
        }
    return config


def view_configuration_to_json(config: LayerViewConfiguration | DatasetViewConfiguration) -> dict[str, Any]:
    """Encode a view configuration: settings that are None are left out, unknown keys appended."""
    out: dict[str, Any] = {}
    for key, name in _json_fields(type(config)).items():
        value = getattr(config, name)
        if value is None:
            continue
        if name in _TUPLE_FIELDS:
            value = list(value)
        elif name == "layers":
            value = {layer: view_configuration_to_json(layer_config) for layer, layer_config in value.items()}
        out[key] = value
    out.update(config.extra)
    return out
