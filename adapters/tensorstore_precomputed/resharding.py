"""Growing a sharded precomputed scale whose chunk grid needs more Morton bits: its shards are rewritten.

More bits renumber every chunk (its compressed Morton code interleaves one more bit), so stored shards are read
with the old spec and written into a staging copy of the scale with the new one, which then takes the
scale folder's place. The old data is moved shard by shard, never held whole in memory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import tensorstore as ts

from .sharding import INTENT_KEY, chunk_grid_bits, shard_box_of, shard_chunk_edges, sharding_spec
from .volume_info import SHARD_FILE, write_info


def _scale_store(root: Path, key: str, *, write: bool) -> Any:
    spec = {
        "driver": "neuroglancer_precomputed",
        "kvstore": {"driver": "file", "path": str(root) + "/"},
        "scale_metadata": {"key": key},
    }
    return ts.open(spec, open=True, read=True, write=write).result()


def grid_bits_change(scale: dict[str, Any], size: list[int]) -> bool:
    """Whether growing a sharded ``scale`` to ``size`` renumbers its chunks (more Morton bits along some axis)."""
    chunk = [int(v) for v in scale["chunk_sizes"][0]]
    return bool(scale.get("sharding")) and chunk_grid_bits(size, chunk) != chunk_grid_bits(scale["size"], chunk)


def resized_scale(scale: dict[str, Any], size: list[int]) -> dict[str, Any]:
    """``scale`` with ``size``; a sharded scale whose shards are boxes gets the spec that keeps them boxes of the
    same chunks when the grid needs more bits (hashed specs stay as they are)."""
    grown = dict(scale, size=size)
    sharding = scale.get("sharding")
    if grid_bits_change(scale, size) and sharding.get("hash") == "identity":
        edges = list(shard_chunk_edges(scale))
        chunk = [int(v) for v in scale["chunk_sizes"][0]]
        grown["sharding"] = sharding_spec(size, chunk, edges, str(sharding.get("data_encoding", "raw")))
        grown[INTENT_KEY] = edges
    return grown


def reshard(root: Path, info: dict[str, Any], scale: dict[str, Any], grown: dict[str, Any]) -> None:
    """Rewrite the stored shards of ``scale`` (in ``info`` of the volume at ``root``) for the layout of ``grown``
    and replace the scale's folder and ``info`` entry with them."""
    key = str(scale["key"]).strip("/")
    folder = root / key
    token = uuid.uuid4().hex
    staging = root / f".{key}.reshard-{token}"
    staging.mkdir()
    try:
        write_info(staging, dict(info, scales=[grown]))
        old, new = _scale_store(root, key, write=False), _scale_store(staging, key, write=True)
        offset = [int(v) for v in scale.get("voxel_offset", [0, 0, 0])]
        size = [int(v) for v in scale["size"]]
        numbers = sorted(int(m.group(1), 16) for m in map(SHARD_FILE.match, os.listdir(folder)) if m)
        for number in numbers:
            lo, hi = shard_box_of(scale, number)
            lo = [a + v for a, v in zip(lo, offset)]
            hi = [min(b, s) + v for b, s, v in zip(hi, size, offset)]
            if all(h > a for a, h in zip(lo, hi)):
                box = tuple(slice(a, b) for a, b in zip(lo, hi))
                new[box].write(old[box].read().result()).result()
        (staging / key).mkdir(exist_ok=True)  # shards of zeros only are not stored
        retired = root / f".{key}.old-{token}"
        os.rename(folder, retired)
        os.rename(staging / key, folder)
        scale.clear()
        scale.update(grown)
        write_info(root, info)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
