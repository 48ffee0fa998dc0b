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


def _total_bits(element_class: str) -> tuple[str, int] | None:
    """``(kind, bits of one voxel over all channels)`` of an elementClass like ``uint24`` or ``float96``."""
    if element_class == "float":
        return "float", 32
    if element_class == "double":
        return "float", 64
    for kind in ("uint", "int", "float"):
        digits = element_class[len(kind) :]
        if element_class.startswith(kind) and digits.isdigit() and not (kind == "int" and element_class[0] == "u"):
            return kind, int(digits)
    return None


def dtype_from_element_class(element_class: str, num_channels: int | None) -> tuple[str, int]:
    """``(dtype per channel, number of channels)`` for a JSON ``elementClass`` and ``numChannels``.

    ``elementClass`` names the type of one voxel over all its channels, as the reference library writes it:
    ``uint16`` with 2 channels is 2 × uint8, ``uint24`` 3 × uint8, ``float96`` 3 × float32. ``numChannels``
    may be absent (None): ``uint24`` then means 3 channels, anything else 1. Files that name the per-channel
    type instead (``uint8`` with 2 channels, as older daedalus versions wrote) are read that way.
    Raises ValueError for an unknown element class.
    """
    channels = num_channels if num_channels is not None else ELEMENT_CLASS_CHANNELS.get(element_class, 1)
    channels = int(channels)
    parsed = _total_bits(element_class)
    if parsed is not None and channels >= 1 and parsed[1] % channels == 0:
        kind, bits = parsed[0], parsed[1] // channels
        name = f"{kind}{bits}"
        if name in SUPPORTED_DTYPES:
            return name, channels
    if element_class not in _ELEMENT_CLASS_TO_DTYPE:
        raise ValueError(f"Unknown elementClass {element_class!r}; expected one of {', '.join(ELEMENT_CLASSES)}.")
    return _ELEMENT_CLASS_TO_DTYPE[element_class], channels


def element_class_for(dtype: object, num_channels: int) -> str:
    """The ``elementClass`` of a layer: the type of one voxel over all channels, as the reference writes it.

    ``uint24`` for 3 × uint8, ``uint16`` for 2 × uint8, ``float`` / ``double`` for 32 / 64 bits of floats
    (``double`` also for 2 × float32), ``float96`` for 3 × float32.
    """
    name = normalize_dtype(dtype)
    kind = "float" if name.startswith("float") else "int" if name.startswith("int") else "uint"
    bits = np.dtype(name).itemsize * 8 * int(num_channels)
    if kind == "float" and bits in (32, 64):
        return "float" if bits == 32 else "double"
    return f"{kind}{bits}"
