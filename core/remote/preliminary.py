"""Dataset.publish_to_preliminary_dataset: fill a dataset reserved on WEBKNOSSOS (status "uploading") with local data.

WEBKNOSSOS reserves storage paths for the dataset's mags and attachments
(``POST /api/v<n>/datasets/<id>/reserveUploadToPathsForPreliminary`` with the local properties), the client copies
(or moves and symlinks) each one there, then marks the upload finished (``.../finishUploadToPaths``).
"""

from __future__ import annotations

from typing import Any

from ..client.context import get_context
from ..client.models import ApiReserveDatasetUploadToPathsForPreliminaryParameters
from ..dataset.transfer_mode import TransferMode
from ..geometry import Mag
from ..properties import SegmentationLayerProperties

_ATTACHMENT_KINDS = ("meshes", "agglomerates", "connectomes", "segment_index", "cumsum")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _attachment_transfers(local_layer: Any, reserved: SegmentationLayerProperties) -> list[tuple[Any, str, str]]:
    """(local path, reserved path, label) of each attachment the server reserved a path for."""
    transfers = []
    for kind in _ATTACHMENT_KINDS:
        local = {a.name: a for a in _as_list(getattr(local_layer.attachments, kind))}
        for props in _as_list(getattr(reserved.attachments, kind)):
            if props.name not in local:
                raise RuntimeError(
                    f"WEBKNOSSOS reserved a path for the {kind} attachment {props.name!r} of layer "
                    f"{local_layer.name!r}, which the local dataset does not have."
                )
            transfers.append((local[props.name].path, props.path, f"{local_layer.name}/{kind}/{props.name}"))
    return transfers


def _planned_transfers(dataset: Any, reserved_layers: list[Any]) -> list[tuple[Any, str, str]]:
    """(local path, reserved path, label) of every mag and attachment; checked before anything is moved."""
    transfers = []
    for reserved in reserved_layers:
        if reserved.name not in dataset.layers:
            raise RuntimeError(f"WEBKNOSSOS reserved paths for a layer {reserved.name!r} the local dataset lacks.")
        layer = dataset.get_layer(reserved.name)
        for mag in reserved.mags:
            if not mag.path:
                raise RuntimeError(f"WEBKNOSSOS reserved no path for mag {Mag(mag.mag)} of layer {reserved.name!r}.")
            label = f"{reserved.name}/{Mag(mag.mag).to_layer_name()}"
            transfers.append((layer.get_mag(mag.mag).path, mag.path, label))
        if isinstance(reserved, SegmentationLayerProperties):
            transfers += _attachment_transfers(layer, reserved)
    return transfers


def publish_to_preliminary_dataset(
    dataset: Any, dataset_id: str, *, path_prefix: str | None = None, transfer_mode: Any = TransferMode.COPY
) -> None:
    """``Dataset.publish_to_preliminary_dataset`` (see its docstring)."""
    mode = TransferMode(transfer_mode)
    if mode is TransferMode.HTTP:
        raise ValueError(
            "publish_to_preliminary_dataset writes to the server's storage paths; use TransferMode.COPY or "
            "TransferMode.MOVE_AND_SYMLINK (TransferMode.HTTP uploads are done by Dataset.upload)."
        )
    if not isinstance(dataset_id, str) or not dataset_id:
        raise ValueError(f"dataset_id must be the id of the reserved dataset, got {dataset_id!r}.")
    api = get_context().api_client
    reply = api.reserve_dataset_upload_to_paths_for_preliminary(
        dataset_id,
        ApiReserveDatasetUploadToPathsForPreliminaryParameters(
            data_source=dataset.copy_properties(), path_prefix=path_prefix
        ),
    )
    for source, target, label in _planned_transfers(dataset, list(reply.data_source.data_layers)):
        mode.transfer(source, target, f"Publishing {label}")
    api.finish_dataset_upload_to_paths(dataset_id)
