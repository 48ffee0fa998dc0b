"""Conditional writes of one small file on S3 (``If-Match`` / ``If-None-Match``): a write that fails if the object
changed since it was read, so writers in different processes or machines can read, merge and retry.

Only S3 (``s3://``, through s3fs) offers this here; ``supports_conditional_writes`` tells which paths do. The
FileTransfer adapter makes the requests through the path's own fsspec file system (its credentials, endpoint and
extra request arguments); this module keeps the decisions (retry, plain write with a warning).
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import ports

__all__ = [
    "ConcurrentChangeError",
    "read_versioned",
    "supports_conditional_writes",
    "write_if_unchanged",
]

_S3_PROTOCOLS = ("s3", "s3a")
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
    return ports.file_transfer().read_versioned(file)


def write_if_unchanged(file: Any, data: bytes, version: str | None) -> None:
    """Write ``data`` to ``file`` only if it still has ``version`` (from ``read_versioned``; None: only if absent).

    Raises ConcurrentChangeError if someone else wrote or created it meanwhile. A store that does not implement
    conditional writes (HTTP 501) gets a plain write and, once per store, a RuntimeWarning that concurrent
    writers there may overwrite each other's changes.
    """
    transfer = ports.file_transfer()
    outcome = transfer.write_if_version(file, data, version)
    if outcome == "changed":
        raise ConcurrentChangeError(f"{file} was changed by another writer since it was read.")
    if outcome == "unsupported":
        _warn_unsupported(file)
        transfer.write_if_version(file, data, version, unconditional=True)


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
