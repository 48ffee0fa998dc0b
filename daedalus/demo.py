"""The main job on built-in sample data: build a synthetic EM-like dataset, write it, read it back, report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import daedalus as wk


def synthetic_cells(size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A (size³) uint8 image of blurred spherical "cells" with noise, and their uint32 label volume."""
    rng = np.random.default_rng(seed)
    count = max(4, size // 16)
    centers = rng.uniform(0, size, (count, 3))
    radii = rng.uniform(size / 16, size / 6, count)
    axis = np.arange(size, dtype=np.float32)
    labels = np.zeros((size, size, size), dtype=np.uint32)
    for label, (center, radius) in enumerate(zip(centers, radii), start=1):
        lo = np.maximum((center - radius).astype(int), 0)
        hi = np.minimum((center + radius).astype(int) + 1, size)
        dx, dy, dz = (axis[lo[i] : hi[i]] - center[i] for i in range(3))
        inside = dx[:, None, None] ** 2 + dy[None, :, None] ** 2 + dz[None, None, :] ** 2 <= radius**2
        region = labels[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        region[inside & (region == 0)] = label
    membrane = np.zeros_like(labels, dtype=bool)
    for dim in range(3):
        membrane |= np.diff(labels, axis=dim, prepend=0) != 0
    image = np.where(labels > 0, 170, 90).astype(np.float32)
    image[membrane] = 30
    image += rng.normal(0, 12, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8), labels


def run_demo(target: str | Path, size: int = 256, echo: Callable[[str], None] = print) -> wk.Dataset:
    """Write the sample dataset to ``target`` (replacing an earlier demo there) and print what it holds."""
    target = Path(target)
    if (target / "datasource-properties.json").exists():
        import shutil

        shutil.rmtree(target)
    started = time.perf_counter()
    image, labels = synthetic_cells(size)
    echo(f"synthetic volume: {size}³ voxels, {int(labels.max())} cells ({time.perf_counter() - started:.2f} s)")

    dataset = wk.Dataset(target, voxel_size=(11.24, 11.24, 28.0))
    offset = (64, 64, 32)
    started = time.perf_counter()
    color = dataset.write_layer("color", wk.COLOR_CATEGORY, image, absolute_offset=offset)
    segmentation = dataset.write_layer("segmentation", wk.SEGMENTATION_CATEGORY, labels, absolute_offset=offset)
    seconds = time.perf_counter() - started
    megabytes = (image.nbytes + labels.nbytes) / 1e6
    echo(f"wrote {megabytes:.1f} MB as zarr3 (sharded, zstd) and downsampled it in {seconds:.2f} s")

    reopened = wk.Dataset.open(target)
    started = time.perf_counter()
    read_back = reopened.get_layer("color").get_mag(1).read()
    echo(
        f"read back the color layer in {time.perf_counter() - started:.2f} s; identical: "
        f"{bool(np.array_equal(read_back[0], image))}"
    )
    segmentation = reopened.get_segmentation_layer("segmentation")
    on_disk = len(list(segmentation.get_mag(1).get_bounding_boxes_on_disk()))
    echo(f"dataset {reopened.name!r} at {target}")
    for layer in reopened.layers.values():
        mags = ", ".join(m.to_layer_name() for m in layer.mags)
        echo(f"  layer {layer.name}: {layer.category}, {layer.dtype}, box {layer.bounding_box}, mags {mags}")
    echo(f"  largest segment id {segmentation.largest_segment_id}; {on_disk} shard file(s) in mag 1")
    del color
    return reopened
