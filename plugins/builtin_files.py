"""Built-in plugin: registers the file transfer, zip and zarr group metadata adapters (standard library + fsspec)."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


@hookimpl
def daedalus_file_services() -> dict[str, Any]:
    """FileTransfer (shutil/fsspec), ZipArchives (zipfile) and the zarr3/zarr FormatMetadata adapters."""
    from daedalus.adapters.fsspec_files import FsspecFileTransfer
    from daedalus.adapters.zarr_group_files import Zarr2GroupMetadata, Zarr3GroupMetadata
    from daedalus.adapters.zip_archives import ZipfileArchives

    return {
        "file_transfer": FsspecFileTransfer(),
        "zip_archives": ZipfileArchives(),
        "format_metadata": {adapter.data_format: adapter for adapter in (Zarr3GroupMetadata(), Zarr2GroupMetadata())},
    }
