"""A small dataset for the TIFF export tests: color, RGB, float and segmentation layers with an agglomerate file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

pytest.importorskip("tifffile", reason="tifffile is not installed (pip install 'daedalus[images]')")

OFFSET = (10, 20, 5)
SIZE = (70, 50, 20)  # x, y, z
NUM_SEGMENTS = 100


def _add(ds: wk.Dataset, name: str, category: str, data: np.ndarray, **kwargs: object) -> wk.Layer:
    """A layer holding ``data`` (c, x, y, z) at OFFSET in mag 1 (chunks and shards 32³)."""
    layer = ds.add_layer(
        name,
        category,
        dtype=data.dtype,
        num_channels=data.shape[0],
        bounding_box=wk.BoundingBox(OFFSET, SIZE),
        **kwargs,
    )
    layer.add_mag(1, chunk_shape=32, shard_shape=32).write(data, absolute_offset=OFFSET, allow_unaligned=True)
    return layer


def agglomerate_graph() -> wk.AgglomerateGraph:
    """Segments 1..99; segments 2k and 2k+1 form one agglomerate."""
    graph = wk.AgglomerateGraph()
    for segment in range(1, NUM_SEGMENTS):
        graph.add_segment(segment, position=wk.Vec3Int(segment, segment, segment))
    for segment in range(2, NUM_SEGMENTS - 1, 2):
        graph.add_affinity_edge(segment, segment + 1, affinity=0.5)
    return graph


@pytest.fixture(scope="package")
def export_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset (read-only for the tests): layers color, rgb, f32, segmentation (+ agglomerate "agg"), iso."""
    path = tmp_path_factory.mktemp("export") / "ds"
    rng = np.random.default_rng(42)
    ds = wk.Dataset(path, voxel_size=(11, 11, 25))
    color = _add(ds, "color", "color", rng.integers(1, 255, (1, *SIZE), dtype=np.uint8))
    color.add_mag("2-2-1", chunk_shape=32, shard_shape=32).write(
        rng.integers(1, 255, (1, 35, 25, 20), dtype=np.uint8), absolute_offset=OFFSET, allow_unaligned=True
    )
    _add(ds, "rgb", "color", rng.integers(0, 255, (3, *SIZE), dtype=np.uint8))
    _add(ds, "f32", "color", rng.random((1, *SIZE), dtype=np.float32))
    segmentation = _add(
        ds,
        "segmentation",
        "segmentation",
        rng.integers(0, NUM_SEGMENTS, (1, *SIZE), dtype=np.uint32),
        largest_segment_id=NUM_SEGMENTS - 1,
    )
    wk.AgglomerateAttachment.create_and_add_to(segmentation, "agg", agglomerate_graph())
    iso = ds.add_layer("iso", "color", dtype="uint16", bounding_box=wk.BoundingBox((8, 16, 4), (64, 48, 24)))
    iso.add_mag(1, chunk_shape=32, shard_shape=32).write(
        rng.integers(1, 60000, (1, 64, 48, 24), dtype=np.uint16), absolute_offset=(8, 16, 4), allow_unaligned=True
    )
    iso.add_mag(2, chunk_shape=32, shard_shape=32).write(
        rng.integers(1, 60000, (1, 32, 24, 12), dtype=np.uint16), absolute_offset=(8, 16, 4), allow_unaligned=True
    )
    return path


@pytest.fixture
def dataset(export_dataset: Path) -> wk.Dataset:
    """The export dataset, opened."""
    return wk.Dataset.open(export_dataset)
