"""Copying voxel data into a RemoteDataset: RemoteLayer.add_mag_as_copy and RemoteDataset.add_layer_as_copy.

Each copied mag goes where the server reserves it (``reserveMagUploadToPath``, see ``mag_upload``): the source is
read where it is (a local path, or the stream of its dataset), written at the reserved path, and only then
finished (``finishMagUploadToPath``); the dataset is read again. A layer copy first adds the empty layer to the
server's data source (PATCH ``updatePartial``), then copies each mag that way. Attachment files are not copied: no
recorded route carries them, so a layer with attachments is refused unless ``with_attachments=False``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..dataset.array_copy import copy_mag_array, mag_folder_is_free, target_layout
from ..dataset.layer_checks import check_layer_name
from ..dataset.mag_registration import (
    check_compatible,
    extended,
    resolve_foreign_layer,
    resolve_foreign_mag,
    source_layer_bbox,
    staged_layer_properties,
)
from ..dataset.mag_view import MagView
from ..dataset.transfer_mode import TransferMode, remove_path
from ..errors import LayerExistsError
from ..geometry import Mag
from ..properties import DataFormat, DatasetProperties
from .mag_upload import MagUploadError, writing_new_mags

if TYPE_CHECKING:
    from .remote_dataset import RemoteDataset
    from .remote_layer import RemoteLayer


def _linked(mode: TransferMode) -> bool:
    return mode in (TransferMode.SYMLINK, TransferMode.MOVE_AND_SYMLINK)


def _transfer(source: MagView, layer: RemoteLayer, mode: TransferMode, path: Any, array_bbox: Any) -> None:
    """Put the data of ``source`` at the reserved ``path``: linked or moved as it is, else copied (file by file
    where the layout matches the layer's format, recoded otherwise)."""
    if _linked(mode):
        if DataFormat(source.info.data_format) != DataFormat(layer.data_format):
            raise MagUploadError(
                f"TransferMode {mode.value!r} keeps the mag at {source.path} as it is, but it is stored as "
                f"{DataFormat(source.info.data_format).value} and layer {layer.name!r} as "
                f"{DataFormat(layer.data_format).value}; use TransferMode.COPY to recode it."
            )
        mode.transfer(source.path, path)
        return
    chunk, shard, compression = target_layout(source.info, layer.data_format, None, None, None, None)
    copy_mag_array(
        source,
        path,
        data_format=layer.data_format,
        target_bbox=array_bbox,
        chunk=chunk,
        shard=shard,
        compression=compression,
        progress_desc=f"Copying {layer.name}/{source.mag.to_layer_name()}",
    )


def add_mag_as_copy(
    layer: RemoteLayer,
    foreign_mag_view_or_path: Any,
    mag: Any,
    extend_layer_bounding_box: bool,
    transfer_mode: Any,
    common_storage_path_prefix: str | None,
    overwrite_pending: bool,
) -> MagView:
    """Copy a mag (a MagView or the path of one) into ``layer`` at the path the server reserves; see module."""
    dataset = layer.dataset
    dataset.check_writable(f"the mags of layer {layer.name!r}")
    mode = TransferMode(transfer_mode)
    source = resolve_foreign_mag(foreign_mag_view_or_path)
    check_compatible(layer, source)
    target = source.mag if mag is None else Mag(mag)
    source_bbox = source_layer_bbox(source)
    if target != source.mag:  # the voxels stay, they now stand for ``target``: the Mag(1) box scales
        source_bbox = source_bbox.align_with_mag(source.mag, ceil=True).in_mag(source.mag).from_mag_to_mag1(target)
    current = layer.bounding_box
    new_bbox = extended(current, source_bbox) if extend_layer_bounding_box else current
    array_bbox = extended(new_bbox, source_bbox)
    if target != source.mag:  # copy_mag_array sizes the array in the source's mag
        array_bbox = array_bbox.align_with_mag(target, ceil=True).in_mag(target).from_mag_to_mag1(source.mag)
    with writing_new_mags(dataset, mode, common_storage_path_prefix, overwrite_pending) as session:
        path = session.reserve_path(layer, target)
        if not mag_folder_is_free(path):
            raise MagUploadError(
                f"The path WEBKNOSSOS reserved for Mag {target.to_layer_name()} of layer {layer.name!r} ({path}) "
                "already holds files; nothing was written there and the mag was not finished (its reservation is "
                "left pending). Delete those files or try again (a new reservation gets a new path)."
            )
        try:
            _transfer(source, layer, mode, path, array_bbox)
        except BaseException as error:
            if not _linked(mode):
                remove_path(path)  # the partial copy (a link or move either happened completely or not at all)
            if isinstance(error, MagUploadError) or not isinstance(error, Exception):
                raise  # an interrupt stays an interrupt (the mag is not finished either way)
            raise session.failed(layer.name, target, error) from error
        session.finish(MagView(layer, target, path, True))
    if new_bbox != layer.bounding_box:
        _grow_bounding_box(layer, new_bbox)
    if target not in layer.mags:
        raise RuntimeError(
            f"WEBKNOSSOS finished Mag {target.to_layer_name()} of layer {layer.name!r} of {dataset.url}, but does not "
            "list it afterwards; open the dataset again later."
        )
    return layer.get_mag(target)


def _grow_bounding_box(layer: RemoteLayer, new_bbox: Any) -> None:
    """Set the layer's bounding box on the server to ``new_bbox`` (PATCH of the data source), keep ``layer``."""
    from .remote_layer_changes import layer_in, update_data_source

    dataset = layer.dataset

    def grow(source: DatasetProperties) -> None:
        layer_in(source, layer.name, dataset).bounding_box = new_bbox

    update_data_source(dataset, f"the bounding box of layer {layer.name!r}", grow)
    dataset.keep_layer_object(layer)


def _attachment_names(layer: Any) -> list[str]:
    attachments = getattr(layer, "attachments", None)
    return [a.name for a in attachments] if attachments is not None else []


def add_layer_as_copy(
    dataset: RemoteDataset,
    foreign_layer: Any,
    new_layer_name: str | None,
    data_format: Any,
    exists_ok: bool,
    transfer_mode: Any,
    common_storage_path_prefix: str | None,
    overwrite_pending: bool,
    with_attachments: bool,
) -> RemoteLayer:
    """Copy a layer (a Layer or its path) with all its mags into ``dataset`` on the server; see the module."""
    from .remote_layer_changes import get_new_layer, get_or_add_layer, update_data_source

    dataset.check_writable("the layers (adding a copy)")
    TransferMode(transfer_mode)
    foreign = resolve_foreign_layer(foreign_layer)
    name = new_layer_name or foreign.name
    check_layer_name(name)
    attachments = _attachment_names(foreign) if with_attachments else []
    if attachments:
        raise RuntimeError(
            f"Cannot copy layer {foreign.name!r} with its attachments {attachments} into the remote dataset "
            f"{dataset.url}: daedalus cannot upload attachment files to a dataset on the server. Pass "
            "with_attachments=False to copy the voxel data only (then add attachments that are on the server "
            "already with RemoteAttachments.add_attachment_as_ref), or upload a local dataset (Dataset.upload)."
        )
    fmt = DataFormat(data_format if data_format is not None else foreign.data_format)
    if name in dataset.layers and not exists_ok:
        raise LayerExistsError(
            f"Copying layer {foreign.name!r} failed: the remote dataset {dataset.url} already has a layer {name!r}. "
            "Pass new_layer_name=, or exists_ok=True to copy the mags into it."
        )
    if name in dataset.layers:
        options = dict(dtype=foreign.dtype, num_channels=foreign.num_channels)
        layer = get_or_add_layer(dataset, name, foreign.category, **options)
    else:
        properties = staged_layer_properties(foreign, name, fmt)
        update_data_source(dataset, f"the layers (adding {name!r})", lambda s: s.data_layers.append(properties))
        layer = get_new_layer(dataset, name, f"Adding layer {name!r}")
    for mag_view in foreign.mags.values():
        try:
            add_mag_as_copy(
                layer,
                mag_view,
                None,
                False,
                transfer_mode,
                common_storage_path_prefix,
                overwrite_pending,
            )
        except Exception as error:
            done = [m.to_layer_name() for m in sorted(layer.mags)]
            raise MagUploadError(
                f"Copying layer {foreign.name!r} into the remote dataset {dataset.url} stopped at Mag "
                f"{mag_view.mag.to_layer_name()}: {error} Layer {name!r} is on the server with the mags {done}; copy "
                "the missing ones with RemoteLayer.add_mag_as_copy, or remove it (RemoteDataset.delete_layer)."
            ) from error
    return layer
