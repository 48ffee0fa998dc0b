"""Decompressing cloud-volume's ``<chunk>.gz`` files of a local precomputed volume into a staging folder.

tensorstore reads a precomputed chunk from ``<chunk>``; cloud-volume's default ``compress`` stores it as
``<chunk>.gz`` on local disks. A staged copy with plain chunk files (any encoding inside) can then be read.
"""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
from upath import UPath

from ... import ports
from ...dataset.paths import to_upath
from .model import ForeignVolume, ForeignVolumeError


def _stage_file(source: Path, target_folder: Path) -> None:
    if source.name.endswith(".gz"):
        try:
            with gzip.open(source, "rb") as compressed, open(target_folder / source.name[:-3], "wb") as plain:
                ports.file_transfer().copy_stream(compressed, plain, 1 << 20)
        except (OSError, EOFError) as error:
            raise ForeignVolumeError(f"Cannot decompress the chunk file {source}: {error}", path=source) from error
    else:
        ports.file_transfer().copy_file(source, target_folder / source.name)


def stage_decompressed(volume: ForeignVolume, staging: Path) -> ForeignVolume:
    """A copy of the precomputed ``volume`` under ``staging`` with every ``.gz`` chunk file decompressed.

    The ``info`` and the scales' other files are copied as they are; the returned volume names the staged scales.
    Files are decompressed on threads (zlib releases the GIL).
    """
    source_root = Path(volume.source.path)
    staging.mkdir(parents=True, exist_ok=True)
    ports.file_transfer().copy_file(source_root / "info", staging / "info")
    jobs = []
    for scale in volume.scales:
        folder = Path(scale.path.path)
        target_folder = staging / folder.name
        target_folder.mkdir(exist_ok=True)
        if folder.is_dir():
            jobs.extend((entry.path, target_folder) for entry in os.scandir(folder) if entry.is_file())
    with ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1))) as pool:
        for _ in pool.map(lambda job: _stage_file(Path(job[0]), job[1]), jobs):
            pass
    root: UPath = to_upath(staging)
    scales = tuple(attrs.evolve(scale, path=root / scale.path.name) for scale in volume.scales)
    return attrs.evolve(volume, source=root, scales=scales, gzipped_scales=())
