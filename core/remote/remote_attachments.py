"""RemoteAttachments: the attachments of a segmentation layer of a RemoteDataset, changed through the server.

They are read from the data source the server stores (the zarr streaming properties leave them out). A
reference to another dataset's attachment is a compose request; deleting and renaming PATCH the data source
(a renaming also names the old and new name, so the server can move the entry). Uploading attachment files is
refused: daedalus cannot write to the storage the server reserves for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..client.models import ApiDatasetComposeAttachment
from ..dataset.attachments.attachment import Attachment
from ..dataset.attachments.attachments import LIST_KINDS, Attachments, kind_of
from ..dataset.transfer_mode import TransferMode
from ..properties import AttachmentProperties, AttachmentsProperties, SegmentationLayerProperties
from .access_mode import RemoteAccessMode
from .remote_layer_changes import reload, server_data_source, update_data_source

if TYPE_CHECKING:
    from .remote_layer import RemoteSegmentationLayer


class RemoteAttachments(Attachments):
    """The attachments of a RemoteSegmentationLayer (meshes, agglomerates, segment index, cumsum, connectomes)."""

    def __init__(self, layer: RemoteSegmentationLayer, access_mode: RemoteAccessMode | None = None) -> None:
        """The attachments of ``layer`` at the paths of ``access_mode`` (default: the paths the server stores)."""
        super().__init__(layer)  # type: ignore[arg-type]
        self._access_mode = None if access_mode is None else RemoteAccessMode(access_mode)
        if self._access_mode is RemoteAccessMode.PROXY_PATH:
            raise ValueError(
                f"The attachments of layer {layer.name!r} cannot be read through the datastore proxy by daedalus; "
                "use RemoteAccessMode.DIRECT_PATH (the paths the server stores)."
            )
        self._server_props: AttachmentsProperties | None = None  # read from the server once per object

    @property
    def access_mode(self) -> RemoteAccessMode:
        """How the data of these attachments is accessed: DIRECT_PATH (the paths the server stores) unless another
        mode was asked for with `with_access_mode`."""
        return self._access_mode or RemoteAccessMode.DIRECT_PATH

    def with_access_mode(self, access_mode: RemoteAccessMode) -> RemoteAttachments:
        """These attachments with paths for ``access_mode``. ZARR_STREAMING serves no attachments (they are not part
        of the streamed properties): that view is empty. PROXY_PATH raises ValueError (not available here)."""
        return RemoteAttachments(self._remote_layer, access_mode)

    @property
    def _remote_layer(self) -> RemoteSegmentationLayer:
        return self._layer  # type: ignore[return-value]

    @property
    def _props(self) -> AttachmentsProperties:
        """The layer's attachments in the server's data source, read on first use (and again after a change)."""
        if self._access_mode is RemoteAccessMode.ZARR_STREAMING:
            return AttachmentsProperties()
        if self._server_props is None:
            dataset = self._remote_layer.dataset
            found = self._layer.attachments_properties
            for layer in server_data_source(dataset).data_layers:
                if layer.name == self._layer.name and isinstance(layer, SegmentationLayerProperties):
                    found = layer.attachments
                    break
            self._server_props = found
        return self._server_props

    def __repr__(self) -> str:
        return f"RemoteAttachments({list(self)!r})"

    def check_writable(self, what: str) -> None:
        """Internal: raise RuntimeError naming ``what`` if the remote dataset is read-only."""
        self._remote_layer.dataset.check_writable(f"the attachments of layer {self._layer.name!r} ({what})")

    def _commit(
        self, change: Callable[[AttachmentsProperties], None], renamings: Sequence[dict[str, str]] = ()
    ) -> None:
        """Apply ``change`` to the layer's attachments in the server's data source and send it."""
        dataset, name = self._remote_layer.dataset, self._layer.name

        def apply(source: Any) -> None:
            for layer in source.data_layers:
                if layer.name == name and isinstance(layer, SegmentationLayerProperties):
                    change(layer.attachments)
                    return
            raise IndexError(f"The server's data source of {dataset.url} has no segmentation layer {name!r}.")

        update_data_source(dataset, f"the attachments of layer {name!r}", apply, renamings)
        self._server_props = None

    # ------------------------------------------------------------------ adding

    def add_attachment_as_ref(  # type: ignore[override]
        self, attachment: Attachment, *, foreign_layer: RemoteSegmentationLayer, new_name: str | None = None
    ) -> Any:
        """Reference ``attachment`` of ``foreign_layer`` (another dataset on the same server) under ``new_name``."""
        from .remote_layer import RemoteSegmentationLayer

        self.check_writable("adding a reference")
        if not isinstance(foreign_layer, RemoteSegmentationLayer):
            raise ValueError(
                f"Cannot reference {attachment!r}: foreign_layer must be a RemoteSegmentationLayer of a dataset on the "
                "same WEBKNOSSOS server, not {foreign_layer!r}. Upload local attachments with the dataset instead."
            )
        name = new_name or attachment.name
        self.check_name_free(type(attachment), name)
        dataset = self._remote_layer.dataset
        payload = ApiDatasetComposeAttachment(
            source_dataset_id=foreign_layer.dataset.dataset_id,
            source_layer_name=foreign_layer.name,
            target_layer_name=self._layer.name,
            attachment_type=attachment.type_name,
            source_attachment_name=attachment.name,
            target_attachment_name=name,
        )
        dataset.context.api_client.dataset_add_attachment_as_ref(
            dataset_id=dataset.dataset_id, compose_attachment=payload
        )
        reload(dataset)
        self._server_props = None
        return self._find(type(attachment), name)

    def _find(self, cls: type[Attachment], name: str) -> Any:
        for found in self:
            if isinstance(found, cls) and found.name == name:
                return found
        raise RuntimeError(
            f"The server accepted {cls.__name__} {name!r} for layer {self._layer.name!r}, but it is not listed "
            "afterwards; open the dataset again later."
        )

    def _refuse_upload(self, attachment: Attachment) -> RuntimeError:
        return RuntimeError(
            f"Cannot upload {type(attachment).__name__} {attachment.name!r} to layer {self._layer.name!r} of the "
            f"remote dataset {self._remote_layer.dataset.url}: daedalus cannot write to the storage WEBKNOSSOS "
            "reserves for attachment files. Add it to the local dataset before Dataset.upload, or put it where the "
            "server can read it and reference an attachment of a dataset on the server (add_attachment_as_ref)."
        )

    def upload_attachment(
        self, attachment: Attachment, *, transfer_mode: Any = TransferMode.HTTP, common_storage_prefix: Any = None
    ) -> Any:
        """Refused (RuntimeError): attachment files cannot be uploaded to a dataset on the server by daedalus."""
        self.check_writable("uploading")
        raise self._refuse_upload(attachment)

    def add_attachment_as_copy(  # type: ignore[override]
        self,
        attachment: Attachment,
        *,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_prefix: Any = None,
        overwrite_pending: bool = True,
    ) -> Any:
        """Refused (RuntimeError), like upload_attachment."""
        self.check_writable("copying")
        raise self._refuse_upload(attachment)

    # ------------------------------------------------------------------ removing and renaming

    def delete_attachment(self, attachment: Attachment) -> None:
        """Remove ``attachment`` from the layer in the server's data source (its files stay where they are)."""
        self.check_writable("deleting")
        kind, index = kind_of(attachment), self._index_of(attachment)

        def change(target: AttachmentsProperties) -> None:
            if kind in LIST_KINDS:
                remaining = [p for i, p in enumerate(getattr(target, kind) or []) if i != index]
                setattr(target, kind, remaining)
            else:
                setattr(target, kind, None)

        self._commit(change)

    def rename_attachment(self, attachment: Attachment, *, new_name: str) -> Any:
        """Rename ``attachment`` on the server (the data source PATCH names the renaming)."""
        self.check_writable("renaming")
        kind, index = kind_of(attachment), self._index_of(attachment)
        if new_name == attachment.name:
            return attachment
        if not new_name:
            raise ValueError(f"Renaming {attachment.name!r} failed: new_name must not be empty.")
        self.check_name_free(type(attachment), new_name)

        def change(target: AttachmentsProperties) -> None:
            old = getattr(target, kind)[index] if kind in LIST_KINDS else getattr(target, kind)
            renamed = AttachmentProperties(new_name, old.path, old.data_format, extra=dict(old.extra))
            if kind in LIST_KINDS:
                getattr(target, kind)[index] = renamed
            else:
                setattr(target, kind, renamed)

        renaming = {
            "layerName": self._layer.name,
            "attachmentType": attachment.type_name,
            "oldName": attachment.name,
            "newName": new_name,
        }
        self._commit(change, [renaming])
        return self._find(type(attachment), new_name)
