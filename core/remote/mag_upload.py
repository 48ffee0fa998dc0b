"""New mags of a RemoteDataset's layers (downsample, upsample), written into the storage of the WEBKNOSSOS datastore.

For each new mag the server reserves a path (``POST /api/v<n>/datasets/<id>/reserveMagUploadToPath``), the client
writes the mag's array there itself (it must reach the datastore's storage, e.g. where it is mounted), then marks
the mag finished (``.../finishMagUploadToPath``, same body) and reloads the dataset. A mag whose writing fails is
never finished: its reservation is left pending on the server, and the error says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upath import UPath

from ..client.errors import ApiClientError
from ..client.models import ApiReserveMagUploadToPathParameters
from ..dataset.array_axes import array_axes, has_extra_axes
from ..dataset.mag_view import MagView
from ..dataset.paths import is_local, local_path
from ..dataset.storage_defaults import DEFAULT_CHUNK_SHAPE, created_mag_shard_shape
from ..dataset.transfer_mode import TransferMode
from ..geometry import Mag, Vec3Int
from .access_mode import RemoteAccessMode
from .opening import Target, fetch_info, read_properties

if TYPE_CHECKING:
    from .remote_dataset import RemoteDataset
    from .remote_layer import RemoteLayer


class MagUploadError(RuntimeError):
    """A new mag of a remote dataset could not be reserved, reached or written."""


class ReservedMagView(MagView):
    """A new mag being written at the path WEBKNOSSOS reserved for it (writable although outside the layer)."""

    def __init__(self, layer: Any, mag: Any, path: Any, read_only: bool = False, data_format: Any = None) -> None:
        """The mag ``mag`` of ``layer`` at the reserved ``path`` (always writable until it is finished)."""
        super().__init__(layer, mag, path, False, data_format)
        self._referenced = False
        self._read_only = False


def _name(mag: Mag) -> str:
    return mag.to_layer_name()


def storage_is_reachable(path: UPath, stored: Iterable[UPath]) -> bool:
    """Whether this machine reaches the datastore's storage at the reserved local ``path``: its nearest existing
    ancestor is a writable folder (not the file system root) that holds data of the dataset (one of the ``stored``
    mag paths), so the new mag does not land in a look-alike folder the server never sees. Paths of other file
    systems (s3, ...) are tried when written."""
    if not is_local(path):
        return True
    for folder in (local_path(path), *local_path(path).parents):
        if folder.exists():
            if folder == Path(folder.anchor) or not folder.is_dir() or not os.access(folder, os.W_OK):
                return False
            known = (local_path(p) for p in stored if is_local(p))
            return any(p.is_relative_to(folder) and p.exists() for p in known)
    return False


class ServerMagWriting:
    """One operation writing new mags into a remote dataset: reservations, the new arrays, finishing, reloading.

    Every transfer mode writes the new mag's array at the reserved path itself (there is no local copy to move or
    link); ``transfer_mode`` is validated like the reference's argument."""

    def __init__(
        self, dataset: RemoteDataset, transfer_mode: Any, path_prefix: str | None, overwrite_pending: bool
    ) -> None:
        """Write new mags of ``dataset``'s layers with the reservation options of the reference's methods."""
        self.dataset = dataset
        self.transfer_mode = TransferMode(transfer_mode)
        self.path_prefix = path_prefix
        self.overwrite_pending = bool(overwrite_pending)
        self.pending: dict[tuple[str, Mag], tuple[ApiReserveMagUploadToPathParameters, UPath]] = {}
        self._stored_paths: dict[tuple[str, Mag], UPath | None] | None = None

    # ------------------------------------------------------------------ reading the source mags

    def readable(self, found: Any) -> Any:
        """The view to read ``found`` (a mag of the dataset) through: at its stored path when this machine reaches
        it (no HTTP), else ``found`` itself (the dataset's access mode, e.g. zarr streaming)."""
        if not hasattr(found, "access_mode") or found.access_mode is RemoteAccessMode.DIRECT_PATH:
            return found
        path = self._stored_path(found.layer.name, found.mag)
        if path is None or not is_local(path) or not local_path(path).exists():
            return found
        stored_format = found.layer.data_format
        return MagView(found.layer, found.mag, path, True, data_format=stored_format)

    def stored_paths(self) -> list[UPath]:
        """Where the server stores the dataset's mags (every layer), as its data source says."""
        return [p for p in self._stored_path_table().values() if p is not None]

    def _stored_path(self, layer_name: str, mag: Mag) -> UPath | None:
        return self._stored_path_table().get((layer_name, Mag(mag)))

    def _stored_path_table(self) -> dict[tuple[str, Mag], UPath | None]:
        if self._stored_paths is None:
            from .remote_layer_changes import server_data_source

            source = self.dataset.stored_data_source() or server_data_source(self.dataset)
            self._stored_paths = {
                (layer.name, entry.mag): UPath(entry.path) if entry.path else None
                for layer in source.data_layers
                for entry in layer.mags
            }
        return self._stored_paths

    # ------------------------------------------------------------------ the new mags

    def reserve(self, layer: RemoteLayer, target: Mag, chunk_shape: Any, shard_shape: Any, compress: Any) -> MagView:
        """Reserve a path for ``target`` of ``layer`` on the server and create the mag's (empty) array there."""
        target = Mag(target)
        path = self.reserve_path(layer, target)
        chunk = Vec3Int.from_vec_or_int(chunk_shape) if chunk_shape is not None else DEFAULT_CHUNK_SHAPE
        if shard_shape is not None:
            shard = Vec3Int.from_vec_or_int(shard_shape)
        else:
            shard = created_mag_shard_shape(layer.data_format, chunk, layer.bounding_box.size_xyz.z)
        try:
            return ReservedMagView.create(
                layer, target, path=path, chunk_shape=chunk, shard_shape=shard, compression_mode=compress
            )
        except Exception as error:  # noqa: BLE001 - any failure to create the array is reported with its path
            raise self.failed(layer.name, target, error) from error

    def reserve_path(self, layer: RemoteLayer, target: Mag) -> UPath:
        """Reserve a storage path for the new mag ``target`` of ``layer`` on the server; MagUploadError if the
        server refuses or this machine cannot reach the path (the reservation is then left pending)."""
        self.dataset.check_writable(f"the mags of layer {layer.name!r}")
        target = Mag(target)
        if target in layer.mags:
            raise MagUploadError(
                f"Layer {layer.name!r} of the remote dataset {self.dataset.url} already has Mag {_name(target)}; "
                "delete it first (RemoteLayer.delete_mag) to add it again."
            )
        box = layer.bounding_box
        names = array_axes(box) if not has_extra_axes(box) else array_axes(box)[1:]
        params = ApiReserveMagUploadToPathParameters(
            layer_name=layer.name,
            mag=target.to_list(),
            axis_order={axis: i for i, axis in enumerate(names) if axis in ("c", "x", "y", "z")},
            channel_index=None,
            path_prefix=self.path_prefix,
            overwrite_pending=self.overwrite_pending,
        )
        what = f"Mag {_name(target)} of layer {layer.name!r} of the remote dataset {self.dataset.url}"
        try:
            reserved = self.dataset.context.api_client.reserve_mag_upload_to_paths(self.dataset.dataset_id, params)
        except ApiClientError as error:
            raise MagUploadError(
                f"WEBKNOSSOS refused to reserve a storage path for {what}: {error}. Check that your token may change "
                "the dataset and that the layer has no pending mag of this name (overwrite_pending=True replaces one)."
            ) from error
        path = UPath(reserved)
        self.pending[(layer.name, target)] = (params, path)
        if not storage_is_reachable(path, self.stored_paths()):
            raise MagUploadError(
                f"WEBKNOSSOS reserved {reserved} for {what}, but that path is not reachable from this machine (no "
                "data of the dataset is found near it). Run where the datastore's storage is mounted at that path "
                "(or download the dataset, change it locally and upload it). The reservation is left pending on "
                "the server (not finished)."
            )
        return path

    def finish(self, mag_view: MagView) -> None:
        """Mark the completely written ``mag_view`` finished on the server and reload the dataset's layers."""
        layer = mag_view.layer
        params, _ = self.pending[(layer.name, mag_view.mag)]
        self.dataset.context.api_client.finish_mag_upload_to_paths(self.dataset.dataset_id, params)
        del self.pending[(layer.name, mag_view.mag)]
        self.reload(layer)

    def finish_all(self) -> None:
        """Finish the mags reserved but not computed (an empty layer box leaves nothing to write)."""
        for layer_name, mag in list(self.pending):
            _, path = self.pending[(layer_name, mag)]
            layer = self.dataset.get_layer(layer_name)
            self.finish(MagView(layer, mag, path, True))

    def failed(self, layer_name: str, mag: Mag, error: BaseException) -> MagUploadError:
        """The error for a mag whose array could not be written (its reservation stays pending)."""
        _, path = self.pending[(layer_name, Mag(mag))]
        return MagUploadError(
            f"Writing Mag {_name(Mag(mag))} of layer {layer_name!r} to {path} (the path WEBKNOSSOS reserved in the "
            f"remote dataset {self.dataset.url}) failed: {error}. The mag was not finished; its reservation is left "
            "pending on the server (a new attempt replaces it unless overwrite_pending=False)."
        )

    def reload(self, layer: RemoteLayer) -> None:
        """Read the dataset from the server again; ``layer`` (the object in use) becomes its layer again."""
        dataset = self.dataset
        sharing_token = dataset.opened_sharing_token
        target = Target(dataset.context, dataset.dataset_id, sharing_token, dataset.annotation_id, dataset.access_mode)
        info = fetch_info(dataset.context, dataset.dataset_id, sharing_token)
        dataset.replace_properties(read_properties(target, info, dataset.zarr_streaming_path))
        dataset.remember_server_info(info)
        dataset.keep_layer_object(layer, dataset.read_only)
        self._stored_paths = None


@contextmanager
def writing_new_mags(
    dataset: RemoteDataset, transfer_mode: Any, common_storage_path_prefix: str | None, overwrite_pending: bool
) -> Iterator[ServerMagWriting]:
    """Let the layers of ``dataset`` create new mags through the server while the block runs. Mags computed
    completely are finished as they are done; after a failure the unfinished ones are reported pending."""
    dataset.check_writable("the layers (new mags)")
    if dataset.annotation_id is not None:
        raise MagUploadError(
            f"Cannot add mags to the remote dataset {dataset.url}: it is the view of annotation "
            f"{dataset.annotation_id!r}. Open the dataset itself (RemoteDataset.open(dataset_id=...))."
        )
    if dataset.mag_writing is not None:
        raise MagUploadError(f"The remote dataset {dataset.url} is already writing new mags.")
    session = ServerMagWriting(dataset, transfer_mode, common_storage_path_prefix, overwrite_pending)
    dataset.mag_writing = session
    try:
        yield session
        session.finish_all()
    except MagUploadError:
        raise
    except Exception as error:
        if not session.pending:
            raise
        layer_name, mag = next(iter(session.pending))
        raise session.failed(layer_name, mag, error) from error
    finally:
        dataset.mag_writing = None
