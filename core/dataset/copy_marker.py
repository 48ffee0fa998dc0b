"""Marking folders a copy is still filling, so a retry after a killed copy can replace what it left.

A copy (``copy_dataset``, ``add_layer_as_copy``, ``add_mag_as_copy``) writes ``.daedalus-incomplete-copy``
into the folder it creates before anything else and removes it only after the copy is registered in the
properties. A process killed in between (``kill -9``, a lost node) leaves the marker behind: the folder is
provably an interrupted copy, holds nothing but copied data, and the same call replaces it. A folder without
the marker may be a user's data and is never deleted without ``exists_ok=True``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from .array_copy import mag_folder_is_free
from .paths import is_local, local_path, to_upath
from .transfer_mode import remove_path

__all__ = [
    "MARKER_NAME",
    "claim_copy_target",
    "finish_copy",
    "is_interrupted_copy",
    "remove_interrupted_copy",
    "start_copy",
]

MARKER_NAME = ".daedalus-incomplete-copy"


def is_interrupted_copy(folder: Any) -> bool:
    """Whether ``folder`` holds the marker of a copy that never finished."""
    return (to_upath(folder) / MARKER_NAME).is_file()


def start_copy(folder: Any, source: Any) -> None:
    """Create ``folder`` (if needed) and write the marker into it, before any data is copied."""
    folder = to_upath(folder)
    note = {
        "note": "daedalus is copying data into this folder, or a copy was interrupted. The same copy call "
        "replaces this folder; delete the folder if the copy is no longer wanted.",
        "source": str(source),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "pid": os.getpid(),
    }
    if is_local(folder):
        local_path(folder).mkdir(parents=True, exist_ok=True)
    else:
        folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER_NAME).write_text(json.dumps(note, indent=2))


def finish_copy(folder: Any) -> None:
    """Remove the marker: the copy in ``folder`` is complete and registered."""
    remove_path(to_upath(folder) / MARKER_NAME)


def remove_interrupted_copy(folder: Any) -> None:
    """Delete the interrupted copy ``folder``, its marker last (a retry killed mid-way can still retry)."""
    folder = to_upath(folder)
    if is_local(folder):
        root = local_path(folder)
        for child in root.iterdir():
            if child.name != MARKER_NAME:
                remove_path(child)
    else:
        marker = folder.fs._strip_protocol((folder / MARKER_NAME).path)
        for file in folder.fs.find(folder.path):
            if folder.fs._strip_protocol(file) != marker:
                folder.fs.rm_file(file)
    remove_path(folder)


def claim_copy_target(folder: Any, action: str, exists_ok: bool) -> None:
    """Make ``folder`` free for a copy: absent or empty is fine, an interrupted copy is replaced.

    Any other content is deleted with ``exists_ok`` and refused otherwise with a FileExistsError naming the
    folder (its files stay untouched). ``action`` opens the message (``"Copying layer 'color'"``).
    """
    if mag_folder_is_free(folder):
        return
    if is_interrupted_copy(folder):
        remove_interrupted_copy(folder)
        return
    if exists_ok:
        remove_path(folder)
        return
    raise FileExistsError(
        f"{action} failed: {folder} already holds files, and they are not an interrupted copy (there is no "
        f"{MARKER_NAME} in it). Move or delete that folder, choose another name, or pass exists_ok=True to "
        "replace it."
    )
