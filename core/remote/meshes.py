"""Meshes of a remote segmentation layer, downloaded as STL from the dataset's datastore."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from upath import UPath

from ..client.errors import ApiClientError, WebknossosAuthError

if TYPE_CHECKING:
    from .remote_layer import RemoteLayer


def mesh_layer(dataset: Any, layer_name: str | None) -> RemoteLayer:
    """The layer ``layer_name`` of ``dataset``, or its only segmentation layer when ``layer_name`` is None."""
    if layer_name is not None:
        return dataset.get_layer(layer_name)
    layers = dataset.get_segmentation_layers()
    if len(layers) != 1:
        names = sorted(layer.name for layer in layers)
        raise ValueError(
            f"The remote dataset {dataset.url} has {len(layers)} segmentation layers ({names}); pass layer_name=... "
            "to say which one the mesh is of."
        )
    return layers[0]


def download_dataset_mesh(
    dataset: Any, segment_id: int, output_dir: Any, *, layer_name: str | None, **options: Any
) -> UPath:
    """``RemoteDataset.download_mesh`` (deprecated): the mesh of a segment of ``layer_name`` (default: the only
    segmentation layer)."""
    warnings.warn(
        "RemoteDataset.download_mesh is deprecated; use RemoteSegmentationLayer.download_mesh instead.",
        DeprecationWarning,
        stacklevel=3,
    )
    return download_layer_mesh(mesh_layer(dataset, layer_name), segment_id, output_dir, **options)


def download_layer_mesh(
    layer: RemoteLayer,
    segment_id: int,
    output_dir: Any,
    *,
    mesh_file_name: str | None,
    datastore_url: str | None,
    lod: int,
    mapping_name: str | None,
    mapping_type: Any,
    mag: Any,
    seed_position: Any,
    token: str | None,
    sharing_token: str | None,
) -> UPath:
    """Write the mesh of ``segment_id`` to ``output_dir/<dataset name>_<layer name>_<segment_id>.stl``; return it.

    A precomputed mesh is read from ``mesh_file_name``; without it the datastore computes one at ``mag`` from
    ``seed_position`` (a position inside the segment).
    """
    from ..annotation.remote_meshes import mesh_request

    if layer.category != "segmentation":
        raise TypeError(f"Layer {layer.name!r} is a {layer.category} layer; meshes exist of segmentation layers only.")
    if token is not None:
        warnings.warn(
            "token is deprecated; use sharing_token, or a webknossos_context(token=...) for a user token, instead.",
            DeprecationWarning,
            stacklevel=3,
        )
    request = mesh_request(int(segment_id), mesh_file_name, lod, mapping_name, mapping_type, mag, seed_position)
    dataset = layer.dataset
    context = dataset.context
    info = dataset.server_info()
    store = context.get_datastore_api_client(datastore_url or info.data_store.url)
    what = f"the mesh of segment {segment_id} of layer {layer.name!r} of {dataset.url}"
    try:
        content = b"".join(
            store.download_mesh(
                mesh_info=request,
                dataset_id=dataset.dataset_id,
                layer_name=layer.name,
                sharing_token=sharing_token or token or dataset.opened_sharing_token,
            )
        )
    except WebknossosAuthError:
        raise
    except ApiClientError as error:
        if error.status_code in (400, 404):
            source = f"mesh file {mesh_file_name!r}" if mesh_file_name else f"an ad-hoc mesh at mag {mag}"
            raise RuntimeError(
                f"The datastore could not deliver {what} from {source}: {error.server_message or error}. Check the "
                "segment id and the mesh file name (layer.attachments.meshes), or the mag and seed position."
            ) from None
        raise
    target = UPath(output_dir) / f"{info.name}_{layer.name}_{segment_id}.stl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target
