"""RemoteLayer and RemoteSegmentationLayer: layers of a RemoteDataset, their mags read over the datastore's paths.

They are the local Layer classes on a remote location: a mag's ``read()`` goes through the same ArrayStorage
adapter as local data (tensorstore's http kvstore, the context's token as a header), fetching only the chunks
the box touches. Layers of a remote dataset cannot be changed through these objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..dataset.layer import Layer, SegmentationLayer

if TYPE_CHECKING:
    from .remote_dataset import RemoteDataset


def _refuse(layer: Layer, action: str) -> RuntimeError:
    return RuntimeError(
        f"Cannot {action} layer {layer.name!r} of the remote dataset {layer.dataset.url}: the voxel data of a "
        "remote dataset is read-only here. Download it (RemoteDataset.download) and change the local copy."
    )


class RemoteLayer(Layer):
    """A layer of a dataset on a WEBKNOSSOS server; its mags stream voxel data from the datastore."""

    def __init__(self, dataset: RemoteDataset, properties: Any, read_only: bool = True) -> None:
        super().__init__(dataset, properties, True)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, dtype={self.dtype}, num_channels={self.num_channels})"

    @property
    def dataset(self) -> RemoteDataset:  # type: ignore[override]
        """The remote dataset this layer belongs to."""
        return self._dataset  # type: ignore[return-value]

    @property
    def is_foreign(self) -> bool:
        """Remote layers are never foreign to their (remote) dataset."""
        return False

    def _check_writable(self) -> None:
        raise _refuse(self, "change")

    def as_segmentation_layer(self) -> RemoteSegmentationLayer:  # type: ignore[override]
        """Casts into RemoteSegmentationLayer (TypeError for color layers)."""
        if not isinstance(self, RemoteSegmentationLayer):
            raise TypeError(f"Layer {self.name!r} is a {self.category} layer, not a segmentation layer.")
        return self


class RemoteSegmentationLayer(RemoteLayer, SegmentationLayer):
    """A segmentation layer of a dataset on a WEBKNOSSOS server."""


class LayerToLink(NamedTuple):
    """A layer of an existing dataset on the server to link into an upload (instead of uploading its data)."""

    dataset_id: str
    layer_name: str
    new_layer_name: str | None = None
    organization_id: str | None = None

    @classmethod
    def from_remote_layer(cls, remote_layer: RemoteLayer, new_layer_name: str | None = None) -> LayerToLink:
        """The link to ``remote_layer`` (optionally under another name in the new dataset)."""
        dataset = remote_layer.dataset
        return cls(
            dataset_id=dataset.dataset_id,
            layer_name=remote_layer.name,
            new_layer_name=new_layer_name,
            organization_id=dataset._organization_id,
        )

    def as_api_linked_layer_identifier(self) -> Any:
        """The upload payload entry naming this layer."""
        from ..client.models import ApiLinkedLayerIdentifier

        return ApiLinkedLayerIdentifier(
            dataset_id=self.dataset_id, layer_name=self.layer_name, new_layer_name=self.new_layer_name
        )
