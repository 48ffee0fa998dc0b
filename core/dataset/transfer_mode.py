"""TransferMode: how mags or attachments get to their destination (copy, move + symlink, symlink, http)."""

from __future__ import annotations

import os
from enum import Enum
from typing import Any

from .. import ports
from .paths import is_local, local_path, to_upath


def copy_tree(src: Any, dst: Any, progress_desc: str | None = None) -> None:
    """Copy the file or folder ``src`` to ``dst`` (which must not exist yet) on any pair of file systems.

    Local to local uses the operating system's fast file copy; other pairs move the bytes through fsspec.
    """
    src, dst = to_upath(src), to_upath(dst)
    if not src.exists():
        raise FileNotFoundError(f"Cannot copy {src}: it does not exist.")
    ports.file_transfer().copy_tree(src, dst, progress_desc)


def remove_path(path: Any) -> None:
    """Delete a file or folder (local or fsspec) if it exists."""
    ports.file_transfer().remove(to_upath(path))


class TransferMode(str, Enum):
    """How mags or attachments are transferred to local (or remote) storage."""

    COPY = "copy"
    MOVE_AND_SYMLINK = "move+symlink"
    SYMLINK = "symlink"
    HTTP = "http"

    def __str__(self) -> str:
        return self.value

    def transfer(self, src_path: Any, dst_path: Any, progress_desc_label: str | None = None) -> None:
        """Transfer ``src_path`` to ``dst_path`` the way this mode says."""
        if self is TransferMode.COPY:
            self.copy(src_path, dst_path, progress_desc_label)
        elif self is TransferMode.MOVE_AND_SYMLINK:
            self.move_and_symlink(src_path, dst_path)
        elif self is TransferMode.SYMLINK:
            self.symlink(src_path, dst_path)
        else:
            raise ValueError(
                f"TransferMode.HTTP streams data to a WEBKNOSSOS server during upload; it cannot transfer "
                f"{src_path} to {dst_path}. Use COPY, MOVE_AND_SYMLINK or SYMLINK for local transfers."
            )

    def copy(self, src_path: Any, dst_path: Any, progress_desc_label: str | None = None) -> None:
        """Copy the file or folder ``src_path`` to ``dst_path`` (any file systems)."""
        copy_tree(src_path, dst_path, progress_desc_label)

    def move_and_symlink(self, src_path: Any, dst_path: Any) -> None:
        """Move ``src_path`` to ``dst_path`` and leave a symbolic link to the new place at ``src_path``."""
        src, dst = _local_pair(src_path, dst_path, "move+symlink")
        ports.file_transfer().move(src, dst)
        os.symlink(os.path.abspath(dst), src, target_is_directory=dst.is_dir())

    def symlink(self, src_path: Any, dst_path: Any) -> None:
        """Create ``dst_path`` as a symbolic link to ``src_path``."""
        src, dst = _local_pair(src_path, dst_path, "symlink")
        if not src.exists():
            raise FileNotFoundError(f"Cannot link to {src}: it does not exist.")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.abspath(src), dst, target_is_directory=src.is_dir())


def _local_pair(src_path: Any, dst_path: Any, mode: str) -> tuple[Any, Any]:
    src, dst = to_upath(src_path), to_upath(dst_path)
    if not (is_local(src) and is_local(dst)):
        raise ValueError(
            f"TransferMode {mode!r} needs local paths, got {src} and {dst}; use TransferMode.COPY for "
            "other file systems."
        )
    return local_path(src), local_path(dst)
