"""RemoteAnnotation: an annotation stored in WEBKNOSSOS; its name and description are read from and written to
the server, its volume data is downloaded when first needed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs
from daedalus.core.client.context import WebknossosContext, get_context
from daedalus.core.client.models import ApiAnnotation
from daedalus.core.dataset.attachments.agglomerate_graph import AgglomerateGraphData

from .annotation import Annotation
from .annotation_files import read_annotation_zip
from .annotation_urls import AnnotationLink, annotation_url, position_fragment
from .server_transfer import calling_server, download_file
from .volume_layer import VolumeLayer, source_is_empty

if TYPE_CHECKING:
    from daedalus.core.remote import RemoteDataset
    from daedalus.core.skeleton import Skeleton

_NAME = Annotation.__dict__["name"]  # the slot holding the name while the object is being built


class RemoteAnnotation(Annotation):
    """A remote Annotation instance: get it with ``Annotation.open_remote()``, do not initialize it directly.

    ``name`` and ``description`` are asked from / written to the server on every access; the skeleton, view
    settings and volume layer definitions are those downloaded when it was opened.
    """

    def __init__(
        self,
        annotation_id: str,
        organization_id: str,
        dataset_id: str | None = None,
        *,
        skeleton: Skeleton,
        owner_name: str,
        name: str | None = None,
        time: int | None = None,
        edit_position: Any = None,
        edit_rotation: Any = None,
        zoom_level: float | None = None,
        task_bounding_box: Any = None,
        user_bounding_boxes: Any = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self._live = False
        self._context: WebknossosContext = get_context()
        self._link = AnnotationLink(annotation_id)
        super().__init__(
            name=name or "",
            skeleton=skeleton,
            owner_name=owner_name,
            annotation_id=annotation_id,
            time=time,
            edit_position=edit_position,
            edit_rotation=edit_rotation,
            zoom_level=zoom_level,
            metadata=dict(metadata or {}),
            task_bounding_box=task_bounding_box,
            user_bounding_boxes=user_bounding_boxes,
        )
        self.skeleton.organization_id = organization_id
        if dataset_id is not None:
            self.skeleton.dataset_id = dataset_id
        self._live = True

    @staticmethod
    def local_class() -> type[Annotation]:
        """Internal (not webknossos API): the class an annotation is downloaded as before it is wrapped."""
        return Annotation

    @classmethod
    def from_downloaded(
        cls, downloaded: Annotation, link: AnnotationLink, context: WebknossosContext
    ) -> RemoteAnnotation:
        """Internal (not webknossos API): wrap an annotation downloaded from ``context``'s server (no volume data)."""
        organization_id = downloaded.organization_id
        if organization_id is None:
            info = calling_server(
                f"Reading annotation {link.annotation_id!r}",
                context,
                lambda: context.api_client.annotation_info(annotation_id=link.annotation_id),
            )
            organization_id = str(info.extra_json.get("organization") or "")
        remote = cls.__new__(cls)
        remote._live = False
        remote._context = context
        remote._link = link
        Annotation.__init__(remote, name=downloaded.name, skeleton=downloaded.skeleton)
        for field in attrs.fields(Annotation):
            if field.name not in ("name", "skeleton", "_finalizer"):
                setattr(remote, field.name, getattr(downloaded, field.name))
        remote.annotation_id = link.annotation_id
        remote.skeleton.organization_id = organization_id
        folder = downloaded.release_scratch_folder()
        if folder is not None:  # the scratch folder now lives as long as the remote annotation
            remote.adopt_scratch_folder(folder)
        remote._live = True
        return remote

    # ------------------------------------------------------------------ synchronized with the server

    def _info(self) -> ApiAnnotation:
        return calling_server(
            f"Reading annotation {self.annotation_id!r}",
            self._context,
            lambda: self._context.api_client.annotation_info(annotation_id=str(self.annotation_id)),
        )

    def _edit(self, **changes: Any) -> None:
        info = self._info()
        changed = attrs.evolve(info, **changes)
        calling_server(
            f"Changing {sorted(changes)} of annotation {self.annotation_id!r}",
            self._context,
            lambda: self._context.api_client.annotation_edit(
                annotation_typ=info.typ, annotation_id=str(self.annotation_id), annotation=changed
            ),
        )

    @property  # type: ignore[override]
    def name(self) -> str:
        """The annotation's name in WEBKNOSSOS (asked from the server)."""
        if not getattr(self, "_live", False):
            return _NAME.__get__(self)
        return self._info().name

    @name.setter
    def name(self, value: str) -> None:
        if not getattr(self, "_live", False):
            _NAME.__set__(self, value)
            return
        self._edit(name=value)

    @property
    def description(self) -> str | None:
        """The annotation's description in WEBKNOSSOS (asked from the server)."""
        if not getattr(self, "_live", False):
            return self.skeleton.description
        return self._info().description

    @description.setter
    def description(self, value: str | None) -> None:
        if not getattr(self, "_live", False):
            self.skeleton.description = value
            return
        self._edit(description=value or "")

    @property
    def url(self) -> str:
        """The annotation's page in WEBKNOSSOS."""
        return annotation_url(self._context.url, str(self.annotation_id))

    def generate_url(self, position: Any = None) -> str:
        """The annotation's page in WEBKNOSSOS, opening at ``position`` (Mag(1) x, y, z) if given."""
        return self.url + position_fragment(position)

    # ------------------------------------------------------------------ files and volume data

    def save(self, path: Any) -> None:
        """Not possible for a remote annotation: its changes are applied on the server directly."""
        raise NotImplementedError(
            f"Remote annotation {self.annotation_id!r} cannot be saved to {path}: name and description changes "
            "are applied on the server directly. For a local copy, use "
            f"Annotation.download({self.url!r}).save(path)."
        )

    def upload(self) -> str:
        """Upload a copy of this annotation (with its volume data) to the server in effect; returns its URL."""
        return self._local_copy().upload()

    def _local_copy(self) -> Annotation:
        self._fetch_volume_data()
        copy = Annotation(name=self.name, skeleton=self.skeleton)
        for field in attrs.fields(Annotation):
            if field.name not in ("name", "skeleton", "_scratch", "_finalizer"):
                setattr(copy, field.name, getattr(self, field.name))
        # shared: removed with this remote annotation, not with the copy
        copy.adopt_scratch_folder(self._scratch_dir(), remove_with_this=False)
        return copy

    def _fetch_volume_data(self) -> None:
        """Download the volume data once (the annotation was opened without it)."""
        missing = [v for v in self._volume_layers if v.source is None]
        if not missing or getattr(self, "_volume_data_fetched", False):
            return
        content, filename = download_file(self._context, self._link, skip_volume_data=False)
        self._volume_data_fetched = True
        if not content.startswith(b"PK"):
            return  # an NML: the annotation has no volume data
        path = self._scratch_dir() / "downloaded-with-volume-data.zip"
        path.write_bytes(content)
        _, _, sources = read_annotation_zip(path)
        for volume in missing:
            source = sources.get(volume.id)
            if source is not None and not source_is_empty(source):
                volume.source = source

    def _has_data(self, volume: VolumeLayer) -> bool:
        self._fetch_volume_data()
        return volume.has_data

    @contextmanager
    def temporary_volume_layer_copy(
        self, volume_layer_name: str | None = None, volume_layer_id: int | None = None, read_only: bool = True
    ) -> Iterator[Any]:
        """A SegmentationLayer of a temporary dataset holding the volume data (downloaded on first use)."""
        self._has_data(self.get_volume_layer(volume_layer_name, volume_layer_id))
        with super().temporary_volume_layer_copy(volume_layer_name, volume_layer_id, read_only) as layer:
            yield layer

    def export_volume_layer_to_dataset(
        self,
        dataset: Any,
        layer_name: str = "volume_layer",
        volume_layer_name: str | None = None,
        volume_layer_id: int | None = None,
    ) -> Any:
        """Copy a volume layer's data (downloaded on first use) into ``dataset`` as ``layer_name``."""
        self._has_data(self.get_volume_layer(volume_layer_name, volume_layer_id))
        return super().export_volume_layer_to_dataset(dataset, layer_name, volume_layer_name, volume_layer_id)

    def merge_fallback_layer(
        self, target: Any, dataset_directory: Any, volume_layer_name: str | None = None, executor: Any = None
    ) -> None:
        """Merge the volume layer (downloaded on first use) into a copy of its fallback layer at ``target``."""
        self._fetch_volume_data()
        super().merge_fallback_layer(target, dataset_directory, volume_layer_name, executor)

    def add_volume_layer(
        self, name: str, dtype: Any, fallback_layer: Any = None, volume_layer_id: int | None = None
    ) -> VolumeLayer:
        """Not possible for a remote annotation (WEBKNOSSOS would not learn about the new layer)."""
        raise NotImplementedError(
            f"Cannot add volume layer {name!r} to remote annotation {self.annotation_id!r}: WEBKNOSSOS would not "
            f"learn about it. Use Annotation.download({self.url!r}), add the layer and upload() the result."
        )

    def delete_volume_layer(self, volume_layer_name: str | None = None, volume_layer_id: int | None = None) -> None:
        """Not possible for a remote annotation (WEBKNOSSOS would keep the layer)."""
        raise NotImplementedError(
            f"Cannot delete a volume layer of remote annotation {self.annotation_id!r}: WEBKNOSSOS would keep it. "
            f"Use Annotation.download({self.url!r}), delete the layer and upload() the result."
        )

    # ------------------------------------------------------------------ remote datasets and server-side data

    def get_remote_annotation_dataset(self) -> RemoteDataset:
        """The annotation's layers on top of its dataset, streamed from the annotation's server."""
        from .remote_operations import remote_annotation_dataset

        return remote_annotation_dataset(self, self._context.url, self._link.sharing_token)

    def get_remote_base_dataset(
        self, sharing_token: str | None = None, webknossos_url: str | None = None
    ) -> RemoteDataset:
        """The dataset this annotation belongs to, on the annotation's server unless ``webknossos_url`` is given."""
        from .remote_operations import remote_base_dataset

        return remote_base_dataset(self, sharing_token, webknossos_url or self._context.url)

    def download_mesh(
        self,
        segment_id: int,
        output_dir: Any,
        tracing_id: str,
        mesh_file_name: str | None = None,
        lod: int = 0,
        mapping_name: str | None = None,
        mapping_type: Any = None,
        mag: Any = None,
        seed_position: Any = None,
        token: str | None = None,
    ) -> Any:
        """Download the mesh of ``segment_id`` of the volume tracing ``tracing_id`` as ``<segment_id>.stl``."""
        from .remote_meshes import download_annotation_mesh

        return download_annotation_mesh(
            self._context, segment_id, output_dir, tracing_id, mesh_file_name, lod, mapping_name, mapping_type,
            mag, seed_position, token,
        )  # fmt: skip

    def get_agglomerate_graph(self, agglomerate_id: int) -> AgglomerateGraphData:
        """The agglomerate graph of a proofreading annotation (the same as ``get_agglomerate_graph_data``)."""
        return self.get_agglomerate_graph_data(agglomerate_id)

    def get_agglomerate_graph_data(self, agglomerate_id: int) -> AgglomerateGraphData:
        """The graph of agglomerate ``agglomerate_id`` in the editable mapping of this annotation's volume layer.

        Works for proofreading annotations with exactly one volume layer (as in WEBKNOSSOS); the graph comes
        from the tracingstore.
        """
        info = self._info()
        volumes = [layer for layer in info.annotation_layers or [] if layer.typ.lower() == "volume"]
        if len(volumes) != 1:
            raise ValueError(
                f"Annotation {self.annotation_id!r} has {len(volumes)} volume layers; agglomerate graphs come from "
                "proofreading annotations with exactly one volume layer."
            )
        tracing_id = volumes[0].tracing_id
        tracingstore = self._context.get_tracingstore_api_client()
        return calling_server(
            f"Reading agglomerate {agglomerate_id} of annotation {self.annotation_id!r}",
            self._context,
            lambda: tracingstore.get_agglomerate_graph(tracing_id, agglomerate_id),
        )

    def __repr__(self) -> str:
        return (
            f"RemoteAnnotation(annotation_id={self.annotation_id!r}, url={self.url!r}, "
            f"dataset_name={self.dataset_name!r}, volume_layers={list(self.get_volume_layer_names())})"
        )
