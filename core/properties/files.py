"""Reading and (atomically) writing a dataset's ``datasource-properties.json`` on local or remote paths."""

from __future__ import annotations

import os
import tempfile
from os import PathLike
from pathlib import Path
from typing import Any

from upath import UPath

from .. import ports
from .codec import dataset_properties_from_json, dataset_properties_to_text
from .conditional_writes import read_versioned, supports_conditional_writes
from .dataset import DatasetProperties

PROPERTIES_FILE_NAME = "datasource-properties.json"
_LOCAL_PROTOCOLS = ("", "file", "local")


def _new_file_mode() -> int:
    mask = os.umask(0o022)  # read once at import: os.umask can only be read by setting it
    os.umask(mask)
    return 0o666 & ~mask


_NEW_FILE_MODE = _new_file_mode()


def properties_file_path(path: str | PathLike | UPath) -> Any:
    """The properties file of ``path``: ``path`` itself if it names a ``.json`` file, else the file in it."""
    path = path if isinstance(path, (Path, UPath)) else UPath(os.fspath(path))
    return path if path.name.endswith(".json") else path / PROPERTIES_FILE_NAME


def new_file_mode() -> int:
    """The permission bits a new file gets under the process's umask (read at import)."""
    return _NEW_FILE_MODE


def local_properties_path(path: Any) -> Path | None:
    """A plain pathlib.Path for a local path, None for an fsspec (remote or memory) path."""
    if isinstance(path, UPath) and getattr(path, "protocol", "") not in _LOCAL_PROTOCOLS:
        return None
    if isinstance(path, UPath) and not isinstance(path, Path):
        return Path(path.path)
    return Path(path)


def read_dataset_properties(path: str | PathLike | UPath) -> DatasetProperties:
    """Read the properties of the dataset at ``path`` (the dataset directory or the json file itself).

    Raises FileNotFoundError naming the file if it is absent, DatasetPropertiesError if it is malformed.
    """
    file = properties_file_path(path)
    try:
        if supports_conditional_writes(file):
            # one GET: s3fs's file reads pin the ETag of a HEAD and fail if another writer replaced the file since
            data = read_versioned(file)[0]
            if data is None:
                raise FileNotFoundError(file)
        else:
            data = file.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"No {PROPERTIES_FILE_NAME} at {file}; is this a dataset directory?") from None
    return dataset_properties_from_json(data, file)


def write_dataset_properties(path: str | PathLike | UPath, properties: DatasetProperties) -> None:
    """Write ``properties`` to the dataset at ``path`` (directory or json file).

    Local files are replaced atomically (temporary file in the same directory, then rename), so readers
    never see half a file; fsspec paths (object stores, http, memory) are written directly. This replaces
    the whole file: to change a dataset that others may change too, use ``update_dataset_properties``.
    """
    file = properties_file_path(path)
    write_text_atomically(file, dataset_properties_to_text(properties))


def write_text_atomically(file: Any, text: str) -> None:
    """Write ``text`` to ``file``: locally via a temporary file in the same folder, fsync and rename (readers and
    a killed writer never leave half a file); fsspec paths (object stores, http, memory) are written directly."""
    local = local_properties_path(file)
    if local is None:
        file.write_text(text, encoding="utf-8")
        return
    handle, temporary = tempfile.mkstemp(prefix=f".{local.name}.", suffix=".tmp", dir=local.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, local.stat().st_mode & 0o777 if local.exists() else _NEW_FILE_MODE)
        ports.file_transfer().replace(temporary, local)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
