"""The ports of daedalus: protocols that adapters implement, and the registry through which core finds them.

Core never imports an adapter. It asks the registry installed here (by the plugin layer, or by a test
with fakes) for the adapter that serves a data format, an executor name or an image format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from concurrent.futures import Future
    from contextlib import AbstractContextManager

    import numpy as np

    from .array_info import ArrayInfo
    from .client.http import HttpResponse, RetryPolicy


class UnknownAdapterError(ValueError):
    """No registered plugin offers the requested format, engine, executor, reader, ... (the message lists them)."""


# --------------------------------------------------------------------------- storage


def _voxel_types(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)


@attrs.frozen(kw_only=True)
class StorageCapabilities:
    """The optional capabilities of an ArrayStorage, each with the default most formats meet.

    - ``stores_shape``: the array keeps its shape in its metadata. False (WKW): the shape is what the files on
      disk cover, so a writer grows it with ``resize`` before writing beyond it.
    - ``supports_compression``: compressed arrays round-trip exactly for every voxel type it stores.
    - ``supports_extra_axes``: arrays may have axes besides ``c, x, y, z``.
    - ``voxel_types``: the voxel types it can store (numpy dtype names); None means every numeric type.
    """

    stores_shape: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    supports_compression: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    supports_extra_axes: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    voxel_types: tuple[str, ...] | None = attrs.field(default=None, converter=_voxel_types)


@runtime_checkable
class StoredArray(Protocol):
    """One opened chunked n-d array.

    Axes are always presented as ``info.dimension_names``: ``("c", *extra_axes, "x", "y", "z")``.
    An array stored without a channel axis is presented with a channel axis of length 1.
    Offsets and shapes cover every axis, in voxels of the array's own mag.
    """

    @property
    def info(self) -> ArrayInfo:
        """Metadata of the array as stored (shape, dtype, chunking, compression)."""
        ...

    def read(self, offset: Sequence[int], shape: Sequence[int]) -> np.ndarray:
        """Read the box ``offset .. offset + shape``; voxels outside the stored shape read as 0."""
        ...

    def read_into(self, offset: Sequence[int], out: np.ndarray) -> None:
        """Optional (default: ``out[...] = read(offset, out.shape)``): read the box at ``offset`` with the shape
        of ``out`` into ``out`` (a writable array of the array's voxel type), e.g. a buffer reused between reads.

        The default comes with ``StoredArrayDefaults``; arrays of an adapter that omits optional storage members
        get it from the plugin layer.
        """
        ...

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` (same number of axes as the array) at ``offset``; the box must fit the shape."""
        ...

    def resize(self, new_shape: Sequence[int]) -> None:
        """Change the array's shape (metadata only; data beyond a shrunk shape becomes unreachable)."""
        ...

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` over all axes for every shard (or chunk file) present on disk."""
        ...

    @property
    def native(self) -> Any:
        """Optional (default None): the engine's own handle of the array (e.g. a ``tensorstore.TensorStore``)."""
        ...


class StoredArrayDefaults:
    """The defaults of StoredArray's optional members; an array class subclasses it or declares them itself."""

    native: Any = None

    def read_into(self, offset: Sequence[int], out: np.ndarray) -> None:
        """Read the box at ``offset`` with ``out``'s shape into ``out`` (the default: ``read``, then a copy)."""
        out[...] = self.read(offset, out.shape)  # type: ignore[attr-defined]


@runtime_checkable
class ArrayStorage(Protocol):
    """Creates and opens arrays of one data format (``zarr3``, ``zarr``, ``wkw``, ...) with one engine.

    Required: ``data_format``, ``engine``, ``create``, ``open``, ``exists``. Optional, with the defaults of
    ArrayStorageDefaults: ``capabilities`` (a StorageCapabilities) and ``prepare()``. The plugin manager checks
    every adapter against this when its plugin loads and gives an adapter that omits an optional member its
    default, so core reads every member directly.
    """

    data_format: str
    engine: str
    capabilities: StorageCapabilities

    def prepare(self) -> None:
        """Optional (default: nothing): load the engine's library now; called when a layer is opened."""
        ...

    def create(self, path: Any, info: ArrayInfo) -> StoredArray:
        """Create a new array at ``path`` as ``info`` describes (fails if one exists) and open it."""
        ...

    def open(self, path: Any) -> StoredArray:
        """Open the existing array at ``path``; raises FileNotFoundError naming the path if absent."""
        ...

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path``."""
        ...


class ArrayStorageDefaults:
    """The defaults of ArrayStorage's optional members; an adapter subclasses it or declares them itself."""

    capabilities: StorageCapabilities = StorageCapabilities()

    def prepare(self) -> None:
        """Nothing to load ahead of the first read (the default)."""


@runtime_checkable
class AttachmentStorage(Protocol):
    """Reads and writes segmentation-layer attachments (meshes, agglomerates, ...) in one container format."""

    data_format: str

    def read_array(self, path: Any, key: str) -> np.ndarray:
        """Read the named array (e.g. ``segment_to_agglomerate``) from the attachment at ``path``."""
        ...

    def write_arrays(self, path: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any]) -> None:
        """Write the named arrays and attributes as a new attachment at ``path``."""
        ...

    def list_arrays(self, path: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Shape and dtype of every array in the attachment at ``path`` (without reading the data).

        Raises FileNotFoundError naming ``path`` if nothing is stored there, ValueError if it cannot be read.
        """
        ...

    def read_attributes(self, path: Any) -> dict[str, Any]:
        """The attributes stored with the attachment at ``path`` (``{}`` when it has none)."""
        ...


@runtime_checkable
class AnnotationCodec(Protocol):
    """Reads and writes skeleton/volume annotations in one file format (``nml``, ``zip``)."""

    file_format: str

    def load(self, source: Any) -> Any:
        """Parse an annotation from a path or binary stream."""
        ...

    def dump(self, annotation: Any, target: Any) -> None:
        """Serialise an annotation to a path or binary stream."""
        ...


@runtime_checkable
class StreamedResponse(Protocol):
    """A response whose body is read piece by piece (a download); closed by leaving its ``with`` block."""

    status_code: int
    headers: Mapping[str, str]

    def iter_bytes(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The body in pieces of at most ``chunk_size`` bytes."""
        ...


@runtime_checkable
class WebknossosTransport(Protocol):
    """Sends HTTP requests to a WEBKNOSSOS server, datastore or tracingstore (one instance per context).

    Made by a factory ``(*, timeout_seconds: float, retry_policy: RetryPolicy | None = None)`` registered through
    the ``daedalus_webknossos_transports`` hook. Contract:

    - connections are reused between requests (one session per transport); TLS certificates are verified;
    - ``timeout`` (seconds) defaults to the factory's ``timeout_seconds``;
    - idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) are retried on connection errors, 429 and 5xx
      with exponential backoff and jitter, honouring ``Retry-After``, bounded by the ``RetryPolicy`` in count
      and total time; ``retry=False`` turns that off, ``retry=True`` allows it for other methods too;
    - a status >= 400 raises ``daedalus.core.client.errors.ApiClientError`` (``WebknossosAuthError`` for
      401/403) naming method, URL and the server's message; unreachable servers raise
      ``WebknossosConnectionError`` (``WebknossosTimeoutError`` on timeouts). Tokens (headers, token query
      parameters) never appear in errors or logs;
    - a redirect to another host drops the auth headers (``X-Auth-Token``, ``Authorization``).
    """

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        timeout: float | None = None,
        retry: bool | None = None,
    ) -> HttpResponse:
        """Send one request to the absolute ``url`` and return the complete response (status < 400)."""
        ...

    def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AbstractContextManager[StreamedResponse]:
        """Send one request and give its body as a stream (for downloads); retried like ``request`` until the
        headers arrived, never once the body is being read."""
        ...

    def close(self) -> None:
        """Close the pooled connections."""
        ...


@runtime_checkable
class Executor(Protocol):
    """A concurrent.futures-compatible executor for chunk-parallel work."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Schedule ``fn(*args, **kwargs)`` and return its future."""
        ...

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **kwargs: Any) -> Iterator[Any]:
        """Like ``concurrent.futures.Executor.map``."""
        ...

    def map_to_futures(self, fn: Callable[..., Any], args: Iterable[Any], **kwargs: Any) -> list[Future]:
        """Submit ``fn(arg)`` for every argument and return the futures in order."""
        ...

    def shutdown(self, wait: bool = True, **kwargs: Any) -> None:
        """Release the executor's workers."""
        ...


ExecutorFactory = Callable[..., Executor]
"""Builds an executor from keyword arguments (``max_workers``, ...); offered by ``daedalus_executors``."""

TransportFactory = Callable[..., WebknossosTransport]
"""Builds a WebknossosTransport: ``(*, timeout_seconds, retry_policy=None)``; offered by the transports hook."""


class ExecutorUnavailableError(RuntimeError):
    """An executor cannot run here (its library or scheduler is missing); the message says what to install/start."""


@runtime_checkable
class ImageReader(Protocol):
    """Turns image files of one family (TIFF, PNG, JPEG, ...) into arrays for import.

    ``name`` names the reader, ``suffixes`` are the lower-case file suffixes it reads (``.tif``, ...). A 2-d
    image has one page (z size 1); a stack has one page per z slice.
    """

    name: str
    suffixes: tuple[str, ...]

    def info(self, path: Any) -> tuple[tuple[int, int, int, int], np.dtype]:
        """``((x, y, z, c), dtype)`` of the image at ``path``, without reading the pixels."""
        ...

    def read(self, path: Any, z_start: int = 0, z_stop: int | None = None) -> np.ndarray:
        """Pages ``z_start:z_stop`` (None: to the last) of the image at ``path`` as an ``(x, y, z, c)`` array."""
        ...


@runtime_checkable
class ImageWriter(Protocol):
    """Writes arrays as image files of one family (TIFF, ...) for export; one image (page) per call."""

    name: str
    suffixes: tuple[str, ...]

    def write(self, path: Any, image: np.ndarray, *, compress: bool = False) -> None:
        """Write ``image``, ``(x, y, c)`` in daedalus' axis order, as one image at ``path`` (replacing a file).

        Columns are x, rows are y; one channel is written as a grayscale image, three as RGB. ``compress``
        asks for lossless compression (deflate), otherwise the pixels are stored uncompressed.
        """
        ...

    def write_ome_tiff(
        self,
        path: Any,
        levels: list[np.ndarray],
        *,
        axes: str,
        physical_size: dict[str, tuple[float, str]],
        compress: bool = False,
        dimension_order: str | None = None,
    ) -> None:
        """Write ``levels`` (full resolution first, each in ``axes`` order such as ``ZYX``) as one OME-TIFF image;
        coarser levels form a pyramid. ``physical_size``: ``axis -> (size, unit)`` of a full-resolution pixel;
        ``dimension_order`` the OME ``DimensionOrder`` to record (default: the one ``axes`` implies).
        Only writers of OME-TIFF (``.ome.tiff``) need it."""
        ...


# --------------------------------------------------------------------------- registry


class Registry(Protocol):
    """What core needs to find adapters at run time; the plugin manager implements it."""

    def storage(self, data_format: str) -> ArrayStorage:
        """The ArrayStorage chosen for ``data_format``."""
        ...

    def executor(self, name: str, **kwargs: Any) -> Executor:
        """A new executor of the given kind."""
        ...

    def image_reader(self, name_or_suffix: str) -> ImageReader:
        """The ImageReader registered under a name or file suffix."""
        ...

    def image_writer(self, name_or_suffix: str) -> ImageWriter:
        """The ImageWriter registered under a name or file suffix."""
        ...

    def annotation_codec(self, file_format: str) -> AnnotationCodec:
        """The AnnotationCodec for a file format (``nml``, ``zip``)."""
        ...

    def attachment_storage(self, data_format: str) -> AttachmentStorage:
        """The AttachmentStorage for an attachment data format (``zarr3``, ``hdf5``, ``json``)."""
        ...

    def transport(self, name: str = "requests") -> Callable[..., WebknossosTransport]:
        """The factory of the WebknossosTransport registered under ``name``."""
        ...

    def dask_array(self, source: Any, chunks: tuple[tuple[int, ...], ...]) -> Any:
        """A dask array reading ``source`` (shape, dtype, numpy-style slicing) in blocks of ``chunks``."""
        ...

    def progress(self, description: str, total: int) -> ProgressReporter:
        """A new progress display labelled ``description`` for ``total`` units of work."""
        ...


_registry: Registry | None = None
_registry_factory: Callable[[], Registry] | None = None


def install_registry(registry: Registry | None) -> Registry | None:
    """Install ``registry`` as the one core asks; returns the previous one (for tests that swap fakes in)."""
    global _registry
    previous, _registry = _registry, registry
    return previous


def install_registry_factory(factory: Callable[[], Registry] | None) -> None:
    """Build the registry with ``factory`` when core first asks for one and none is installed.

    Importing ``daedalus`` installs the plugin manager's factory, so the plugins load at the first adapter look-up,
    not at import.
    """
    global _registry_factory
    _registry_factory = factory


def _installed_registry() -> Registry | None:
    """The installed registry, built by the factory if there is none yet; None without either."""
    global _registry
    if _registry is None and _registry_factory is not None:
        built = _registry_factory()
        if _registry is None:  # the factory may have installed it already
            _registry = built
    return _registry


def current_registry() -> Registry:
    """The installed registry; importing ``daedalus`` makes the plugin manager the one built on first use."""
    if _installed_registry() is None:
        raise RuntimeError(
            "No adapter registry is installed. Import daedalus (import daedalus as wk) to load the "
            "plugins, or install one with daedalus.core.ports.install_registry()."
        )
    return _registry


def resolve_storage(data_format: str) -> ArrayStorage:
    """The ArrayStorage adapter that serves ``data_format``."""
    return current_registry().storage(str(data_format))


def prepare_storage(data_format: str) -> None:
    """Load the engine behind ``data_format`` now (``ArrayStorage.prepare``), not at the first read.

    Opening a layer calls this so that importing the engine is part of opening, like in the reference where
    the engine is imported with the package. A format no plugin offers is left for the first use to report (with
    the available formats); an engine that fails to load raises here.
    """
    try:
        storage = resolve_storage(data_format)
    except UnknownAdapterError:
        return
    storage.prepare()


def resolve_executor(name: str, **kwargs: Any) -> Executor:
    """A new executor registered under ``name``."""
    return current_registry().executor(name, **kwargs)


def resolve_image_reader(name_or_suffix: str) -> ImageReader:
    """The ImageReader registered under a name or file suffix."""
    return current_registry().image_reader(name_or_suffix)


def resolve_image_writer(name_or_suffix: str) -> ImageWriter:
    """The ImageWriter registered under a name or file suffix (``.tiff``)."""
    return current_registry().image_writer(name_or_suffix)


def resolve_annotation_codec(file_format: str) -> AnnotationCodec:
    """The AnnotationCodec that reads and writes ``file_format`` (``nml``, ``zip``)."""
    return current_registry().annotation_codec(str(file_format))


def resolve_attachment_storage(data_format: Any) -> AttachmentStorage:
    """The AttachmentStorage adapter for an attachment data format (an AttachmentDataFormat or its value)."""
    return current_registry().attachment_storage(str(getattr(data_format, "value", data_format)))


def to_dask_array(source: Any, chunks: tuple[tuple[int, ...], ...]) -> Any:
    """A lazy dask array over ``source`` with block sizes ``chunks`` (ImportError naming the fix without dask)."""
    return current_registry().dask_array(source, chunks)


def resolve_transport(
    *, timeout_seconds: float, retry_policy: RetryPolicy | None = None, name: str | None = None
) -> WebknossosTransport:
    """A new WebknossosTransport (``name`` or ``$DAEDALUS_TRANSPORT``, default ``requests``)."""
    import os

    chosen = name or os.environ.get("DAEDALUS_TRANSPORT", "").strip() or "requests"
    factory = current_registry().transport(chosen)
    return factory(timeout_seconds=timeout_seconds, retry_policy=retry_policy)


@runtime_checkable
class ProgressReporter(Protocol):
    """A progress display for long operations; used as a context manager.

    Made by a factory ``(description: str, total: int) -> ProgressReporter`` registered through the
    ``daedalus_progress_reporters`` hook.
    """

    def __enter__(self) -> ProgressReporter: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def advance(self, steps: int = 1) -> None:
        """Mark ``steps`` more units of work as done."""
        ...


class SilentProgress:
    """A ProgressReporter that shows nothing."""

    def __enter__(self) -> SilentProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        """Do nothing."""


def progress(description: str | None, total: int) -> ProgressReporter:
    """A progress display labelled ``description`` (silent when None or when no registry is installed)."""
    registry = _installed_registry()
    if description is None or registry is None:
        return SilentProgress()
    return registry.progress(description, total)


ProgressFactory = Callable[[str, int], ProgressReporter]
"""Builds a ProgressReporter from ``(description, total)``; offered by ``daedalus_progress_reporters``."""


# --------------------------------------------------------------------------- files, zips and format metadata
# Core decides what to copy, move, delete, zip or mark; these ports do it (adapters/fsspec_files.py,
# adapters/zip_archives.py, adapters/zarr_group_files.py), so core itself never touches shutil, zipfile,
# os.replace or fsspec internals.


class FileTransfer(Protocol):
    """Copies, moves and deletes files and folders on the local disk and on fsspec locations (paths or UPaths)."""

    def copy_tree(
        self,
        source: Any,
        target: Any,
        progress_desc: str | None = None,
        *,
        merge: bool = True,
        is_folder: bool | None = None,
    ) -> None:
        """Copy the file or folder ``source`` to ``target``; ``merge=False`` refuses an existing local target;
        ``is_folder`` gives a remote source's kind when known (an http folder URL reads as a file)."""
        ...

    def copy_file(self, source: Any, target: Any) -> None:
        """Copy one file's contents from ``source`` to ``target``."""
        ...

    def copy_stream(self, reading: Any, writing: Any, block_size: int = 1 << 20) -> None:
        """Copy the binary stream ``reading`` into ``writing`` block by block."""
        ...

    def move(self, source: Any, target: Any) -> None:
        """Move the local file or folder ``source`` to ``target`` (creating its parent folder)."""
        ...

    def remove(self, path: Any) -> None:
        """Delete the file or folder at ``path`` if it exists (a symbolic link itself, never its target)."""
        ...

    def remove_quietly(self, folder: Any) -> None:
        """Delete the local (scratch) folder ``folder``, ignoring every error."""
        ...

    def remove_with(self, owner: object, folder: Any) -> Any:
        """Delete the local folder ``folder`` when ``owner`` is collected (a ``weakref.finalize``-like handle)."""
        ...

    def replace(self, temporary: Any, target: Any) -> None:
        """Atomically replace the local file ``target`` with ``temporary`` (in the same folder)."""
        ...

    def remove_contents(self, folder: Any, keep: str) -> None:
        """Delete everything inside ``folder`` but its top-level entry named ``keep``."""
        ...

    def read_versioned(self, file: Any) -> tuple[bytes | None, str | None]:
        """The content and version tag (S3 ETag) of the object ``file`` from one GET; ``(None, None)`` if absent."""
        ...

    def write_if_version(self, file: Any, data: bytes, version: str | None, *, unconditional: bool = False) -> str:
        """Write the object ``file`` if it still has ``version`` (None: if absent): ``"written"``, ``"changed"`` or
        ``"unsupported"`` (the store cannot write conditionally); ``unconditional`` writes without a condition."""
        ...


class ZipEntry(Protocol):
    """One member of an opened zip (the attributes core reads)."""

    filename: str
    file_size: int

    def is_dir(self) -> bool:
        """Whether the member is a folder entry."""
        ...


class ZipReader(Protocol):
    """A zip opened for reading (a context manager)."""

    def __enter__(self) -> ZipReader: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def infolist(self) -> list[Any]:
        """The members (ZipEntry) in archive order."""
        ...

    def namelist(self) -> list[str]:
        """The member names in archive order."""
        ...

    def getinfo(self, name: str) -> Any:
        """The ZipEntry named ``name`` (KeyError when absent)."""
        ...

    def open(self, member: Any) -> Any:
        """A binary stream over one member (a name or a ZipEntry)."""
        ...

    def read(self, member: Any) -> bytes:
        """The whole content of one member (a name or a ZipEntry)."""
        ...


class ZipWriter(Protocol):
    """A zip being written (a context manager); members are added in the order of the calls."""

    def __enter__(self) -> ZipWriter: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def open_member(self, name: str, *, precompressed: bool = False, large: bool = False) -> Any:
        """A writable binary stream for the new member ``name``; ``large`` ones may exceed 2 GiB (zip64 headers);
        ``precompressed`` members (data zips) are stored as they are, dated 1980-01-01."""
        ...

    def write_bytes(self, name: str, data: bytes, *, precompressed: bool = False) -> None:
        """Add the member ``name`` holding ``data`` (``precompressed`` as in ``open_member``)."""
        ...

    def write_file(self, name: str, path: Any) -> None:
        """Add the local file ``path`` as the member ``name``."""
        ...


class ZipArchives(Protocol):
    """Zip mechanics (the ``zipfile`` format); the zip-slip and zip-bomb policy stays in core (annotation.safe_zip)."""

    damage_errors: tuple[type[BaseException], ...]
    """What reading a damaged zip (or member) raises: wrapped into ``damaged(...)`` by core."""

    def open_reader(self, file: Any, source: str) -> ZipReader:
        """Open ``file`` (a path or binary stream) for reading; ``damaged(source, None, ...)`` when unreadable."""
        ...

    def open_writer(self, target: Any, *, compressed: bool = True, comment: bytes | None = None) -> ZipWriter:
        """Start a new zip at ``target`` (a local path or binary stream), deflated or stored, with ``comment``."""
        ...

    def damaged(self, source: str, member: str | None, error: BaseException) -> Exception:
        """The DamagedZipError (also a ``zipfile.BadZipFile``) for ``error`` raised reading ``member`` of ``source``."""
        ...

    def archive_size(self, archive: Any) -> int:
        """Size in bytes of the file or stream holding the opened ``archive``."""
        ...

    def member_path(self, archive_path: Any, member: str) -> Any:
        """A ``pathlib``-like path (``zipfile.Path``) to ``member`` inside the zip file at ``archive_path``."""
        ...


class FormatMetadata(Protocol):
    """Writes one data format's group metadata (zarr3: ``zarr.json``; zarr: ``.zgroup``/``.zattrs``)."""

    data_format: str

    def mark_group(self, folder: Any) -> None:
        """Mark ``folder`` as a group of this format unless it already is (a correct marker is kept)."""
        ...

    def write_multiscales(self, folder: Any, multiscale: dict[str, Any]) -> None:
        """Make ``folder`` a group holding the OME-NGFF ``multiscale`` (axes, datasets) in this format's version."""
        ...


def file_transfer() -> FileTransfer:
    """The FileTransfer adapter."""
    return current_registry().file_transfer()


def zip_archives() -> ZipArchives:
    """The ZipArchives adapter."""
    return current_registry().zip_archives()


def format_metadata(data_format: Any) -> FormatMetadata | None:
    """The FormatMetadata adapter of a data format (a DataFormat or its value); None for formats without groups."""
    return current_registry().format_metadata(str(getattr(data_format, "value", data_format)))
