"""Benchmark ``MagView.to_dask()``: computing the whole mag and single planes, against ``MagView.read()``.

A zarr3 layer of SIZE³ uint8 (noise, compressed) is written once with the default 32³ chunks and the given shard
edge. Reported (best of the repeats): ``read()`` of the whole mag, ``to_dask().compute()`` of it with dask's
threaded scheduler, and computing one z plane (what napari does per displayed slice).

    python benchmarks/bench_dask_arrays.py                      # 512³, 256³ shards (8 blocks), 3 repeats
    python benchmarks/bench_dask_arrays.py --size 256 --shard 1024 --repeats 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import daedalus as wk


def _best(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Write the layer, then time read(), to_dask().compute() and a one-plane compute."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="edge of the cubic layer (voxels)")
    parser.add_argument("--shard", type=int, default=256, help="shard edge (voxels, a multiple of 32)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="daedalus-bench-dask-") as tmp:
        layer = wk.Dataset(Path(tmp) / "ds", voxel_size=(1, 1, 1)).add_layer("color", wk.COLOR_CATEGORY)
        layer.bounding_box = wk.BoundingBox((0, 0, 0), (args.size,) * 3)
        mag = layer.add_mag(1, chunk_shape=32, shard_shape=args.shard)
        data = np.random.default_rng(0).integers(0, 255, (args.size,) * 3, dtype="uint8")
        mag.write(data, absolute_offset=(0, 0, 0))
        array = mag.to_dask()
        assert np.array_equal(array.compute(), mag.read())
        read = _best(args.repeats, mag.read)
        computed = _best(args.repeats, lambda: array.compute(scheduler="threads"))
        plane = _best(args.repeats, lambda: array[0, :, :, args.size // 2].compute(scheduler="threads"))
        print(f"layer {args.size}³ uint8, shards {args.shard}³, dask blocks {[len(c) for c in array.chunks]}")
        print(f"read()                    {read:8.3f} s")
        print(f"to_dask().compute()       {computed:8.3f} s  ({computed / read:.2f}× read)")
        print(f"one z plane via dask      {plane * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
