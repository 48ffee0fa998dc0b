"""Benchmark: the tensorstore zarr3 adapter against raw tensorstore on the same array spec.

Writes then reads a 512x512x256 uint8 volume (chunk 32^3, shard 1024^3, zstd) and prints seconds and MB/s.
Run: ``python benchmarks/bench_storage_raw.py [--repeat N] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import tensorstore as ts
from daedalus.adapters.tensorstore_zarr import Zarr3Storage, reset_tensorstore_context
from daedalus.core.array_info import ArrayInfo

SHAPE = (1, 512, 512, 256)
CHUNK = (32, 32, 32)
SHARD = (1024, 1024, 1024)


def make_data() -> np.ndarray:
    """A smooth gradient plus a little noise: compressible but not trivially so."""
    rng = np.random.default_rng(0)
    x, y, z = np.meshgrid(*(np.arange(n, dtype=np.float32) for n in SHAPE[1:]), indexing="ij", sparse=True)
    smooth = 64 + 40 * np.sin(x / 37.0) + 40 * np.cos(y / 53.0) + 30 * np.sin(z / 29.0)
    noise = rng.integers(0, 8, size=SHAPE[1:], dtype=np.uint8)
    return (smooth.astype(np.uint8) + noise)[np.newaxis]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_adapter(root: Path, data: np.ndarray) -> tuple[float, float, float]:
    """Write, cold read (fresh shared context: nothing cached) and warm read (cache filled)."""
    info = ArrayInfo("zarr3", 1, np.uint8, CHUNK, SHARD, True, shape=SHAPE)
    array = Zarr3Storage().create(root / "adapter", info)
    write_s, _ = timed(lambda: array.write((0, 0, 0, 0), data))
    reset_tensorstore_context()
    reopened = Zarr3Storage().open(root / "adapter")
    read_s, out = timed(lambda: reopened.read((0, 0, 0, 0), SHAPE))
    assert np.array_equal(out, data)
    warm_s, out = timed(lambda: reopened.read((0, 0, 0, 0), SHAPE))
    assert np.array_equal(out, data)
    return write_s, read_s, warm_s


def bench_raw(root: Path, data: np.ndarray) -> tuple[float, float, float]:
    """Write and cold read with plain tensorstore (default context: no cache pool)."""
    metadata = {  # the layout the adapter writes (WEBKNOSSOS' sharded, compressed zarr3)
        "chunk_grid": {"configuration": {"chunk_shape": [1, *SHARD]}, "name": "regular"},
        "chunk_key_encoding": {"name": "default"},
        "codecs": [
            {
                "configuration": {
                    "chunk_shape": [1, *CHUNK],
                    "codecs": [
                        {"configuration": {"order": [3, 2, 1, 0]}, "name": "transpose"},
                        {"name": "bytes"},
                        {"configuration": {"checksum": True, "level": 5}, "name": "zstd"},
                    ],
                    "index_codecs": [{"configuration": {"endian": "little"}, "name": "bytes"}, {"name": "crc32c"}],
                },
                "name": "sharding_indexed",
            }
        ],
        "data_type": "uint8",
        "dimension_names": ["c", "x", "y", "z"],
        "fill_value": 0,
        "node_type": "array",
        "shape": list(SHAPE),
        "zarr_format": 3,
    }
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(root / "raw") + "/"}, "metadata": metadata}
    store = ts.open(spec, create=True).result()

    def write() -> None:
        with ts.Transaction() as txn:
            store.with_transaction(txn).write(data).result()

    write_s, _ = timed(write)
    reopened = ts.open({"driver": "zarr3", "kvstore": spec["kvstore"]}).result()
    read_s, out = timed(lambda: reopened.read(order="F").result())
    assert np.array_equal(out, data)
    return write_s, read_s, float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    args = parser.parse_args()
    data = make_data()
    megabytes = data.nbytes / 1e6
    print(f"volume {SHAPE[1:]} uint8 = {megabytes:.0f} MB, chunk {CHUNK}, shard {SHARD}, zstd level 5")
    results: dict[str, list[tuple[float, float, float]]] = {"daedalus adapter": [], "raw tensorstore": []}
    for _ in range(args.repeat):
        for name, bench in (("daedalus adapter", bench_adapter), ("raw tensorstore", bench_raw)):
            root = Path(tempfile.mkdtemp(dir=args.dir, prefix="bench_storage_"))
            try:
                results[name].append(bench(root, data))
            finally:
                shutil.rmtree(root, ignore_errors=True)
    for name, runs in results.items():
        write_s, read_s, warm_s = (min(r[i] for r in runs) for i in range(3))
        line = (
            f"{name:17s} write {write_s:6.3f} s ({megabytes / write_s:7.1f} MB/s)   "
            f"cold read {read_s:6.3f} s ({megabytes / read_s:7.1f} MB/s)"
        )
        if not np.isnan(warm_s):
            line += f"   warm read {warm_s:6.3f} s ({megabytes / warm_s:7.1f} MB/s)"
        print(line + f"   (best of {len(runs)})")


if __name__ == "__main__":
    main()
