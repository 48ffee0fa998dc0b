"""AgglomerateAttachment: agglomerate files (zarr3 or HDF5), created from and read back as an AgglomerateGraph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ... import ports
from ...properties import AttachmentDataFormat
from ..paths import to_upath
from .agglomerate_layout import AGGLOMERATE_ATTRIBUTES, AGGLOMERATE_KEYS, decode_agglomerates, encode_agglomerates
from .attachment import Attachment, folder_name
from .file_ops import remove_entry

if TYPE_CHECKING:
    from ..layer import SegmentationLayer
    from .agglomerate_graph import AgglomerateGraph


class AgglomerateAttachment(Attachment):
    """An agglomerate file: which segments form which agglomerate, with the graph edges between them."""

    container_name: ClassVar[str] = "agglomerates"
    type_name: ClassVar[str] = "agglomerate"
    allowed_data_formats = (AttachmentDataFormat.Zarr3, AttachmentDataFormat.HDF5)

    @classmethod
    def create(cls, path: Any, graph: AgglomerateGraph, *, segmentation_dtype: Any = "uint32") -> AgglomerateAttachment:
        """Write ``graph`` as a zarr3 agglomerate at ``path`` (connected components become agglomerates).

        ``segmentation_dtype`` must be the dtype of the segmentation layer it is meant for.
        """
        from .agglomerate_graph import check_segmentation_dtype  # loads networkx, as ``graph`` already did

        data = graph.to_agglomerate_graph_data(check_segmentation_dtype(segmentation_dtype))
        arrays = encode_agglomerates(data)
        target = to_upath(path)
        if target.exists():
            raise FileExistsError(f"Cannot create an agglomerate at {target}: it exists. Choose a new path.")
        storage = ports.resolve_attachment_storage(AttachmentDataFormat.Zarr3)
        try:
            storage.write_arrays(target, arrays, AGGLOMERATE_ATTRIBUTES)
        except BaseException:
            remove_entry(target)
            raise
        return cls.from_path_and_name(target, target.name, data_format=AttachmentDataFormat.Zarr3)

    @classmethod
    def create_and_add_to(cls, layer: SegmentationLayer, name: str, graph: AgglomerateGraph) -> AgglomerateAttachment:
        """Write ``graph`` as agglomerate ``name`` into the layer's ``agglomerates/`` folder and register it."""
        layer.check_writable()
        attachments = layer.attachments
        attachments.check_name_free(cls, name)
        target = layer.path / folder_name(cls.container_name) / name
        created = cls.create(target, graph, segmentation_dtype=layer.dtype)
        try:
            return attachments.add_attachment_as_ref(created)
        except BaseException:
            remove_entry(target)
            raise

    def read_arrays(self) -> dict[str, np.ndarray]:
        """All arrays of the agglomerate file by key."""
        storage = ports.resolve_attachment_storage(self.data_format)
        return {key: storage.read_array(self.path, key) for key in AGGLOMERATE_KEYS}

    def segmentation_dtype(self) -> np.dtype:
        """The segment-id dtype the file was written for (dtype of ``agglomerate_to_segments``)."""
        storage = ports.resolve_attachment_storage(self.data_format)
        found = storage.list_arrays(self.path)
        missing = [key for key in AGGLOMERATE_KEYS if key not in found]
        if missing:
            raise ValueError(
                f"{self.path} is not an agglomerate file: it lacks the arrays {missing}. "
                "Create one with AgglomerateAttachment.create()."
            )
        return np.dtype(found["agglomerate_to_segments"][1])

    def to_graph(self) -> AgglomerateGraph:
        """Read the agglomerate file and rebuild its AgglomerateGraph (positions as Vec3Int, float affinities)."""
        return decode_agglomerates(self.read_arrays())
