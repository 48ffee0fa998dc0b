"""Sharding specs of precomputed scales whose shards are aligned boxes of chunks (``neuroglancer_uint64_sharded_v1``).

A chunk's number is its compressed Morton code: the bits of its x, y and z grid coordinates interleaved, each
coordinate with as many bits as the grid needs along it. With the ``identity`` hash, the low
``preshift_bits + minishard_bits`` bits say where a chunk lies inside its shard and the bits above them number
the shard, so a shard is an aligned box of chunks exactly when those low bits are the low bits of every axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

INTENT_KEY = "daedalus_chunks_per_shard"
"""Scale member (beside ``sharding``) holding the chunks per shard asked for: while the grid is smaller than one
shard along an axis the spec alone does not tell them. Readers ignore members they do not know."""
_MINISHARD_PRESHIFT = 6  # 64 chunks per minishard: a small minishard index to read per chunk


def chunk_grid_bits(size: Sequence[int], chunk: Sequence[int]) -> tuple[int, ...]:
    """Bits of each grid coordinate in the compressed Morton code of a scale of ``size`` voxels in ``chunk``s."""
    return tuple((max(1, -(-int(s) // int(c))) - 1).bit_length() for s, c in zip(size, chunk))


def _code_axes(bits: Sequence[int]) -> list[int]:
    """The axis each bit of the compressed Morton code comes from, lowest bit first."""
    return [axis for level in range(max(bits, default=0)) for axis in range(3) if level < bits[axis]]


def sharding_spec(
    size: Sequence[int], chunk: Sequence[int], chunks_per_shard: Sequence[int], data_encoding: str
) -> dict[str, Any]:
    """The sharding spec whose shards are the aligned boxes of ``chunks_per_shard`` chunks (powers of two).

    Raises ValueError when such boxes are no run of low Morton bits for this grid (e.g. 4 x 4 x 1 chunks per
    shard in a grid more than one chunk deep).
    """
    edges = [int(e) for e in chunks_per_shard]
    if any(e < 1 or e & (e - 1) for e in edges):
        raise ValueError(f"chunks per shard {tuple(edges)} must be powers of two along x, y and z")
    wanted = [e.bit_length() - 1 for e in edges]
    bits = chunk_grid_bits(size, chunk)
    rounds = range(max([*wanted, *bits], default=0) + 1)
    level = next((r for r in rounds if all(min(r, b) == min(w, b) for w, b in zip(wanted, bits))), None)
    if level is None:
        raise ValueError(
            f"shards of {tuple(edges)} chunks are no aligned boxes in the Morton order of a grid of "
            f"{tuple(-(-int(s) // int(c)) for s, c in zip(size, chunk))} chunks; give the same number of chunks per "
            "shard along every axis the grid spans"
        )
    inner = sum(min(level, b) for b in bits)
    preshift = min(inner, _MINISHARD_PRESHIFT)
    return {
        "@type": "neuroglancer_uint64_sharded_v1",
        "hash": "identity",
        "preshift_bits": preshift,
        "minishard_bits": inner - preshift,
        "shard_bits": sum(bits) - inner,
        "minishard_index_encoding": "gzip",
        "data_encoding": data_encoding,
    }


def _inner_bits(sharding: dict[str, Any]) -> int:
    return int(sharding.get("preshift_bits", 0)) + int(sharding.get("minishard_bits", 0))


def _boxed(sharding: dict[str, Any], bits: Sequence[int]) -> bool:
    """Whether every shard of this spec is one aligned box of chunks."""
    return sharding.get("hash") == "identity" and int(sharding.get("shard_bits", 0)) >= sum(bits) - _inner_bits(
        sharding
    )


def _layout(scale: dict[str, Any]) -> tuple[dict[str, Any], list[int], list[int]]:
    return scale["sharding"], [int(v) for v in scale["size"]], [int(v) for v in scale["chunk_sizes"][0]]


def shard_chunk_edges(scale: dict[str, Any]) -> tuple[int, ...]:
    """Chunks per shard along x, y, z of a sharded scale: the box a shard covers (the whole grid when its shards
    are no boxes)."""
    sharding, size, chunk = _layout(scale)
    bits = chunk_grid_bits(size, chunk)
    if not _boxed(sharding, bits):
        return tuple(1 << b for b in bits)
    intent = scale.get(INTENT_KEY)
    if isinstance(intent, list) and len(intent) == 3:
        try:
            expected = sharding_spec(size, chunk, intent, str(sharding.get("data_encoding", "raw")))
        except (TypeError, ValueError):
            expected = None
        if expected is not None and all(sharding.get(k) == v for k, v in expected.items()):
            return tuple(int(e) for e in intent)
    counts = [0, 0, 0]
    for axis in _code_axes(bits)[: _inner_bits(sharding)]:
        counts[axis] += 1
    return tuple(1 << n for n in counts)


def shard_box_of(scale: dict[str, Any], number: int) -> tuple[list[int], list[int]]:
    """The voxel box (from the scale's voxel offset) that shard ``number`` covers, not clipped to the scale."""
    sharding, size, chunk = _layout(scale)
    bits = chunk_grid_bits(size, chunk)
    if not _boxed(sharding, bits):
        return [0, 0, 0], [c << b for c, b in zip(chunk, bits)]
    inner = _inner_bits(sharding)
    coordinate, level = [0, 0, 0], [0, 0, 0]
    for position, axis in enumerate(_code_axes(bits)):
        if position >= inner and (number >> (position - inner)) & 1:
            coordinate[axis] |= 1 << level[axis]
        level[axis] += 1
    lo = [c * k for c, k in zip(coordinate, chunk)]
    return lo, [a + e * k for a, e, k in zip(lo, shard_chunk_edges(scale), chunk)]
