"""Segment-to-agglomerate mappings applied to exported segmentation data (``--apply-mapping``).

A mapping is the ``segment_to_agglomerate`` array of an agglomerate attachment: entry ``i`` is the agglomerate
of segment ``i``. Ids the array does not cover become 0, as in the reference.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from .. import ports
from ..errors import InvalidArgumentError

LOOKUP_KEY = "segment_to_agglomerate"
_loaded: dict[tuple[str, str], np.ndarray] = {}
"""Lookups read in this process (a worker reads each attachment once, not once per batch)."""


def map_segments(data: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """``lookup[data]`` (dtype of ``lookup``); ids below 0 or past the end of ``lookup`` map to 0."""
    if data.size == 0:
        return data.astype(lookup.dtype)
    if len(lookup) == 0:
        return np.zeros(data.shape, dtype=lookup.dtype)
    low, high = (int(data.min()), int(data.max())) if data.dtype.kind == "i" else (0, int(data.max()))
    if low >= 0 and high < len(lookup):
        return lookup[data]
    outside = (data < 0) | (data >= len(lookup))
    mapped = lookup[np.where(outside, 0, data)]
    mapped[outside] = 0
    return mapped


@attrs.frozen
class AgglomerateLookup:
    """The lookup of an agglomerate attachment, read from its file on first use in each process."""

    path: Any
    data_format: str

    @classmethod
    def of(cls, attachment: Any) -> AgglomerateLookup:
        """The lookup of an AgglomerateAttachment."""
        return cls(
            path=attachment.path, data_format=str(getattr(attachment.data_format, "value", attachment.data_format))
        )

    def dtype(self) -> np.dtype:
        """The dtype of the agglomerate ids (read from the file's metadata, without the data)."""
        if (str(self.path), self.data_format) in _loaded:
            return self.array().dtype
        found = ports.resolve_attachment_storage(self.data_format).list_arrays(self.path)
        if LOOKUP_KEY not in found:
            raise ValueError(f"{self.path} is not an agglomerate file: it has no {LOOKUP_KEY} array.")
        return np.dtype(found[LOOKUP_KEY][1])

    def array(self) -> np.ndarray:
        """The ``segment_to_agglomerate`` array (cached in this process)."""
        key = (str(self.path), self.data_format)
        if key not in _loaded:
            storage = ports.resolve_attachment_storage(self.data_format)
            lookup = np.asarray(storage.read_array(self.path, LOOKUP_KEY))
            if lookup.ndim != 1 or lookup.dtype.kind not in "ui":
                raise ValueError(
                    f"{self.path} is not an agglomerate file: its {LOOKUP_KEY} array has shape {lookup.shape} and "
                    f"dtype {lookup.dtype}; expected one dimension of integers."
                )
            _loaded.clear()  # keep one lookup per process: they can be large
            _loaded[key] = lookup
        return _loaded[key]

    def apply(self, data: np.ndarray) -> np.ndarray:
        """``data`` with every segment id replaced by its agglomerate id."""
        return map_segments(data, self.array())


@attrs.frozen(eq=False)
class ArrayLookup:
    """A lookup given as an array (entry ``i``: the new id of segment ``i``); sent along with every batch."""

    lookup: np.ndarray = attrs.field(converter=np.asarray)

    def __attrs_post_init__(self) -> None:
        if self.lookup.ndim != 1 or self.lookup.dtype.kind not in "ui":
            raise InvalidArgumentError(
                f"A mapping array must be one-dimensional with integer ids, got shape {self.lookup.shape} and "
                f"dtype {self.lookup.dtype}."
            )

    def dtype(self) -> np.dtype:
        """The dtype of the new ids."""
        return self.lookup.dtype

    def apply(self, data: np.ndarray) -> np.ndarray:
        """``data`` with every segment id replaced by its entry of the lookup."""
        return map_segments(data, self.lookup)
