"""RemoteLayer and RemoteSegmentationLayer: layers of a RemoteDataset, their mags read over the datastore's paths.

They are the local Layer classes on a remote location: a mag's ``read()`` goes through the same ArrayStorage
adapter as local data (tensorstore's http kvstore, the context's token as a header), fetching only the chunks
the box touches. Their existing voxel data is never written; new mags (downsample, upsample) are written at the
storage paths the server reserves for them (``mag_upload``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..dataset.layer import Layer, SegmentationLayer
from ..dataset.sampling_modes import SamplingModes
from ..dataset.transfer_mode import TransferMode
from ..geometry import Mag
from .access_mode import RemoteAccessMode
from .remote_mag_view import RemoteMagView

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
        """A layer of ``dataset``; ``read_only`` is the dataset's (its voxel data is never written through it)."""
        super().__init__(dataset, properties, read_only)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"RemoteLayer({self.name!r}, dtype={self.dtype}, num_channels={self.num_channels})"

    @property
    def dataset(self) -> RemoteDataset:  # type: ignore[override]
        """The remote dataset this layer belongs to."""
        return self._dataset  # type: ignore[return-value]

    @property
    def is_foreign(self) -> bool:
        """Remote layers are never foreign to their (remote) dataset."""
        return False

    @property
    def data_format(self) -> Any:
        """The format the server stores the layer in (as its dataset information says, like the reference); the
        mags are read in the format they are streamed in (``mag_view.data_format``)."""
        return self.dataset.stored_format(self.name) or self._properties.data_format

    def check_writable(self) -> None:
        """Internal (daedalus' own operations, not webknossos API): raise because a remote layer is not changed here
        (except while it writes new mags into the server's storage: downsample, upsample)."""
        if self.dataset.mag_writing is None:
            raise _refuse(self, "change")

    def new_mag_view(self, mag: Mag, path: Any) -> RemoteMagView:
        """Internal (not webknossos API): the RemoteMagView for ``mag`` at ``path``."""
        return RemoteMagView(self, mag, access_mode=self.dataset.access_mode, path=path)

    # ------------------------------------------------------------------ mags in an access mode

    def get_mag(self, mag: Any, *, access_mode: RemoteAccessMode | None = None) -> RemoteMagView:  # type: ignore[override]
        """The RemoteMagView of ``mag``, reached through ``access_mode`` (default: the dataset's); IndexError if
        the layer has no such mag."""
        found: RemoteMagView = super().get_mag(mag)  # type: ignore[assignment]
        if access_mode is None and self.dataset.mag_writing is not None:
            return self.dataset.mag_writing.readable(found)  # type: ignore[no-any-return]
        return found if access_mode is None else found.with_access_mode(access_mode)

    def get_finest_mag(self, *, access_mode: RemoteAccessMode | None = None) -> RemoteMagView:  # type: ignore[override]
        """The mag with the finest resolution, reached through ``access_mode`` (default: the dataset's)."""
        found: RemoteMagView = super().get_finest_mag()  # type: ignore[assignment]
        if access_mode is None and self.dataset.mag_writing is not None:
            return self.dataset.mag_writing.readable(found)  # type: ignore[no-any-return]
        return found if access_mode is None else found.with_access_mode(access_mode)

    def downsample(  # type: ignore[override]
        self,
        *,
        from_mag: Any = None,
        coarsest_mag: Any = None,
        interpolation_mode: str = "default",
        compress: bool = True,
        sampling_mode: Any = SamplingModes.ANISOTROPIC,
        align_with_other_layers: bool = True,
        buffer_shape: Any = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        force_sampling_scheme: bool = False,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_path_prefix: str | None = None,
        overwrite_pending: bool = True,
        executor: Any = None,
    ) -> None:
        """Adds coarser mags like ``Layer.downsample``; each new mag is written at the path the server reserves for it
        (the datastore's storage must be reachable from here; see ``daedalus.core.remote.mag_upload``)."""
        from .mag_upload import writing_new_mags

        with writing_new_mags(self.dataset, transfer_mode, common_storage_path_prefix, overwrite_pending):
            Layer.downsample(
                self,
                from_mag=from_mag,
                coarsest_mag=coarsest_mag,
                interpolation_mode=interpolation_mode,
                compress=compress,
                sampling_mode=sampling_mode,
                align_with_other_layers=align_with_other_layers,
                buffer_shape=buffer_shape,
                chunk_shape=chunk_shape,
                shard_shape=shard_shape,
                force_sampling_scheme=force_sampling_scheme,
                executor=executor,
            )

    def upsample(  # type: ignore[override]
        self,
        from_mag: Any,
        *,
        finest_mag: Any = Mag(1),
        compress: bool = True,
        sampling_mode: Any = SamplingModes.ANISOTROPIC,
        align_with_other_layers: bool = True,
        buffer_shape: Any = None,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_path_prefix: str | None = None,
        overwrite_pending: bool = True,
        executor: Any = None,
    ) -> None:
        """Adds finer mags like ``Layer.upsample``; each new mag is written at the path the server reserves for it
        (the datastore's storage must be reachable from here; see ``daedalus.core.remote.mag_upload``)."""
        from .mag_upload import writing_new_mags

        with writing_new_mags(self.dataset, transfer_mode, common_storage_path_prefix, overwrite_pending):
            Layer.upsample(
                self,
                from_mag,
                finest_mag=finest_mag,
                compress=compress,
                sampling_mode=sampling_mode,
                align_with_other_layers=align_with_other_layers,
                buffer_shape=buffer_shape,
                executor=executor,
            )

    # ------------------------------------------------------------------ new mags through the server (internal)

    def _prepare_target(self, target: Mag, source_info: Any, chunk_shape: Any, shard_shape: Any, compress: Any) -> Any:
        """Internal: the new mag ``target``, created at the path the server reserves for it."""
        session = self.dataset.mag_writing
        if session is None:
            raise _refuse(self, "add mags to")
        return session.reserve(self, target, chunk_shape, shard_shape, compress)

    def _compute_step(
        self, source_view: Any, target_view: Any, interpolation_mode: str | None, buffer_shape: Any, executor: Any
    ) -> None:
        """Internal: compute ``target_view`` like a local layer, then mark it finished on the server."""
        super()._compute_step(source_view, target_view, interpolation_mode, buffer_shape, executor)
        session = self.dataset.mag_writing
        if session is not None:
            session.finish(target_view)

    # ------------------------------------------------------------------ changes through the server

    def add_mag_as_ref(  # type: ignore[override]
        self, foreign_mag_view_or_path: Any, *, mag: Any = None, extend_layer_bounding_box: bool = True
    ) -> Any:
        """Adds a mag of a layer of another dataset on the same server by reference (no data is copied)."""
        from .remote_layer_changes import add_mag_as_ref

        return add_mag_as_ref(self, foreign_mag_view_or_path, mag, extend_layer_bounding_box)

    def add_mag_as_copy(  # type: ignore[override]
        self,
        foreign_mag_view_or_path: Any,
        *,
        mag: Any = None,
        extend_layer_bounding_box: bool = True,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_path_prefix: str | None = None,
        overwrite_pending: bool = True,
    ) -> Any:
        """Copies a mag (a MagView or its path) into this layer at the storage path the server reserves for it
        (the datastore's storage must be reachable from here; see ``daedalus.core.remote.remote_copies``)."""
        from .remote_copies import add_mag_as_copy

        return add_mag_as_copy(
            self,
            foreign_mag_view_or_path,
            mag,
            extend_layer_bounding_box,
            transfer_mode,
            common_storage_path_prefix,
            overwrite_pending,
        )

    def delete_mag(self, mag: Any) -> None:
        """Removes the mag from the layer on the server (its data is not deleted)."""
        from .remote_layer_changes import delete_mag

        delete_mag(self, mag)

    @property
    def view_configuration(self) -> Any:
        """The view configuration the server stores for this layer (fetched on every access), or None."""
        from .remote_layer_changes import view_configuration

        return view_configuration(self)

    def as_segmentation_layer(self) -> RemoteSegmentationLayer:  # type: ignore[override]
        """Casts into RemoteSegmentationLayer (TypeError for color layers)."""
        if not isinstance(self, RemoteSegmentationLayer):
            raise TypeError(f"Layer {self.name!r} is a {self.category} layer, not a segmentation layer.")
        return self


