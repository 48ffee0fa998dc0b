"""Compressing and rechunking mags, in place (write next to it, then swap) or into a new array."""

from __future__ import annotations

import os
import uuid
from typing import Any

from ..properties import DataFormat
from .array_copy import copy_mag_array, is_file_copy, mag_folder_is_free, target_layout
from .locations import check_writable_location
from .paths import is_local, local_path, to_upath
from .transfer_mode import remove_path


def rechunk_mag(
    mag_view: Any,
    *,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    compress: Any = None,
    target_path: Any = None,
    executor: Any = None,
    progress_desc: str | None = None,
) -> None:
    """Rewrite ``mag_view``'s array with a new chunk/shard shape or compression (see ``MagView.rechunk``).

    With ``target_path`` the new array is written there and the mag stays as it is. In place (local only),
    the new array is written next to the old one, then swapped in: the old folder is renamed away, the new
    one renamed into its place, and the old one deleted.
    """
    info = mag_view.info
    fmt = mag_view.data_format
    chunk, shard, compression = target_layout(info, fmt, chunk_shape, shard_shape, None, compress)
    bbox = mag_view.bounding_box
    layout = dict(data_format=fmt, target_bbox=bbox, chunk=chunk, shard=shard, compression=compression)
    if target_path is not None:
        target = to_upath(target_path)
        check_writable_location(target, fmt)
        if not mag_folder_is_free(target):
            raise FileExistsError(f"Cannot write the rechunked mag to {target}: it already holds files.")
        try:
            copy_mag_array(
                mag_view, target, executor=executor, progress_desc=progress_desc, force_recode=True, **layout
            )
        except BaseException:
            remove_path(target)
            raise
        return
    if is_file_copy(info, fmt, chunk, shard, compression):
        return  # already stored this way
    mag_view.check_writable()
    path = mag_view.path
    if not is_local(path):
        raise ValueError(
            f"Rechunking or compressing {path} in place works only on the local file system; pass target_path "
            "to write the result elsewhere."
        )
    folder = local_path(path)
    token = uuid.uuid4().hex[:8]
    fresh = folder.with_name(f".{folder.name}.rechunk-{token}")
    stale = folder.with_name(f".{folder.name}.old-{token}")
    try:
        copy_mag_array(
            mag_view, to_upath(fresh), executor=executor, progress_desc=progress_desc, force_recode=True, **layout
        )
    except BaseException:
        remove_path(to_upath(fresh))
        raise
    os.rename(folder, stale)
    os.rename(fresh, folder)
    remove_path(to_upath(stale))
    mag_view.forget_array()
    _update_cube_length(mag_view, shard.x)


def _update_cube_length(mag_view: Any, cube_length: int) -> None:
    try:
        layer = mag_view.layer
    except RuntimeError:  # a MagView sent to another process: its layer's properties are not here
        return
    if layer.data_format == DataFormat.WKW:
        layer.set_cube_length(mag_view.mag, cube_length)


def compress_mag(mag_view: Any, *, target_path: Any = None, executor: Any = None) -> None:
    """Compress ``mag_view``'s data in place or into ``target_path`` (see ``MagView.compress``)."""
    rechunk_mag(
        mag_view,
        compress=True,
        target_path=target_path,
        executor=executor,
        progress_desc=f"Compressing {mag_view.path}",
    )


def compress_dataset(dataset: Any, *, executor: Any = None) -> None:
    """Compress every uncompressed mag of ``dataset`` stored in its own folders."""
    dataset.check_writable()
    for layer in dataset.layers.values():
        for mag_view in layer.mags.values():
            if not layer.is_mag_view_foreign(mag_view) and not mag_view.info.compression_mode:
                compress_mag(mag_view, executor=executor)
