"""Dataset.upload: send a local dataset's files to the datastore with its resumable upload protocol.

The datastore's protocol: reserve the upload (``POST /data/v<n>/datasets/reserveUpload`` with file count and total
size), send every file in chunks of at most 100 MiB as multipart forms (``POST /data/datasets``, several in
parallel), then finish it (``POST /data/v<n>/datasets/finishUpload``), which answers the new dataset's id. An upload
whose chunks did not all arrive is never finished: UploadError says how far it got.
"""

from __future__ import annotations

import mimetypes
import time
import uuid
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from .. import ports
from ..client.context import WebknossosContext, get_context
from ..client.models import (
    ApiDatasetUploadInformation,
    ApiLinkedLayerIdentifier,
    ApiReserveDatasetUploadInformation,
)
from .access_mode import RemoteAccessMode
from .opening import Target
from .remote_folder import RemoteFolder
from .remote_layer import LayerToLink, RemoteLayer

UPLOAD_CHUNK_BYTES = 100 * 1024 * 1024
DEFAULT_UPLOAD_JOBS = 5


class UploadError(RuntimeError):
    """An upload did not complete; the dataset was not created on the server."""


@attrs.frozen
class UploadChunk:
    """One piece of one file: its place in the file and the upload it belongs to."""

    relative_path: str
    path: Any
    number: int  # 1-based
    total_chunks: int
    offset: int
    size: int
    total_size: int


def upload_files(dataset_path: Any) -> list[tuple[str, Any]]:
    """Every file of the dataset as ``(path relative to the dataset, path)``, sorted."""
    root = dataset_path
    found = [(str(p.relative_to(root)).replace("\\", "/"), p) for p in root.rglob("*") if p.is_file()]
    return sorted(found, key=lambda item: item[0])