class RemoteSegmentationLayer(RemoteLayer, SegmentationLayer):
    """A segmentation layer of a dataset on a WEBKNOSSOS server."""

    @property
    def attachments(self) -> Any:
        """The layer's attachments as the server stores them (RemoteAttachments; changes go to the server)."""
        from .remote_attachments import RemoteAttachments

        return RemoteAttachments(self)

    def download_mesh(
        self,
        segment_id: int,
        output_dir: Any,
        mesh_file_name: str | None = None,
        datastore_url: str | None = None,
        lod: int = 0,
        mapping_name: str | None = None,
        mapping_type: Any = None,
        mag: Any = None,
        seed_position: Any = None,
        token: str | None = None,
        sharing_token: str | None = None,
    ) -> Any:
        """Downloads the mesh of ``segment_id`` as ``<output_dir>/<dataset>_<layer>_<segment_id>.stl`` (returned):
        precomputed from ``mesh_file_name``, else computed by the datastore at ``mag`` from ``seed_position``."""
        from .meshes import download_layer_mesh

        return download_layer_mesh(
            self,
            segment_id,
            output_dir,
            mesh_file_name=mesh_file_name,
            datastore_url=datastore_url,
            lod=lod,
            mapping_name=mapping_name,
            mapping_type=mapping_type,
            mag=mag,
            seed_position=seed_position,
            token=token,
            sharing_token=sharing_token,
        )


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
            organization_id=dataset.organization_id,
        )

    def as_api_linked_layer_identifier(self) -> Any:
        """The upload payload entry naming this layer."""
        from ..client.models import ApiLinkedLayerIdentifier

        return ApiLinkedLayerIdentifier(
            dataset_id=self.dataset_id, layer_name=self.layer_name, new_layer_name=self.new_layer_name
        )
