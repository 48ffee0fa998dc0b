"""Shared builders for the copy tests: a small two-layer source dataset and file-content comparison."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import numpy as np

import daedalus as wk

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "generated"


def make_source(path: Path, data_format: str = "zarr3", compress: bool = True) -> wk.Dataset:
    """A dataset with a color layer (mags 1, 2) and a segmentation layer, 16³ chunks in 32³ shards."""
    rng = np.random.default_rng(7)
    ds = wk.Dataset(path, voxel_size=(11.0, 11.0, 25.0))
    color = ds.add_layer("color", "color", dtype="uint8", data_format=data_format)
    shard = 32 if data_format != "zarr" else 16
    mag1 = color.add_mag(1, chunk_shape=16, shard_shape=shard, compress=compress)
    mag1.write(rng.integers(1, 255, (64, 48, 32), dtype="uint8"), absolute_offset=(16, 0, 0), allow_resize=True)
    mag2 = color.add_mag(2, chunk_shape=16, shard_shape=shard, compress=compress)
    mag2.write(rng.integers(1, 255, (32, 24, 16), dtype="uint8"), absolute_offset=(16, 0, 0))
    seg = ds.add_layer(
        "segmentation",
        "segmentation",
        dtype="uint32",
        data_format=data_format,
        largest_segment_id=99,
        mappings=["agglomerate_view_1"],
    )
    labels = np.zeros((32, 32, 32), dtype="uint32")
    labels[:16] = 99
    seg.add_mag(1, chunk_shape=16, shard_shape=shard, compress=compress).write(
        labels, absolute_offset=(0, 0, 0), allow_resize=True
    )
    return ds


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def has_format(name: str) -> bool:
    """Whether a storage adapter for ``name`` is registered."""
    return name in wk.get_plugin_manager().data_formats()


class FailingExecutor:
    """Runs tasks in the calling thread; the task number ``fail_at`` (0-based) raises instead."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.calls = 0

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        index, self.calls = self.calls, self.calls + 1
        if index == self.fail_at:
            future.set_exception(RuntimeError("simulated crash of a copy task"))
            return future
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - carried by the future
            future.set_exception(error)
        return future

    def map_to_futures(self, fn, args, **_):
        return [self.submit(fn, arg) for arg in args]
