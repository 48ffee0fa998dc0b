"""Changing the layers and mags of a RemoteDataset through the WEBKNOSSOS server.

The server is the truth: a change is either a compose request (a layer, mag or attachment of another dataset
added by reference) or a PATCH of the dataset's whole data source (``updatePartial`` with ``dataSource``, as
the reference library sends it); afterwards the dataset reloads its properties from the server. Copies of voxel
data go to the storage paths the server reserves (remote_copies.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..client.models import ApiDatasetComposeLayer, ApiDatasetComposeMag, ApiUnusableDataSource
from ..errors import DtypeArgumentsError, InvalidArgumentError, LayerCategoryError, LayerExistsError
from ..geometry import BoundingBox, Mag, NDBoundingBox
from ..properties import (
    COLOR_CATEGORY,
    SEGMENTATION_CATEGORY,
    DataFormat,
    DatasetProperties,
    LayerProperties,
    LayerViewConfiguration,
    SegmentationLayerProperties,
    dataset_properties_to_json,
)
from .opening import Target, fetch_info, read_properties

if TYPE_CHECKING:
    from ..dataset.mag_view import MagView
    from .remote_dataset import RemoteDataset
    from .remote_layer import RemoteLayer

Change = Callable[[DatasetProperties], None]


# ------------------------------------------------------------------ server round trips


def reload(dataset: RemoteDataset) -> None:
    """Read the dataset's properties from the server again and rebuild its layers."""
    target = Target(
        dataset.context, dataset.dataset_id, dataset.opened_sharing_token, dataset.annotation_id, dataset.access_mode
    )
    info = fetch_info(dataset.context, dataset.dataset_id, dataset.opened_sharing_token)
    properties = read_properties(target, info, dataset.zarr_streaming_path)
    dataset.replace_properties(properties)


def server_data_source(dataset: RemoteDataset) -> DatasetProperties:
    """The data source the server stores for the dataset (not the zarr streaming view of it)."""
    source = dataset.server_info().data_source
    if isinstance(source, ApiUnusableDataSource):
        raise RuntimeError(
            f"Cannot change the layers of the remote dataset {dataset.url}: WEBKNOSSOS cannot use its data source "
            f"({source.status}). Fix the dataset on the server first."
        )
    return source


def update_data_source(
    dataset: RemoteDataset, what: str, change: Change, attachment_renamings: Sequence[dict[str, str]] = ()
) -> None:
    """Apply ``change`` to the server's data source, send it (PATCH updatePartial) and reload the dataset."""
    dataset.check_writable(what)
    source = server_data_source(dataset)
    change(source)
    body = {
        "dataSource": dataset_properties_to_json(source),
        "layerRenamings": [],
        "attachmentRenamings": list(attachment_renamings),
    }
    dataset.context.api_client.dataset_update(dataset_id=dataset.dataset_id, dataset_updates=body)
    reload(dataset)


def layer_in(source: DatasetProperties, name: str, dataset: RemoteDataset) -> LayerProperties:
    """The layer ``name`` of the server's data source ``source``; IndexError saying to reopen ``dataset`` if absent."""
    for layer in source.data_layers:
        if layer.name == name:
            return layer
    raise IndexError(f"The server's data source of {dataset.url} has no layer {name!r}; reopen the dataset.")


def _adopt(layer: RemoteLayer) -> None:
    """After a reload, make ``layer`` (the object the caller holds) the dataset's layer of its name again: its
    properties and its mag views are rebuilt from the reloaded properties."""
    layer.dataset.keep_layer_object(layer)


def get_new_layer(dataset: RemoteDataset, name: str, action: str) -> RemoteLayer:
    """The layer ``name`` that ``action`` just added on the server (RuntimeError if the reloaded dataset lacks it)."""
    if name not in dataset.layers:
        raise RuntimeError(
            f"{action} was accepted by the server, but the remote dataset {dataset.url} has no layer {name!r} "
            "afterwards; the datastore may not have reloaded the dataset yet (RemoteDataset.open it again later)."
        )
    return dataset.get_layer(name)


# ------------------------------------------------------------------ layers


def _new_layer_properties(
    name: str,
    category: str,
    dtype: Any,
    dtype_per_channel: Any,
    num_channels: int | None,
    data_format: Any,
    bounding_box: NDBoundingBox | None,
    kwargs: dict[str, Any],
) -> LayerProperties:
    if category not in (COLOR_CATEGORY, SEGMENTATION_CATEGORY):
        raise LayerCategoryError(f"Unknown layer category {category!r}; use 'color' or 'segmentation'.")
    if dtype is not None and dtype_per_channel is not None:
        raise DtypeArgumentsError(f"Adding layer {name!r}: give dtype or the deprecated dtype_per_channel, not both.")
    try:
        fmt = DataFormat(data_format)
    except ValueError:
        raise ValueError(f"Unknown data format {data_format!r}; use one of {[f.value for f in DataFormat]}.") from None
    common: dict[str, Any] = dict(
        name=name,
        category=category,
        bounding_box=bounding_box if bounding_box is not None else BoundingBox((0, 0, 0), (0, 0, 0)),
        data_format=fmt,
        mags=[],
        num_channels=int(num_channels or 1),
        dtype=np.dtype(dtype if dtype is not None else dtype_per_channel or "uint8").name,
    )
    if category == SEGMENTATION_CATEGORY:
        largest = kwargs.pop("largest_segment_id", None)
        mappings = list(kwargs.pop("mappings", None) or [])
        properties: LayerProperties = SegmentationLayerProperties(
            **common, largest_segment_id=largest, mappings=mappings
        )
    else:
        properties = LayerProperties(**common)
    if kwargs:
        raise TypeError(f"add_layer got unexpected keyword arguments {sorted(kwargs)}.")
    return properties


