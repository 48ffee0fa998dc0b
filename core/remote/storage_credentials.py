"""StorageCredentials: the key pair with which a WEBKNOSSOS server reaches a dataset in remote storage (s3, ...)."""

from __future__ import annotations

import attrs


@attrs.frozen
class StorageCredentials:
    """An identifier (e.g. an S3 access key id) and its secret, sent to the server with
    ``RemoteDataset.explore_and_add_remote(..., credentials=...)``; the secret never appears in a repr."""

    credential_identifier: str
    credential_secret: str = attrs.field(repr=False)
