"""Benchmark whole-volume zarr3 writes and reads against the codec's own limit (cores × one-thread zstd-5 rate).

A 1024×1024×512 uint8 EM-like volume (the smooth blobs plus fine noise of ``synthetic_volumes.em_volume``, as in
``bench_dataset_io``) is stored as zarr3 with 32³ chunks in 1024³ shards, zstd level 5 (WEBKNOSSOS' layout).
Every repeat measures, in the same process and one after the other:

- the codec limit: one thread compressing and decompressing a sample of the benchmark's own chunks with zstd
  level 5 (numcodecs, the zstd library the dev environment has; the chunk bytes are those tensorstore encodes),
  times the number of cores; measured once at the start of the repeat and again just before each whole-volume
  write and read, whose share of the limit is taken against that adjacent measurement (this machine's
  one-thread rate drifts by up to 1.5x within a minute);
- daedalus ``MagView.write`` of the whole volume and a full ``MagView.read``, and raw tensorstore (its default
  context, one transaction) with the same codecs, as MB/s and as % of the limit;
- 100 random 64³ reads (daedalus and raw tensorstore, fresh handles and caches);
- zarr3 → zarr3 recompression (``Dataset.copy_dataset`` to 512³ shards: every chunk decoded and encoded again)
  and ``Layer.downsample`` to Mag 8 (mags 2, 4, 8), daedalus only;
- the recompression and the downsampling once more with daedalus as it was before issue 19 (``code_before``:
  stages in turn, padded reads copied, the old median network), for speed-ups within the same repeat.

Besides wall time the table gives the process CPU seconds, the cores they amount to, and "codec % of CPU":
the seconds one thread needs for the codec work alone (at the measured one-thread CPU rate) as a share of
the CPU seconds the operation spent: on a loaded machine wall-clock shares of the limit fall with the load,
this share does not. The load average is printed before every repeat; read ratios within one repeat.
``--small`` runs a 512×512×256 volume.

    python benchmarks/bench_codec_limit.py --repeats 3
    python benchmarks/bench_codec_limit.py --small --repeats 1 --skip-downsample
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from synthetic_volumes import em_volume, random_offsets

FULL_SHAPE = (1024, 1024, 512)
SMALL_SHAPE = (512, 512, 256)
CHUNK = 32
SHARD = 1024
RECOMPRESS_SHARD = 512
ZSTD_LEVEL = 5
RANDOM_READS = 100
RANDOM_EDGE = 64
SEED = 20240611
LIMIT_SAMPLE_BYTES = 96 * 1024 * 1024  # chunks compressed/decompressed by one thread to measure the limit


# --------------------------------------------------------------------------- the codec limit


def sample_chunks(volume: np.ndarray, budget: int = LIMIT_SAMPLE_BYTES) -> list[bytes]:
    """Evenly spread chunks of ``volume`` as the stored bytes (x fastest), at most ``budget`` bytes in all."""
    grid = [s // CHUNK for s in volume.shape]
    total = int(np.prod(grid))
    step = max(1, -(-total * CHUNK**3 // budget))
    chunks = []
    for flat in range(0, total, step):
        x, y, z = np.unravel_index(flat, grid)
        box = volume[x * CHUNK : (x + 1) * CHUNK, y * CHUNK : (y + 1) * CHUNK, z * CHUNK : (z + 1) * CHUNK]
        chunks.append(np.ascontiguousarray(box.T).tobytes())
    return chunks


def codec_limit(chunks: list[bytes]) -> dict[str, float]:
    """One thread's zstd-5 compress and decompress rates (MB/s of raw chunk bytes, wall and thread CPU)."""
    from numcodecs import Zstd

    codec = Zstd(level=ZSTD_LEVEL, checksum=True)
    raw_mb = sum(len(c) for c in chunks) / 1e6
    wall, cpu = time.perf_counter(), time.thread_time()
    encoded = [codec.encode(c) for c in chunks]
    compress_wall, compress_cpu = time.perf_counter() - wall, time.thread_time() - cpu
    wall, cpu = time.perf_counter(), time.thread_time()
    for blob in encoded:
        codec.decode(blob)
    decompress_wall, decompress_cpu = time.perf_counter() - wall, time.thread_time() - cpu
    return {
        "compress": raw_mb / compress_wall,
        "decompress": raw_mb / decompress_wall,
        "compress_cpu": raw_mb / compress_cpu,
        "decompress_cpu": raw_mb / decompress_cpu,
        "ratio": sum(len(b) for b in encoded) / (raw_mb * 1e6),
    }


