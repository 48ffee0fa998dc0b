"""Chunk functions handed to executors by test_views_chunks.py.

They live in a plain top-level module (this folder is put on ``sys.path``) because worker processes of the
multiprocessing executor import functions by module name, and ``tests`` is shadowed there by the ``tests``
package that the ``wkw`` distribution installs into site-packages.
"""

import numpy as np


def fill_with_index(args):
    """Fill the chunk with its index + 1."""
    view, index = args
    view.write(np.full(view.bounding_box.in_mag(view.mag).size_xyz, index + 1, np.uint8))


def chunk_summary(view):
    """The chunk's top-left corner and the sum of its voxels."""
    return tuple(view.bounding_box.topleft_xyz), int(view.read().astype(np.int64).sum())


def halve_xy(args):
    """Write every second x/y voxel of the source chunk into the target chunk."""
    source, target, _index = args
    target.write(source.read()[:, ::2, ::2, :])


def double_values(args):
    """Double every voxel of the chunk."""
    view, _index = args
    view.write(view.read() * 2)


def write_wrong_shape(args):
    """Write a block that sticks out of the chunk (must fail)."""
    view, _index = args
    view.write(np.zeros((5, 5, 5), np.uint8), relative_offset=(30, 0, 0))
