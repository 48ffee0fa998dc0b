"""Translation between a layer's JSON ``elementClass``/``numChannels`` and its dtype per channel."""

from __future__ import annotations

import numpy as np

# elementClass -> dtype of one channel (``uint24`` is three uint8 channels, see ELEMENT_CLASS_CHANNELS).
_ELEMENT_CLASS_TO_DTYPE: dict[str, str] = {
    "uint8": "uint8",
    "uint16": "uint16",
    "uint24": "uint8",
    "uint32": "uint32",
    "uint64": "uint64",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float": "float32",
    "double": "float64",
    # numpy spellings, accepted when reading
    "float32": "float32",
    "float64": "float64",
}
ELEMENT_CLASS_CHANNELS = {"uint24": 3}
ELEMENT_CLASSES: tuple[str, ...] = tuple(_ELEMENT_CLASS_TO_DTYPE)[:-2]
SUPPORTED_DTYPES: frozenset[str] = frozenset(_ELEMENT_CLASS_TO_DTYPE.values())


def normalize_dtype(value: object) -> str:
    """Return the numpy name (``"uint8"``, ``"float32"``) of a dtype-like that a layer may hold."""
    try:
        name = np.dtype(value).name  # type: ignore[call-overload]
    except TypeError as error:
        raise ValueError(f"Not a data type: {value!r}.") from error
    if name not in SUPPORTED_DTYPES:
        raise ValueError(f"Unsupported data type {name!r}; layers hold one of {', '.join(sorted(SUPPORTED_DTYPES))}.")
    return name


def dtype_from_element_class(element_class: str, num_channels: int | None) -> tuple[str, int]:
    """``(dtype per channel, number of channels)`` for a JSON ``elementClass`` and ``numChannels``.

    ``numChannels`` may be absent (None): ``uint24`` then means 3 channels, anything else 1.
    Raises ValueError for an unknown element class.
    """
    if element_class not in _ELEMENT_CLASS_TO_DTYPE:
        raise ValueError(f"Unknown elementClass {element_class!r}; expected one of {', '.join(ELEMENT_CLASSES)}.")
    channels = num_channels if num_channels is not None else ELEMENT_CLASS_CHANNELS.get(element_class, 1)
    return _ELEMENT_CLASS_TO_DTYPE[element_class], int(channels)


def element_class_for(dtype: object, num_channels: int) -> str:
    """The ``elementClass`` WEBKNOSSOS writes: ``uint24`` for 3 × uint8, ``float``/``double`` for floats."""
    name = normalize_dtype(dtype)
    if name == "uint8" and num_channels == 3:
        return "uint24"
    return {"float32": "float", "float64": "double"}.get(name, name)