# --------------------------------------------------------------------------- raw tensorstore


def zarr3_metadata(shape: tuple[int, int, int], shard: int = SHARD) -> dict[str, Any]:
    """WEBKNOSSOS' compressed zarr3 layout for a (c, x, y, z) uint8 array."""
    return {
        "shape": [1, *shape],
        "data_type": "uint8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, shard, shard, shard]}},
        "chunk_key_encoding": {"name": "default"},
        "fill_value": 0,
        "codecs": [
            {
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": [1, CHUNK, CHUNK, CHUNK],
                    "codecs": [
                        {"name": "transpose", "configuration": {"order": [3, 2, 1, 0]}},
                        {"name": "bytes"},
                        {"name": "zstd", "configuration": {"level": ZSTD_LEVEL, "checksum": True}},
                    ],
                    "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                },
            }
        ],
        "dimension_names": ["c", "x", "y", "z"],
        "node_type": "array",
        "zarr_format": 3,
    }


def tensorstore_write(path: Path, volume: np.ndarray) -> None:
    """The whole volume in one tensorstore transaction (fresh default context)."""
    import tensorstore as ts

    spec = {
        "driver": "zarr3",
        "kvstore": {"driver": "file", "path": str(path)},
        "metadata": zarr3_metadata(volume.shape),
    }
    store = ts.open(spec, create=True, delete_existing=True, context=ts.Context()).result()
    with ts.Transaction() as transaction:
        store.with_transaction(transaction)[0].write(volume).result()


def tensorstore_open(path: Path) -> Any:
    """A fresh handle (and context: nothing cached) on the array at ``path``."""
    import tensorstore as ts

    return ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(path)}}, context=ts.Context()).result()


# --------------------------------------------------------------------------- daedalus


def daedalus_write(path: Path, volume: np.ndarray) -> Any:
    """A new dataset with one zarr3 color layer; the whole volume in one ``MagView.write``."""
    import daedalus as wk

    dataset = wk.Dataset(path, voxel_size=(1, 1, 1))
    layer = dataset.add_layer(
        "color",
        wk.COLOR_CATEGORY,
        dtype="uint8",
        data_format="zarr3",
        bounding_box=wk.BoundingBox((0, 0, 0), volume.shape),
    )
    mag = layer.add_mag(1, chunk_shape=CHUNK, shard_shape=SHARD, compress=True)
    mag.write(volume, absolute_offset=(0, 0, 0))
    return dataset


def daedalus_mag(path: Path) -> Any:
    """Mag 1 of the dataset at ``path``, opened afresh with an empty chunk cache."""
    from daedalus.adapters.tensorstore_zarr import reset_tensorstore_context

    import daedalus as wk

    reset_tensorstore_context()
    return wk.Dataset.open(path).get_layer("color").get_mag(1)


# --------------------------------------------------------------------------- running