def add_layer(dataset: RemoteDataset, layer_name: str, category: str, **options: Any) -> RemoteLayer:
    """Add an empty layer to the server's data source (see RemoteDataset.add_layer)."""
    dataset.check_writable(f"the layers (adding {layer_name!r})")
    if layer_name in dataset.layers:
        raise LayerExistsError(f"Adding layer {layer_name!r} failed: the remote dataset {dataset.url} already has it.")
    kwargs = dict(options.pop("kwargs", {}))
    params = dict(dtype=None, dtype_per_channel=None, num_channels=None, data_format="zarr3", bounding_box=None)
    properties = _new_layer_properties(layer_name, category, kwargs=kwargs, **{**params, **options})
    update_data_source(dataset, "the layers", lambda source: source.data_layers.append(properties))
    return get_new_layer(dataset, layer_name, f"Adding layer {layer_name!r}")


def get_or_add_layer(dataset: RemoteDataset, layer_name: str, category: str, **options: Any) -> RemoteLayer:
    """The layer if it exists (category, dtype and channels must match), else a new one."""
    if layer_name not in dataset.layers:
        return add_layer(dataset, layer_name, category, **options)
    layer = dataset.get_layer(layer_name)
    wanted = options.get("dtype") if options.get("dtype") is not None else options.get("dtype_per_channel")
    checks = (
        ("category", layer.category, category),
        ("dtype", layer.dtype, None if wanted is None else np.dtype(wanted)),
        ("num_channels", layer.num_channels, options.get("num_channels")),
    )
    mismatches = [f"{what}={have} (not {want})" for what, have, want in checks if want is not None and have != want]
    if mismatches:
        raise InvalidArgumentError(f"Layer {layer_name!r} of {dataset.url} exists with " + ", ".join(mismatches))
    return layer


def delete_layer(dataset: RemoteDataset, layer_name: str) -> None:
    """Remove a layer from the server's data source (the data itself stays where it is stored)."""
    dataset.check_writable(f"the layers (deleting {layer_name!r})")
    if layer_name not in dataset.layers:
        raise IndexError(
            f"Removing layer {layer_name!r} failed: the remote dataset {dataset.url} has no such layer; "
            f"layers: {sorted(dataset.layers)}."
        )

    def change(source: DatasetProperties) -> None:
        layer_in(source, layer_name, dataset)
        source.data_layers = [p for p in source.data_layers if p.name != layer_name]

    update_data_source(dataset, "the layers", change)


def _foreign_remote_layer(dataset: RemoteDataset, foreign: Any, what: str) -> RemoteLayer:
    from .remote_layer import RemoteLayer

    if not isinstance(foreign, RemoteLayer):
        raise ValueError(
            f"Cannot add {foreign!r} to the remote dataset {dataset.url} by reference: only layers of datasets on "
            "the same WEBKNOSSOS server (RemoteLayer) can be referenced. Upload local data (Dataset.upload) or use "
            f"add_layer_as_copy; {what}."
        )
    if foreign.dataset.context.url.rstrip("/") != dataset.context.url.rstrip("/"):
        raise ValueError(
            f"Cannot reference {foreign!r} of {foreign.dataset.url} from {dataset.url}: it is on another WEBKNOSSOS "
            "server."
        )
    return foreign


def add_layer_as_ref(dataset: RemoteDataset, foreign_layer: Any, new_layer_name: str | None) -> RemoteLayer:
    """Add a layer of another dataset on the same server by reference (compose/addLayer)."""
    dataset.check_writable("the layers (adding a layer by reference)")
    foreign = _foreign_remote_layer(dataset, foreign_layer, "paths are not accepted either")
    if foreign.dataset.dataset_id == dataset.dataset_id:
        raise ValueError(
            f"Cannot add layer {foreign.name!r} of {dataset.url} to the same dataset by reference; reference a layer "
            "of another dataset."
        )
    name = new_layer_name or foreign.name
    if name in dataset.layers:
        raise LayerExistsError(
            f"Cannot add the foreign layer {foreign.name!r}: the remote dataset {dataset.url} already has a layer "
            f"called {name!r}. Pass new_layer_name=."
        )
    payload = ApiDatasetComposeLayer(
        source_dataset_id=foreign.dataset.dataset_id, source_layer_name=foreign.name, target_layer_name=name
    )
    dataset.context.api_client.dataset_add_layer_as_ref(dataset_id=dataset.dataset_id, compose_layer=payload)
    reload(dataset)
    return get_new_layer(dataset, name, f"Adding layer {name!r} by reference")


