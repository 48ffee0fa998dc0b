"""ArrayStorage adapter for Neuroglancer precomputed volumes on tensorstore's ``neuroglancer_precomputed`` driver.

A mag path names one scale: its parent folder holds the ``info`` JSON and the folder name is the scale's ``key``
(a folder that itself holds an ``info`` file means its first scale). New scales carry their resolution in
nanometres and the layer's type (``image`` or ``segmentation``); compressed ones are jpeg (uint8 colour),
compressed_segmentation (uint32/uint64 segmentation) or raw; a shard shape larger than the chunk shape makes a
``neuroglancer_uint64_sharded_v1`` scale whose shards are aligned boxes of that shape.
"""

from __future__ import annotations

from .array import PrecomputedArray
from .storage import JPEG_QUALITY, PrecomputedStorage, encoding_for

__all__ = ["JPEG_QUALITY", "PrecomputedArray", "PrecomputedStorage", "encoding_for"]
