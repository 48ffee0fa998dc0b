"""Conditional writes of one small file on S3 (``If-Match`` / ``If-None-Match``): a write that fails if the object
changed since it was read, so writers in different processes or machines can read, merge and retry.

Only S3 (``s3://``, through s3fs) offers this here; ``supports_conditional_writes`` tells which paths do. The
calls go through the path's own fsspec file system (its credentials, endpoint and extra request arguments).
"""

from __future__ import annotations

import errno
import warnings
from typing import Any

__all__ = [
    "ConcurrentChangeError",
    "read_versioned",
    "supports_conditional_writes",
    "write_if_unchanged",
]

_S3_PROTOCOLS = ("s3", "s3a")
# S3 error codes meaning "the object is not the one you read": retry with a fresh read. AWS answers 409
# ConditionalRequestConflict when another conditional write to the same key is in flight.
_CHANGED_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_UNSUPPORTED_CODES = {"NotImplemented", "501"}
_warned_stores: set[str] = set()


class ConcurrentChangeError(Exception):
    """The object was changed (or created) by someone else since it was read: read, merge and write again."""


def supports_conditional_writes(file: Any) -> bool:
    """Whether ``file`` (a path) lives on a store whose writes can be made conditional (S3)."""
    protocol = getattr(file, "protocol", "")
    protocols = protocol if isinstance(protocol, (tuple, list)) else (protocol,)
    return any(p in _S3_PROTOCOLS for p in protocols)


def read_versioned(file: Any) -> tuple[bytes | None, str | None]:
    """The content of ``file`` and its version tag (S3 ETag) from one GET; ``(None, None)`` if it is absent."""
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


def write_if_unchanged(file: Any, data: bytes, version: str | None) -> None:
    """Write ``data`` to ``file`` only if it still has ``version`` (from ``read_versioned``; None: only if absent).

    Raises ConcurrentChangeError if someone else wrote or created it meanwhile. A store that does not implement
    conditional writes (HTTP 501) gets a plain write and, once per store, a RuntimeWarning that concurrent
    writers there may overwrite each other's changes.
    """
    fs = file.fs
    bucket, key, _ = fs.split_path(file.path)
    condition = {"IfMatch": version} if version is not None else {"IfNoneMatch": "*"}
    try:
        fs.call_s3("put_object", Bucket=bucket, Key=key, Body=data, **condition)
    except (OSError, FileExistsError) as error:
        code = _error_code(error)
        if isinstance(error, FileExistsError) or code in _CHANGED_CODES:
            raise ConcurrentChangeError(f"{file} was changed by another writer since it was read.") from error
        if code in _UNSUPPORTED_CODES or getattr(error, "errno", None) == errno.ENOSYS:
            _warn_unsupported(file)
            fs.call_s3("put_object", Bucket=bucket, Key=key, Body=data)
        else:
            raise
    finally:
        fs.invalidate_cache(file.path)


def _error_code(error: BaseException) -> str | None:
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


def _warn_unsupported(file: Any) -> None:
    store = str(getattr(file, "storage_options", {}).get("endpoint_url") or file.protocol)
    if store in _warned_stores:
        return
    _warned_stores.add(store)
    warnings.warn(
        f"The object store of {file} ({store}) does not support conditional writes: changes to "
        "datasource-properties.json made there by several processes at once may overwrite each other.",
        RuntimeWarning,
        stacklevel=4,
    )
