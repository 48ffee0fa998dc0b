"""The ports of daedalus: protocols that adapters implement, and the registry through which core finds them.

Core never imports an adapter. It asks the registry installed here (by the plugin layer, or by a test
with fakes) for the adapter that serves a data format, an executor name or an image format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from concurrent.futures import Future
    from contextlib import AbstractContextManager

    import numpy as np

    from .array_info import ArrayInfo
    from .client.http import HttpResponse, RetryPolicy


# --------------------------------------------------------------------------- storage


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

    def write(self, offset: Sequence[int], data: np.ndarray) -> None:
        """Write ``data`` (same number of axes as the array) at ``offset``; the box must fit the shape."""
        ...

    def resize(self, new_shape: Sequence[int]) -> None:
        """Change the array's shape (metadata only; data beyond a shrunk shape becomes unreachable)."""
        ...

    def list_bounding_boxes(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Yield ``(offset, shape)`` over all axes for every shard (or chunk file) present on disk."""
        ...


@runtime_checkable
class ArrayStorage(Protocol):
    """Creates and opens arrays of one data format (``zarr3``, ``zarr``, ``wkw``, ...) with one engine."""

    data_format: str
    engine: str

    def create(self, path: Any, info: ArrayInfo) -> StoredArray:
        """Create a new array at ``path`` as ``info`` describes (fails if one exists) and open it."""
        ...

    def open(self, path: Any) -> StoredArray:
        """Open the existing array at ``path``; raises FileNotFoundError naming the path if absent."""
        ...

    def exists(self, path: Any) -> bool:
        """Whether an array of this format is stored at ``path``."""
        ...


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


class ExecutorUnavailableError(RuntimeError):
    """An executor cannot run here (its library or scheduler is missing); the message says what to install/start."""


@runtime_checkable
class ImageReader(Protocol):
    """Turns image files of one family (TIFF, PNG, JPEG, ...) into arrays for import."""

    name: str
    suffixes: tuple[str, ...]

    def read(self, path: Any) -> np.ndarray:
        """Read the image at ``path`` as an array (x, y[, z][, c])."""
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
    """Load the engine behind ``data_format`` now (adapters with a ``prepare()`` capability), not at the first read.

    Opening a layer calls this so that importing the engine is part of opening, like in the reference where
    the engine is imported with the package. Unknown formats are left for the first use to report.
    """
    try:
        storage = resolve_storage(data_format)
    except Exception:  # noqa: BLE001 - reported, with the available formats, when the data is first used
        return
    prepare = getattr(storage, "prepare", None)
    if callable(prepare):
        prepare()


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


class ProgressReporter(Protocol):
    """A progress display for long operations; used as a context manager."""

    def __enter__(self) -> ProgressReporter: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def advance(self, steps: int = 1) -> None:
        """Mark ``steps`` more units of work as done."""
        ...


class _SilentProgress:
    """A ProgressReporter that shows nothing."""

    def __enter__(self) -> _SilentProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        """Do nothing."""


def progress(description: str | None, total: int) -> ProgressReporter:
    """A progress display labelled ``description`` (silent when None or when no registry offers one)."""
    if description is None:
        return _SilentProgress()
    make = getattr(_installed_registry(), "progress", None)
    if make is None:
        return _SilentProgress()
    return make(description, total)