# ------------------------------------------------------------------ mags


def _foreign_mag(dataset: RemoteDataset, foreign: Any) -> MagView:
    from ..dataset.mag_view import MagView

    if not isinstance(foreign, MagView):
        raise ValueError(
            f"Cannot add {foreign!r} to a layer of the remote dataset {dataset.url} by reference: pass the MagView "
            "of a layer of another dataset on the same server (paths are not accepted)."
        )
    _foreign_remote_layer(dataset, foreign.layer, "local mags cannot be referenced")
    return foreign


def add_mag_as_ref(layer: RemoteLayer, foreign_mag: Any, mag: Any, extend_layer_bounding_box: bool) -> MagView:
    """Add a mag of another dataset's layer on the same server by reference (compose/addMag)."""
    dataset = layer.dataset
    dataset.check_writable(f"the mags of layer {layer.name!r}")
    foreign = _foreign_mag(dataset, foreign_mag)
    target = Mag(mag) if mag is not None else foreign.mag
    if target in layer.mags:
        raise IndexError(f"Cannot add mag {target} to layer {layer.name!r} of {dataset.url}: it exists already.")
    payload = ApiDatasetComposeMag(
        source_dataset_id=foreign.layer.dataset.dataset_id,
        source_layer_name=foreign.layer.name,
        target_layer_name=layer.name,
        source_mag=tuple(foreign.mag.to_list()),
        target_mag=tuple(target.to_list()),
    )
    dataset.context.api_client.dataset_add_mag_as_ref(dataset_id=dataset.dataset_id, compose_mag=payload)
    foreign_box = foreign.layer.bounding_box
    reload(dataset)
    new_layer = dataset.get_layer(layer.name)
    if extend_layer_bounding_box and not foreign_box.is_empty():
        extended = foreign_box if new_layer.bounding_box.is_empty() else new_layer.bounding_box.extended_by(foreign_box)
        if extended != new_layer.bounding_box:

            def grow(source: DatasetProperties) -> None:
                layer_in(source, layer.name, dataset).bounding_box = extended

            update_data_source(dataset, f"the bounding box of layer {layer.name!r}", grow)
            new_layer = dataset.get_layer(layer.name)
    _adopt(layer)
    if target not in layer.mags:
        raise RuntimeError(
            f"The server accepted mag {target} for layer {layer.name!r} of {dataset.url}, but it is not listed "
            "afterwards; open the dataset again later."
        )
    return layer.get_mag(target)


def delete_mag(layer: RemoteLayer, mag: Any) -> None:
    """Remove a mag from the layer in the server's data source (the data itself stays where it is stored)."""
    dataset = layer.dataset
    dataset.check_writable(f"the mags of layer {layer.name!r}")
    wanted = Mag(mag)
    if wanted not in layer.mags:
        raise IndexError(
            f"Deleting mag {wanted} of layer {layer.name!r} of {dataset.url} failed: the layer has mags "
            f"{[m.to_layer_name() for m in layer.mags]}."
        )

    def change(source: DatasetProperties) -> None:
        target = layer_in(source, layer.name, dataset)
        target.mags = [m for m in target.mags if Mag(m.mag) != wanted]

    update_data_source(dataset, f"the mags of layer {layer.name!r}", change)
    _adopt(layer)


def view_configuration(layer: RemoteLayer) -> LayerViewConfiguration | None:
    """The layer's view configuration as the server stores it for the user (POST datasetConfigurations)."""
    dataset = layer.dataset
    configuration = dataset.context.api_client.dataset_configuration(
        dataset_id=dataset.dataset_id, volume_tracing_ids=[]
    )
    return (configuration.layers or {}).get(layer.name)


def from_images_and_upload(input_path: Any, voxel_size: Any, name: str | None, options: dict[str, Any]) -> Any:
    """Convert images to a temporary local dataset (Dataset.from_images), upload it, and return the RemoteDataset."""
    import tempfile
    from pathlib import Path

    from ..client.context import webknossos_context
    from ..dataset.dataset import Dataset

    url, token, folder = options.pop("url", None), options.pop("token", None), options.pop("folder", None)
    if options.pop("use_bioformats", False):
        raise ValueError("use_bioformats=True is not supported by daedalus; convert the images to TIFF first.")
    dataset_name = name or Path(str(input_path)).name
    with tempfile.TemporaryDirectory(prefix="daedalus-from-images-") as folder_path:
        local = Dataset.from_images(
            input_path, Path(folder_path) / dataset_name, voxel_size, name=dataset_name, **options
        )
        if url is None and token is None:
            return local.upload(new_dataset_name=dataset_name, folder=folder)
        with webknossos_context(url=url, token=token):
            return local.upload(new_dataset_name=dataset_name, folder=folder)
