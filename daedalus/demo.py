"""The main job on built-in sample data: build a synthetic EM-like dataset, write it, read it back, report.

The demo writes only into a new or empty folder, or over its own earlier output: a folder holding the
marker file ``.daedalus-demo.json`` (which lists every file that run wrote) and nothing else. Any other
folder is refused and left untouched.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np

import daedalus as wk

MARKER_NAME = ".daedalus-demo.json"
_WRITTEN_BY = "daedalus demo"


class DemoTargetError(ValueError):
    """The demo's target folder holds data the demo did not write (or is not a folder); nothing was changed."""

    def __init__(self, target: Path, reason: str) -> None:
        self.target = target
        self.reason = reason
        example = f", e.g. `daedalus demo {target / 'daedalus-demo'}`" if target.is_dir() else ""
        super().__init__(f"{target} {reason}; nothing was changed. Choose a new or empty folder{example}.")


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


def _entries(target: Path) -> tuple[set[str], set[str], list[str]]:
    """Files and folders below ``target`` (relative POSIX paths, the marker excluded), and any symlinks."""
    files: set[str] = set()
    folders: set[str] = set()
    links: list[str] = []
    for root, dirnames, filenames in os.walk(target):
        base = Path(root).relative_to(target)
        for name in dirnames:
            relative = (base / name).as_posix()
            if os.path.islink(os.path.join(root, name)):
                links.append(relative)
            else:
                folders.add(relative)
        for name in filenames:
            relative = (base / name).as_posix()
            if os.path.islink(os.path.join(root, name)):
                links.append(relative)
            elif relative != MARKER_NAME:
                files.add(relative)
    return files, folders, links


def _recorded_files(target: Path) -> list[str] | None:
    """The files the marker in ``target`` says an earlier demo wrote, or None if there is no valid marker."""
    marker = target / MARKER_NAME
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(content, dict) or content.get("written_by") != _WRITTEN_BY:
        return None
    files = content.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    for name in files:
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts or name == MARKER_NAME:
            return None
    return files


def _foreign_summary(names: list[str]) -> str:
    """The outermost of ``names`` (a folder stands for what it holds), at most three, for a message."""
    given = set(names)
    outermost = sorted(n for n in given if not any(p.as_posix() in given for p in PurePosixPath(n).parents))
    shown = ", ".join(outermost[:3])
    return shown + (f" and {len(outermost) - 3} more" if len(outermost) > 3 else "")


def check_target(target: str | Path) -> list[str]:
    """The files of an earlier demo run that writing the demo to ``target`` replaces ([] for a new folder).

    Raises :class:`DemoTargetError` (and changes nothing) when ``target`` is a file, or a non-empty folder
    that is not exactly an earlier demo output: no valid marker, or anything (a file, a folder, a symlink)
    that the marker does not list.
    """
    target = Path(target).absolute()
    if not target.exists() and not target.is_symlink():
        return []
    if not target.is_dir():
        raise DemoTargetError(target, "is not a folder")
    files, folders, links = _entries(target)
    has_marker = (target / MARKER_NAME).exists() or (target / MARKER_NAME).is_symlink()
    if not files and not folders and not links and not has_marker:
        return []
    recorded = _recorded_files(target)
    if recorded is None:
        found = _foreign_summary(sorted(files | folders | set(links)) or [MARKER_NAME])
        raise DemoTargetError(
            target,
            f"is not empty and was not written by `daedalus demo` (no valid {MARKER_NAME}; it holds {found})",
        )
    allowed_folders = {parent.as_posix() for name in recorded for parent in PurePosixPath(name).parents} - {"."}
    foreign = sorted((files - set(recorded)) | (folders - allowed_folders) | set(links))
    if foreign:
        raise DemoTargetError(
            target, f"holds an earlier demo output plus files the demo did not write ({_foreign_summary(foreign)})"
        )
    return sorted(files)


def _remove_earlier_output(target: Path, files: list[str]) -> None:
    """Delete the listed files of an earlier run, then its folders once they are empty, then the marker."""
    folders: set[Path] = set()
    for name in files:
        path = target / name
        path.unlink(missing_ok=True)
        folders.update(parent for parent in path.parents if parent != target and target in parent.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    (target / MARKER_NAME).unlink(missing_ok=True)


def _write_marker(target: Path, files: list[str]) -> None:
    """Record (atomically) that the demo wrote ``files`` into ``target``."""
    content = {"written_by": _WRITTEN_BY, "daedalus_version": wk.__version__, "files": files}
    temporary = target / f"{MARKER_NAME}.tmp"
    temporary.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target / MARKER_NAME)


def _human_size(size: float) -> str:
    units = iter(("kB", "MB", "GB"))
    unit = "B"
    while size >= 1000 and unit != "GB":
        size, unit = size / 1000, next(units)
    return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"


def run_demo(target: str | Path, size: int = 256, echo: Callable[[str], None] = print) -> wk.Dataset:
    """Write the sample dataset to ``target`` and print what it holds, its size on disk and what to try next.

    ``target`` must be new, empty or an earlier demo output (which is replaced); otherwise
    :class:`DemoTargetError` is raised before anything is written.
    """
    target = Path(target)
    earlier = check_target(target)
    target.mkdir(parents=True, exist_ok=True)
    probe = target / f"{MARKER_NAME}.tmp"
    probe.write_text("", encoding="utf-8")  # fail on an unwritable target before the volume is synthesised
    probe.unlink()
    if earlier:
        _remove_earlier_output(target, earlier)
        echo(f"replaced the earlier demo output at {target} ({len(earlier)} files)")
    started = time.perf_counter()
    image, labels = synthetic_cells(size)
    echo(f"synthetic volume: {size}³ voxels, {int(labels.max())} cells ({time.perf_counter() - started:.2f} s)")

    dataset = wk.Dataset(target, voxel_size=(11.24, 11.24, 28.0))
    offset = (64, 64, 32)
    started = time.perf_counter()
    with warnings.catch_warnings():
        # the reference's notice that the second layer reuses the first one's mags is expected here
        warnings.filterwarnings("ignore", message=r".*The mag taken from another layer", category=UserWarning)
        dataset.write_layer("color", wk.COLOR_CATEGORY, image, absolute_offset=offset)
        dataset.write_layer("segmentation", wk.SEGMENTATION_CATEGORY, labels, absolute_offset=offset)
    seconds = time.perf_counter() - started
    raw_bytes = image.nbytes + labels.nbytes
    echo(f"wrote {raw_bytes / 1e6:.1f} MB as zarr3 (sharded, zstd) and downsampled it in {seconds:.2f} s")
    written, _, _ = _entries(target)
    _write_marker(target, sorted(written))

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
    disk_bytes = sum((target / name).stat().st_size for name in written)
    echo(
        f"size on disk: {_human_size(disk_bytes)} in {len(written)} files, all mags "
        f"(the raw voxels of mag 1 are {_human_size(raw_bytes)})"
    )
    echo(
        f"next: open it in Python with `import daedalus as wk; ds = wk.Dataset.open({str(target)!r})`, "
        f"or see `daedalus downsample --help` to build the mags of your own dataset"
    )
    return reopened
