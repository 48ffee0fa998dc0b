"""RemoteDataset.download: copy a box of a remote dataset's layers and mags into a new local dataset.

Each mag is fetched through the datastore's raw data route (``/data/v<n>/datasets/<id>/layers/<layer>/data``), one
request per shard of the local copy that the box touches, the requests running in parallel threads; every reply
must hold exactly the voxels asked for, else the download fails naming the request.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ..client.context import WebknossosContext
from ..client.errors import UnexpectedStatusError
from ..dataset.chunk_runner import run_on_chunks
from ..dataset.dataset import Dataset
from ..dataset.paths import to_upath
from ..dataset.storage_defaults import DEFAULT_DATA_FORMAT
from ..geometry import BoundingBox, Mag, NDBoundingBox, Vec3Int
from ..properties import SEGMENTATION_CATEGORY
from .opening import auth_headers

if TYPE_CHECKING:
    from .remote_dataset import RemoteDataset
    from .remote_layer import RemoteLayer

DOWNLOAD_CHUNK_SHAPE = Vec3Int(32, 32, 32)
DOWNLOAD_SHARD_SHAPE = Vec3Int(512, 512, 512)  # the shard shape of downloaded mags, one request per shard


class DownloadError(RuntimeError):
    """A download stopped before all voxel data arrived; the local copy is incomplete."""


class DownloadStatusError(UnexpectedStatusError, DownloadError):
    """A download stopped because the datastore answered with an error status (the reference raises that
    UnexpectedStatusError); the local copy is incomplete."""


@attrs.frozen
class DataRoute:
    """Where and how the raw voxel data of one remote dataset is fetched."""

    context: WebknossosContext
    datastore_url: str
    dataset_id: str
    sharing_token: str | None

    def fetch(self, layer_name: str, mag: Mag, box: BoundingBox, dtype: np.dtype, num_channels: int) -> np.ndarray:
        """The ``(c, x, y, z)`` voxels of ``box`` (Mag(1), aligned with ``mag``) of the layer in ``mag``."""
        width, height, depth = box.size_xyz // mag.to_vec3_int()
        x, y, z = box.topleft_xyz
        params: dict[str, Any] = {
            "mag": mag.to_long_layer_name(),
            **{"x": x, "y": y, "z": z, "width": width, "height": height, "depth": depth},
        }
        if self.sharing_token is not None:
            params["token"] = self.sharing_token
        base = self.datastore_url.rstrip("/")
        url = f"{base}/data/v{self.context.api_version}/datasets/{self.dataset_id}/layers/{layer_name}/data"
        expected = width * height * depth * num_channels * dtype.itemsize
        received, body = _read_reply(
            self.context, url, params, auth_headers(self.context, self.sharing_token), expected
        )
        if received != expected:
            raise DownloadError(
                f"The datastore answered {received} bytes for layer {layer_name!r} mag "
                f"{mag.to_layer_name()} box {box} ({width}x{height}x{depth} voxels, {num_channels} channel(s) of "
                f"{dtype}): {expected} bytes were expected. Retry the download."
            )
        voxels = np.frombuffer(body, dtype=dtype.newbyteorder("<"))
        # the datastore sends x fastest, the channels of one voxel next to each other
        cxyz = voxels.reshape((depth, height, width, num_channels)).transpose(3, 2, 1, 0)
        return cxyz if cxyz.dtype == dtype else cxyz.astype(dtype)


# --- performance (bench_wk_server.py): read raw-data replies in large blocks into one buffer -------------------------
# ``transport.request`` collects a body through requests' ``.content`` (10 KiB reads: 0.8 s for a 128 MiB reply on
# this machine); streaming it in 8 MiB blocks into a preallocated buffer takes 0.2 s.
_READ_BLOCK = 8 << 20


def _read_reply(
    context: WebknossosContext, url: str, params: dict[str, Any], headers: Any, expected: int
) -> tuple[int, Any]:
    """The number of body bytes and the body (``expected`` bytes long when complete) of one raw-data GET."""
    buffer = bytearray(expected)
    view = memoryview(buffer)
    received = 0
    with context.transport.stream("GET", url, params=params, headers=headers) as reply:
        for block in reply.iter_bytes(_READ_BLOCK):
            end = received + len(block)
            if end <= expected:
                view[received:end] = block
            received = end
    return received, buffer


def _layer_names(remote: RemoteDataset, layers: Sequence[str] | str | None) -> list[str]:
    names = list(remote.layers) if layers is None else [layers] if isinstance(layers, str) else list(layers)
    unknown = [name for name in names if name not in remote.layers]
    if unknown:
        raise IndexError(
            f"Cannot download layers {unknown} of the remote dataset {remote.url}: it has the layers "
            f"{sorted(remote.layers)}."
        )
    return names


def _check_target(path: Any, exist_ok: bool) -> None:
    target = to_upath(path)
    if (target / "datasource-properties.json").exists() and not exist_ok:
        raise FileExistsError(
            f"Cannot download into {target}: a dataset already exists there. Choose another path, open it with "
            "Dataset.open, or pass exist_ok=True to replace the downloaded layers in it."
        )


def _local_dataset(remote: RemoteDataset, path: Any, name: str) -> Dataset:
    target = to_upath(path)
    if (target / "datasource-properties.json").exists():
        return Dataset(target, voxel_size_with_unit=remote.voxel_size_with_unit, exist_ok=True)
    return Dataset(target, voxel_size_with_unit=remote.voxel_size_with_unit, name=name)


def _add_local_layer(dataset: Dataset, layer: RemoteLayer, box: NDBoundingBox, data_format: Any) -> Any:
    if layer.name in dataset.layers:
        dataset.delete_layer(layer.name)
    extras: dict[str, Any] = {}
    if layer.category == SEGMENTATION_CATEGORY:
        extras["largest_segment_id"] = layer.as_segmentation_layer().largest_segment_id
    return dataset.add_layer(
        layer.name,
        layer.category,
        dtype=layer.dtype,
        num_channels=layer.num_channels,
        data_format=data_format,
        bounding_box=box,
        **extras,
    )


def download_dataset(
    remote: RemoteDataset,
    *,
    sharing_token: str | None = None,
    bbox: BoundingBox | None = None,
    layers: Sequence[str] | str | None = None,
    mags: Sequence[Any] | None = None,
    data_format: Any = None,
    path: Any = None,
    exist_ok: bool = False,
) -> Dataset:
    """Copy ``bbox`` (default: each layer's box) of the ``layers`` and ``mags`` (default: all) into a local
    dataset at ``path`` (default: the dataset's directory name in the working directory); see
    ``RemoteDataset.download``."""
    if path is not None:
        _check_target(path, exist_ok)
    names = _layer_names(remote, layers)
    info = remote.server_info()
    if path is None:
        path = Path(os.getcwd()) / (info.directory_name or info.name)
        _check_target(path, exist_ok)
    route = DataRoute(
        remote.context, info.data_store.url, remote.dataset_id, sharing_token or remote.opened_sharing_token
    )
    chosen_format = data_format if data_format is not None else DEFAULT_DATA_FORMAT
    jobs = []
    for name in names:
        remote_layer = remote.get_layer(name)
        box = BoundingBox.from_ndbbox(bbox) if bbox is not None else remote_layer.bounding_box
        jobs.append((remote_layer, box, [Mag(m) for m in mags] if mags is not None else list(remote_layer.mags)))
    with ThreadPoolExecutor(max_workers=min(16, (os.cpu_count() or 4) * 2)) as executor:
        # performance (bench_wk_server.py): the first shard's request starts while the local dataset is made
        early = _fetch_first_piece(route, jobs, executor)
        try:
            dataset = _local_dataset(remote, path, info.name)
            for remote_layer, box, layer_mags in jobs:
                local_layer = _add_local_layer(dataset, remote_layer, box, chosen_format)
                for mag in layer_mags:
                    _download_mag(route, remote_layer, local_layer, mag, box, executor, early)
        finally:
            for future in early.values():  # not taken (a failure before): do not wait for nor keep its voxels
                future.cancel()
    return dataset


def _pieces(box: Any, mag: Mag) -> list[BoundingBox]:
    """The boxes (Mag(1)) fetched for ``box`` of ``mag``: one per shard of the local copy."""
    shard_in_mag1 = DOWNLOAD_SHARD_SHAPE * mag.to_vec3_int()
    return list(box.align_with_mag(mag, ceil=True).chunk(shard_in_mag1, shard_in_mag1))


def _fetch_first_piece(route: DataRoute, jobs: list[Any], executor: Any) -> dict[tuple[str, Mag, Any], Any]:
    """The first piece of the first mag to download, its fetch submitted to ``executor`` (by layer, mag, box)."""
    for remote_layer, box, layer_mags in jobs:
        for mag in layer_mags:
            pieces = _pieces(box, mag)
            if pieces:
                dtype, channels = np.dtype(remote_layer.dtype), remote_layer.num_channels
                future = executor.submit(route.fetch, remote_layer.name, mag, pieces[0], dtype, channels)
                return {(remote_layer.name, mag, pieces[0]): future}
    return {}


def _download_mag(
    route: DataRoute, remote_layer: RemoteLayer, local_layer: Any, mag: Mag, box: Any, executor: Any, early: dict
) -> None:
    sharded = str(getattr(local_layer.data_format, "value", local_layer.data_format)) in ("zarr3", "wkw")
    local_mag = local_layer.add_mag(  # zarr (v2) has no shards: one chunk per file
        mag, chunk_shape=DOWNLOAD_CHUNK_SHAPE, shard_shape=DOWNLOAD_SHARD_SHAPE if sharded else None
    )
    pieces = _pieces(box, mag)
    dtype, channels = np.dtype(remote_layer.dtype), remote_layer.num_channels

    def copy(piece: BoundingBox) -> None:
        fetched = early.pop((remote_layer.name, mag, piece), None)
        data = fetched.result() if fetched is not None else route.fetch(remote_layer.name, mag, piece, dtype, channels)
        local_mag.write_cxyz(data, absolute_offset=piece.topleft_xyz, allow_unaligned=True)

    description = f"Downloading layer={remote_layer.name} mag={mag.to_layer_name()}"
    try:
        run_on_chunks(copy, pieces, executor, description)
    except Exception as error:
        what = f"Downloading layer {remote_layer.name!r} mag {mag.to_layer_name()} of {remote_layer.dataset.url} into "
        again = "The local copy is incomplete; download it again (exist_ok=True replaces the layers)"
        if isinstance(error, UnexpectedStatusError):
            hint = f"{what}{local_layer.path} failed. {again}"
            raise DownloadStatusError(error.method, error.url, error.status_code, error.server_message, hint) from error
        raise DownloadError(f"{what}{local_layer.path} failed: {error}. {again}.") from error


def download_by_name(
    dataset_name_or_url: str,
    *,
    organization_id: str | None = None,
    sharing_token: str | None = None,
    webknossos_url: str | None = None,
    path: Any = None,
    exist_ok: bool = False,
    **selection: Any,
) -> Dataset:
    """``Dataset.download``: open the remote dataset (``RemoteDataset.open``'s arguments), then download it."""
    from .remote_dataset import RemoteDataset

    if path is not None:
        _check_target(path, exist_ok)  # before any request
    remote = RemoteDataset.open(
        dataset_name_or_url,
        organization_id=organization_id,
        sharing_token=sharing_token,
        webknossos_url=webknossos_url,
        read_only=True,
    )
    return download_dataset(remote, path=path, exist_ok=exist_ok, **selection)
