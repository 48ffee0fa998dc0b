"""Gather computed blocks into write groups: slabs of a work unit written at once instead of block by block.

A sharded target rewrites a whole shard file on every partial write, so writing a shard block by block costs
one shard rewrite per block. ``plan_groups`` cuts a unit's blocks into slabs of at most ``max_bytes``,
``GroupBuffer`` collects one slab's blocks; each slab is then one write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product

import numpy as np

Block = tuple[tuple[int, int], ...]


def plan_groups(
    axis_pieces: Sequence[Sequence[tuple[int, int]]], voxel_bytes: int, max_bytes: int, min_groups: int = 1
) -> list[list[Block]]:
    """The blocks of a unit (``axis_pieces``: the ``(start, stop)`` pieces per spatial axis) in slab groups.

    The unit is cut along the axis with the most pieces (z on a tie) into at least ``min_groups`` slabs (when
    it has that many pieces) of equally many whole pieces, each at most ``max_bytes`` (or a single piece); a
    slab spans the other two axes fully. Inside a group blocks are listed in ``product`` order.
    """
    pieces = [list(p) for p in axis_pieces]
    axis = max((2, 1, 0), key=lambda a: len(pieces[a]))
    cross = voxel_bytes * math.prod(sum(b - a for a, b in pieces[i]) for i in range(3) if i != axis)
    total = cross * sum(b - a for a, b in pieces[axis])
    count = min(len(pieces[axis]), max(1, min_groups, -(-total // max(1, max_bytes))))
    while True:  # equal numbers of pieces per slab; more slabs while one is over the budget
        per_slab = -(-len(pieces[axis]) // count)
        slabs = [pieces[axis][i : i + per_slab] for i in range(0, len(pieces[axis]), per_slab)]
        if per_slab == 1 or all(cross * sum(b - a for a, b in slab) <= max_bytes for slab in slabs):
            break
        count += 1
    return [list(product(*(slab if i == axis else pieces[i] for i in range(3)))) for slab in slabs]


class GroupBuffer:
    """The voxels of one write group (``(..., x, y, z)`` target voxels), filled block by block.

    The buffer is allocated with the first block's leading axes and dtype; ``filled`` lists the blocks that
    had data (a block without data, None, leaves its voxels unwritten: see ``complete``).
    """

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.origin = [min(block[axis][0] for block in blocks) for axis in range(3)]
        self.stop = [max(block[axis][1] for block in blocks) for axis in range(3)]
        self.data: np.ndarray | None = None
        self.filled: list[Block] = []
        self.missing = self._count = len(blocks)

    def put(self, block: Block, result: np.ndarray | None) -> bool:
        """Copy ``result`` (the block's voxels, or None: nothing to write there) in; True when the group is full."""
        if result is not None:
            if self.data is None:
                shape = result.shape[:-3] + tuple(b - a for a, b in zip(self.origin, self.stop))
                # uninitialised: only the voxels of the filled blocks are ever written out
                self.data = np.empty(shape, dtype=result.dtype, order="F")
            self.data[(Ellipsis, *self.window(block))] = result
            self.filled.append(block)
        self.missing -= 1
        return self.missing == 0

    @property
    def complete(self) -> bool:
        """Whether every block had data (then the whole buffer is one write)."""
        return self.missing == 0 and self.data is not None and len(self.filled) == self._count

    def window(self, block: Block) -> tuple[slice, ...]:
        """The buffer's slices (spatial axes) holding ``block``."""
        return tuple(slice(a - o, b - o) for (a, b), o in zip(block, self.origin))

    @property
    def nbytes(self) -> int:
        """Bytes the buffer holds (0 before the first block)."""
        return 0 if self.data is None else int(self.data.nbytes)