class Timer:
    """Wall and process CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_repeat(
    repeat: int, work: Path, volume: np.ndarray, chunks: list[bytes], args: argparse.Namespace
) -> dict[str, Any]:
    """One repeat of every measurement; returns seconds (wall, cpu) per operation and the limit."""
    results: dict[str, Any] = {"load": os.getloadavg()[0], "limit": codec_limit(chunks)}
    offsets = random_offsets(volume.shape, RANDOM_READS, RANDOM_EDGE, SEED)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    def measure(name: str, fn: Callable[[], Any]) -> Any:
        if _codec_of(name):  # the limit of this very moment: the machine's speed drifts between operations
            results[f"{name} limit"] = codec_limit(chunks)
        with Timer() as timer:
            value = fn()
        results[name] = (timer.wall, timer.cpu)
        return value

    def write_and_read_daedalus() -> None:
        measure("daedalus write", lambda: daedalus_write(work / "ds", volume))
        mag = daedalus_mag(work / "ds")
        full = measure("daedalus read", lambda: mag.read())
        assert np.array_equal(full[0], volume), "daedalus full read differs from the written volume"

    def write_and_read_tensorstore() -> None:
        measure("tensorstore write", lambda: tensorstore_write(work / "ts", volume))
        store = tensorstore_open(work / "ts")
        full = measure("tensorstore read", lambda: store.read(order="F").result())
        assert np.array_equal(full[0], volume), "tensorstore full read differs from the written volume"

    # the first large write of a process pays for growing its heap: who goes first alternates between repeats
    pair = (write_and_read_daedalus, write_and_read_tensorstore)
    for step in pair if repeat % 2 else reversed(pair):
        step()
    mag = daedalus_mag(work / "ds")
    size = (RANDOM_EDGE,) * 3
    ours = measure("daedalus random 64³", lambda: [mag.read(absolute_offset=o, size=size) for o in offsets])
    store = tensorstore_open(work / "ts")
    e = RANDOM_EDGE
    theirs = measure(
        "tensorstore random 64³",
        lambda: [store[0, a : a + e, b : b + e, c : c + e].read(order="F").result() for a, b, c in offsets],
    )
    assert all(np.array_equal(a[0], b) for a, b in zip(ours, theirs)), "random reads differ"
    del ours, theirs
    for current in (False, True):
        with code_before(not current):
            run_rewrites(work, volume, args, measure, "" if current else " (before)")
    shutil.rmtree(work, ignore_errors=True)
    return results


def run_rewrites(work: Path, volume: np.ndarray, args: argparse.Namespace, measure: Callable, label: str) -> None:
    """Time the recompression and the downsampling of the dataset at ``work / "ds"``; check and undo them."""
    import daedalus as wk

    if not args.skip_recompress:
        source, target = wk.Dataset.open(work / "ds"), work / "copy"
        copy = partial(source.copy_dataset, target, data_format="zarr3", shard_shape=RECOMPRESS_SHARD)
        measure(f"daedalus recompress{label}", copy)
        copied = wk.Dataset.open(target).get_layer("color").get_mag(1)
        assert np.array_equal(copied.read()[0], volume), "the recompressed copy differs"
        shutil.rmtree(target)
    if not args.skip_downsample:
        layer = wk.Dataset.open(work / "ds").get_layer("color")
        measure(f"daedalus downsample{label}", partial(layer.downsample, coarsest_mag=8, sampling_mode="isotropic"))
        assert sorted(m.to_list() for m in layer.mags) == [[1, 1, 1], [2, 2, 2], [4, 4, 4], [8, 8, 8]]
        for mag in (2, 4, 8):
            layer.delete_mag(mag)


def _transposition_network(n: int, ranks: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """The odd-even transposition sort the median kernel used before (all n*(n-1)/2 comparators)."""
    return tuple((i, i + 1, True, True) for r in range(n) for i in range(r % 2, n - 1, 2))


@contextmanager
def code_before(enabled: bool) -> Iterator[None]:
    """With ``enabled``: daedalus as before issue 19, restored for the block (the same run measures both).

    Copies and downsampling read, compute and write in turn; padded reads are copied into the result; the
    median kernel sorts with odd-even transposition; tensorstore decodes large reads (no own shard reader).
    """
    if not enabled:
        yield
        return
    from daedalus.adapters.tensorstore_zarr import array as zarr_array
    from daedalus.core.dataset import array_copy
    from daedalus.core.sampling import block_pipeline, small_blocks

    names = [
        (block_pipeline, "default_depth", lambda: 0),
        (array_copy, "_PREFETCH_BYTES", -1),
        (zarr_array, "_DIRECT_READ_BYTES", 1 << 62),
        (small_blocks, "selection_network", _transposition_network),
        (zarr_array, "_OWN_DECODE_BYTES", 1 << 62),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in names]
    for module, name, value in names:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _codec_of(name: str) -> str | None:
    """Which codec limit a whole-volume operation is measured against (None for the others)."""
    if name.endswith("write"):
        return "compress"
    if name.endswith("read"):
        return "decompress"
    return None


def report(repeat: int, results: dict[str, Any], megabytes: float, cores: int) -> None:
    """Print one repeat: MB/s, % of the codec limit, CPU seconds and cores used per operation."""
    limit = results["limit"]
    compress_limit, decompress_limit = cores * limit["compress"], cores * limit["decompress"]
    print(
        f"\nrepeat {repeat}: load {results['load']:.2f}; one thread zstd-{ZSTD_LEVEL}: compress "
        f"{limit['compress']:.0f} MB/s (CPU {limit['compress_cpu']:.0f}), decompress {limit['decompress']:.0f} MB/s "
        f"(CPU {limit['decompress_cpu']:.0f}), ratio {limit['ratio']:.2f}; limit ({cores} cores): compress "
        f"{compress_limit:.0f} MB/s, decompress {decompress_limit:.0f} MB/s"
    )
    header = f"  {'operation':28s} {'wall s':>8s} {'CPU s':>8s} {'cores':>6s} {'MB/s':>8s} {'% limit':>8s}"
    print(header + f" {'codec % of CPU':>15s}")
    for name, value in results.items():
        if name in ("load", "limit") or name.endswith(" limit"):
            continue
        wall, cpu = value
        rate = megabytes / wall
        share = codec_share = ""
        key = _codec_of(name)
        if key:
            own = results[f"{name} limit"]  # measured just before the operation
            share = f"{100 * rate / (cores * own[key]):7.0f}%"
            codec_share = f"{100 * megabytes / own[key + '_cpu'] / cpu:14.0f}%"  # codec CPU s / CPU s spent
            name = f"{name} (limit {cores * own[key]:.0f})"
        rate_text = f"{rate:8.0f}" if "random" not in name else f"{'':8s}"
        print(f"  {name:28s} {wall:8.3f} {cpu:8.3f} {cpu / wall:6.2f} {rate_text} {share:>8s} {codec_share:>15s}")


def summary(all_results: list[dict[str, Any]], megabytes: float, cores: int) -> None:
    """Median over the repeats of each repeat's own ratios."""
    print(f"\nmedian of {len(all_results)} repeat(s) (each ratio taken within its own repeat):")
    for name in all_results[0]:
        if name in ("load", "limit") or name.endswith(" limit"):
            continue
        key = _codec_of(name)
        if key:
            shares = [megabytes / r[name][0] / (cores * r[f"{name} limit"][key]) for r in all_results]
            print(f"  {name:28s} {100 * statistics.median(shares):5.0f}% of the {key} limit")
        else:
            print(f"  {name:28s} {statistics.median(r[name][0] for r in all_results):6.3f} s")
    ratio = [r["daedalus random 64³"][0] / r["tensorstore random 64³"][0] for r in all_results]
    print(f"  random 64³ reads: daedalus / tensorstore time {statistics.median(ratio):.2f}")
    for name in ("daedalus recompress", "daedalus downsample"):
        if name in all_results[0]:
            speedups = [r[f"{name} (before)"][0] / r[name][0] for r in all_results]
            print(
                f"  {name}: {statistics.median(speedups):.2f}x faster than before (each repeat: "
                f"{', '.join(f'{v:.2f}' for v in speedups)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help=f"a {SMALL_SHAPE} volume instead of {FULL_SHAPE}")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    parser.add_argument("--skip-downsample", action="store_true")
    parser.add_argument("--skip-recompress", action="store_true")
    args = parser.parse_args()
    shape = SMALL_SHAPE if args.small else FULL_SHAPE
    cores = os.cpu_count() or 1
    start = time.perf_counter()
    volume = em_volume(shape, SEED)
    chunks = sample_chunks(volume)
    megabytes = volume.nbytes / 1e6
    print(
        f"volume {shape} uint8 = {megabytes:.0f} MB, chunk {CHUNK}³, shard {SHARD}³, zstd {ZSTD_LEVEL}; {cores} cores; "
        f"limit sample {len(chunks)} chunks; data made in {time.perf_counter() - start:.1f} s"
    )
    scratch = Path(tempfile.mkdtemp(dir=args.dir, prefix="bench_codec_limit_"))
    all_results = []
    try:
        for repeat in range(1, args.repeats + 1):
            results = run_repeat(repeat, scratch / "work", volume, chunks, args)
            report(repeat, results, megabytes, cores)
            all_results.append(results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary(all_results, megabytes, cores)


if __name__ == "__main__":
    main()