def plan_chunks(files: Sequence[tuple[str, Any]], chunk_bytes: int = UPLOAD_CHUNK_BYTES) -> list[UploadChunk]:
    """The chunks that carry ``files`` (an empty file is one empty chunk)."""
    chunks = []
    for relative, path in files:
        size = path.stat().st_size
        count = max(1, -(-size // chunk_bytes))
        for index in range(count):
            offset = index * chunk_bytes
            chunks.append(UploadChunk(relative, path, index + 1, count, offset, min(chunk_bytes, size - offset), size))
    return chunks


def _linked_layer(link: LayerToLink | RemoteLayer) -> ApiLinkedLayerIdentifier:
    if isinstance(link, RemoteLayer):
        link = LayerToLink.from_remote_layer(link)
    return link.as_api_linked_layer_identifier()


_UPLOAD_DATASTORES: weakref.WeakKeyDictionary[WebknossosContext, str] = weakref.WeakKeyDictionary()


def default_datastore_url(context: WebknossosContext) -> str:
    """The first datastore accepting uploads (asked once per context, as the reference client does)."""
    if context not in _UPLOAD_DATASTORES:
        stores = [store for store in context.api_client.datastore_list() if store.allows_upload]
        if not stores:
            raise UploadError(f"No datastore of {context.url} accepts uploads; ask the server's administrator.")
        _UPLOAD_DATASTORES[context] = stores[0].url
    return _UPLOAD_DATASTORES[context]


def _check_name(context: WebknossosContext, name: str) -> None:
    answer = context.api_client.dataset_is_valid_new_name(dataset_name=name)
    if not answer.is_valid:
        raise ValueError(f"WEBKNOSSOS refuses the dataset name {name!r}: {'; '.join(answer.errors or [])}.")


class _ChunkSender:
    """Posts the chunks of one upload to the datastore."""

    def __init__(self, context: WebknossosContext, datastore_url: str, upload_id: str, fields: dict[str, str]):
        self._context = context
        self._url = f"{datastore_url.rstrip('/')}/data/datasets"
        self._upload_id = upload_id
        self._fields = fields

    def send(self, chunk: UploadChunk) -> None:
        """Post one chunk (retried by the transport's policy: the datastore accepts a chunk twice)."""
        with chunk.path.open("rb") as file:
            file.seek(chunk.offset)
            content = file.read(chunk.size)
        form = {
            "resumableChunkSize": str(UPLOAD_CHUNK_BYTES),
            "resumableTotalSize": str(chunk.total_size),
            "resumableType": mimetypes.guess_type(chunk.relative_path)[0] or "",
            "resumableIdentifier": f"{self._upload_id}/{chunk.relative_path}",
            "resumableFilename": chunk.relative_path.rsplit("/", 1)[-1],
            "resumableRelativePath": chunk.relative_path,
            "resumableTotalChunks": str(chunk.total_chunks),
            "resumableChunkNumber": str(chunk.number),
            "resumableCurrentChunkSize": str(len(content)),
            **self._fields,
        }
        self._context.transport.request(
            "POST",
            self._url,
            headers=self._context.headers,
            data=form,
            files={"file": ("upload", content, "application/octet-stream")},
            retry=True,
        )


def _send_all(sender: _ChunkSender, chunks: list[UploadChunk], jobs: int, upload_id: str, name: str) -> None:
    sent = 0
    with ports.progress(f"Uploading {name}", len(chunks)) as progress, ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(sender.send, chunk) for chunk in chunks]
        failure: BaseException | None = None
        for future in futures:
            try:
                future.result()
                sent += 1
                progress.advance()
            except BaseException as error:  # noqa: BLE001 - reported below with the count
                failure = failure or error
        if failure is not None:
            raise UploadError(
                f"Uploading dataset {name!r} was interrupted: {sent} of {len(chunks)} chunks arrived (upload "
                f"{upload_id}); the upload was not finished, so no dataset was created. Upload it again. Cause: "
                f"{failure}"
            ) from failure


def upload_dataset(
    dataset: Any,
    *,
    new_dataset_name: str | None = None,
    initial_team_ids: list[str] | None = None,
    folder: str | RemoteFolder | None = None,
    require_unique_name: bool = False,
    layers_to_link: Sequence[LayerToLink | RemoteLayer] | None = None,
    jobs: int | None = None,
) -> Any:
    """``Dataset.upload`` over HTTP (see its docstring); returns the new RemoteDataset."""
    from .remote_dataset import RemoteDataset

    context = get_context()
    name = new_dataset_name or dataset.name
    datastore_url = default_datastore_url(context)  # first: a server that refuses the token is asked nothing else
    # performance (bench_wk_server.py): the name check and the user's organization are independent questions;
    # asked at once they cost one round trip instead of two (errors are raised in the sequential order)
    with ThreadPoolExecutor(2) as pool:
        asked_name = pool.submit(_check_name, context, name)
        asked_organization = pool.submit(lambda: context.organization_id)
        chunks = plan_chunks(upload_files(dataset.path))
        asked_name.result()
        if require_unique_name and RemoteDataset.list(name=name):
            raise ValueError(f"A dataset named {name!r} exists already; choose another new_dataset_name.")
        organization = asked_organization.result()
    upload_id = f"{time.strftime('%Y-%m-%dT%H-%M-%S')}__{uuid.uuid4()}"
    files = {(c.relative_path, c.total_size) for c in chunks}
    store = context.get_datastore_api_client(datastore_url)
    store.dataset_reserve_upload(
        reserve_upload_information=ApiReserveDatasetUploadInformation(
            upload_id=upload_id,
            name=name,
            organization=organization,
            total_file_count=len(files),
            total_file_size_in_bytes=sum(size for _, size in files),
            initial_teams=list(initial_team_ids or []),
            layers_to_link=[_linked_layer(link) for link in layers_to_link or []],
            folder_id=folder.id if isinstance(folder, RemoteFolder) else folder,
        )
    )
    fields = {"owningOrganization": organization, "name": name, "totalFileCount": str(len(files))}
    sender = _ChunkSender(context, datastore_url, upload_id, fields)
    _send_all(sender, chunks, max(1, jobs or DEFAULT_UPLOAD_JOBS), upload_id, name)
    new_id = store.dataset_finish_upload(upload_information=ApiDatasetUploadInformation(upload_id=upload_id))
    target = Target(context, str(new_id), None, None, RemoteAccessMode.ZARR_STREAMING)
    return RemoteDataset.open_target(target, datastore_url=datastore_url)  # the datastore holds it: one round trip
