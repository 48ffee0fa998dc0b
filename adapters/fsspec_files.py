"""The FileTransfer adapter: copying, moving and deleting files and folders on local disks and fsspec locations.

Local paths use the operating system (``shutil``, ``os.replace``); other pairs move the bytes through the paths'
fsspec file systems. Core asks for this through ``ports.file_transfer()`` and never touches ``shutil`` itself.
"""

from __future__ import annotations

import errno
import os
import shutil
import weakref
from pathlib import Path
from typing import IO, Any

from daedalus.core import ports
from upath import UPath

_LOCAL = ("", "file", "local")
_BATCH_FILES = 64
_STREAM_BLOCK = 16 * 1024**2


def _is_local(path: Any) -> bool:
    return not isinstance(path, UPath) or getattr(path, "protocol", "") in _LOCAL


def _local(path: Any) -> Path:
    return Path(path.path) if isinstance(path, UPath) else Path(path)


def _upath(path: Any) -> UPath:
    if isinstance(path, UPath):
        return path
    return UPath(os.fspath(path) if isinstance(path, os.PathLike) else path)


def _fs_path(path: UPath) -> str:
    """The path of ``path`` inside its file system, in the form that file system's listings use."""
    return str(path.fs._strip_protocol(path.path))


class FsspecFileTransfer:
    """Implements the FileTransfer port with ``shutil``/``os`` for local paths and fsspec for the rest."""

    name = "fsspec"

    def copy_tree(
        self,
        source: Any,
        target: Any,
        progress_desc: str | None = None,
        *,
        merge: bool = True,
        is_folder: bool | None = None,
    ) -> None:
        """Copy the file or folder ``source`` to ``target``; ``merge=False`` refuses an existing local target.

        ``is_folder`` tells a remote source's kind when the caller knows it (over http a folder URL reads as a file).
        """
        src, dst = _upath(source), _upath(target)
        if _is_local(src) and _is_local(dst):
            origin, destination = _local(src), _local(dst)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, destination, symlinks=False, dirs_exist_ok=merge)
            else:
                shutil.copy2(origin, destination)
            return
        single_file = src.is_file() if is_folder is None else not is_folder
        if single_file:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
            return
        root = _fs_path(src).rstrip("/") + "/"
        files = [p for p in src.fs.find(src.path) if str(p).startswith(root)]
        with ports.progress(progress_desc, len(files)) as progress:
            for start in range(0, len(files), _BATCH_FILES):
                batch = files[start : start + _BATCH_FILES]
                for name, data in src.fs.cat(batch).items():
                    destination = dst / str(src.fs._strip_protocol(name))[len(root) :]
                    if _is_local(destination):
                        _local(destination).parent.mkdir(parents=True, exist_ok=True)
                        _local(destination).write_bytes(data)
                    else:
                        destination.fs.pipe_file(destination.path, data)
                progress.advance(len(batch))

    def copy_file(self, source: Any, target: Any) -> None:
        """Copy one file (contents only) from ``source`` to ``target``, local or remote."""
        if _is_local(source) and _is_local(target):
            shutil.copyfile(_local(source), _local(target))
            return
        with _upath(source).open("rb") as reading, _upath(target).open("wb") as writing:
            shutil.copyfileobj(reading, writing, _STREAM_BLOCK)

    def copy_stream(self, reading: IO[bytes], writing: IO[bytes], block_size: int = 1 << 20) -> None:
        """Copy everything from the binary stream ``reading`` into ``writing`` in blocks of ``block_size``."""
        shutil.copyfileobj(reading, writing, block_size)

    def move(self, source: Any, target: Any) -> None:
        """Move the local file or folder ``source`` to ``target`` (its parent folder is created)."""
        destination = _local(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(os.fspath(_local(source)), os.fspath(destination))

    def remove(self, path: Any) -> None:
        """Delete the file or folder at ``path`` if it exists; a symbolic link is removed itself, never its target."""
        if _is_local(path):
            local = _local(path)
            if local.is_symlink() or local.is_file():
                local.unlink()
            elif local.is_dir():
                shutil.rmtree(local)
            return
        upath = _upath(path)
        if upath.fs.exists(upath.path):
            upath.fs.rm(upath.path, recursive=True)

    def remove_quietly(self, folder: Any) -> None:
        """Delete the local folder ``folder`` ignoring every error (scratch folders)."""
        shutil.rmtree(os.fspath(_local(folder)), ignore_errors=True)

    def remove_with(self, owner: object, folder: Any) -> weakref.finalize:
        """Delete the local folder ``folder`` (quietly) when ``owner`` is garbage collected or at exit."""
        return weakref.finalize(owner, shutil.rmtree, os.fspath(_local(folder)), True)

    def replace(self, temporary: Any, target: Any) -> None:
        """Atomically replace the local file ``target`` with ``temporary`` (same folder)."""
        os.replace(os.fspath(_local(temporary)), os.fspath(_local(target)))

    def remove_contents(self, folder: Any, keep: str) -> None:
        """Delete everything inside ``folder`` but its top-level entry named ``keep``."""
        if _is_local(folder):
            for child in _local(folder).iterdir():
                if child.name != keep:
                    self.remove(child)
            return
        upath = _upath(folder)
        kept = _fs_path(upath / keep)
        for file in upath.fs.find(upath.path):
            if str(upath.fs._strip_protocol(file)) != kept:
                upath.fs.rm_file(file)

    # ------------------------------------------------------------------ conditional writes (S3, through s3fs)

    def read_versioned(self, file: Any) -> tuple[bytes | None, str | None]:
        """The content of the S3 object ``file`` and its ETag from one GET; ``(None, None)`` if it is absent."""
        from fsspec.asyn import sync

        fs = file.fs
        bucket, key, version = fs.split_path(file.path)
        extra = {"VersionId": version} if version else {}

        async def get() -> tuple[bytes, str | None]:
            response = await fs._call_s3("get_object", Bucket=bucket, Key=key, **extra)
            body = response["Body"]
            try:
                return await body.read(), response.get("ETag")
            finally:
                body.close()

        try:
            return sync(fs.loop, get)
        except FileNotFoundError:
            return None, None
        finally:
            fs.invalidate_cache(file.path)

    def write_if_version(self, file: Any, data: bytes, version: str | None, *, unconditional: bool = False) -> str:
        """PUT ``data`` to the S3 object ``file`` if it still has ``version`` (None: only if absent).

        Returns ``"written"``, ``"changed"`` (someone else wrote it meanwhile) or ``"unsupported"`` (the store
        does not implement conditional writes); ``unconditional`` writes without a condition.
        """
        fs = file.fs
        bucket, key, _ = fs.split_path(file.path)
        condition = {} if unconditional else ({"IfMatch": version} if version is not None else {"IfNoneMatch": "*"})
        try:
            fs.call_s3("put_object", Bucket=bucket, Key=key, Body=data, **condition)
        except (OSError, FileExistsError) as error:
            code = _s3_error_code(error)
            if isinstance(error, FileExistsError) or code in _CHANGED_CODES:
                return "changed"
            if code in _UNSUPPORTED_CODES or getattr(error, "errno", None) == errno.ENOSYS:
                return "unsupported"
            raise
        finally:
            fs.invalidate_cache(file.path)
        return "written"


# S3 error codes meaning "the object is not the one you read": retry with a fresh read. AWS answers 409
# ConditionalRequestConflict when another conditional write to the same key is in flight.
_CHANGED_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_UNSUPPORTED_CODES = {"NotImplemented", "501"}


def _s3_error_code(error: BaseException) -> str | None:
    """The S3 error code behind ``error`` (s3fs keeps botocore's error as the cause), or None."""
    cause: BaseException | None = error
    while cause is not None:
        response = getattr(cause, "response", None)
        if isinstance(response, dict):
            info = response.get("Error") or {}
            code = info.get("Code")
            status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
            return str(code) if code else (str(status) if status else None)
        cause = cause.__cause__
    return None
