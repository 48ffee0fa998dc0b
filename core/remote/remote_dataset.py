"""RemoteDataset: a dataset on a WEBKNOSSOS server; layers stream voxel data, metadata is synchronized."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
from upath import UPath

from ..client.context import WebknossosContext, get_context
from ..client.models import ApiDataset
from ..client.serialization import to_json
from ..dataset.abstract_dataset import AbstractDataset
from ..dataset.sampling_modes import SamplingModes
from ..dataset.transfer_mode import TransferMode
from ..geometry import BoundingBox, NDBoundingBox
from ..properties import (
    SEGMENTATION_CATEGORY,
    DataFormat,
    DatasetProperties,
    DatasetViewConfiguration,
    LayerProperties,
    SegmentationLayerProperties,
    dataset_properties_to_json,
)
from ..utils.lazy import LazyReadOnlyDict
from ..utils.small_helpers import warn_deprecated
from .access_mode import RemoteAccessMode
from .metadata import DatasetMetadata, metadata_from_api, metadata_to_api
from .opening import (
    Target,
    choose_access_mode,
    fetch_info,
    fetch_info_and_properties,
    resolve_target,
    stored_data_formats,
)
from .remote_folder import RemoteFolder
from .remote_layer import RemoteLayer, RemoteSegmentationLayer
from .teams import team_from_api, team_ids
from .urls import dataset_view_url


def _known_keys_only(properties: DatasetProperties) -> DatasetProperties:
    """``properties`` without the JSON keys daedalus keeps but does not know (they are written back elsewhere)."""
    layers = [attrs.evolve(layer, extra={}) for layer in properties.data_layers]
    return attrs.evolve(properties, data_layers=layers, extra={})


class RemoteDataset(AbstractDataset[RemoteLayer, RemoteSegmentationLayer]):
    """A representation of a dataset managed by a WEBKNOSSOS server.

    Returned by ``RemoteDataset.open()``: read access to the voxel data streamed from the server with the
    interface of ``Dataset``, plus metadata (name, description, tags, is_public, sharing_token, allowed_teams,
    folder, metadata) read from and written to the server on every access. Do not instantiate directly.
    """

    zarr_streaming_path: UPath | None  # where the arrays are read from (zarr streaming or proxy); None: direct paths
    dataset_id: str  # the dataset's id on the server
    annotation_id: str | None  # the annotation whose volume data is streamed, if opened through one
    mag_writing: Any = None  # internal: the ServerMagWriting of a running downsample / upsample (mag_upload.py)

    def __init__(
        self,
        *,
        zarr_streaming_path: UPath | None,
        dataset_properties: DatasetProperties | None,
        dataset_id: str,
        annotation_id: str | None,
        context: WebknossosContext,
        read_only: bool,
        access_mode: RemoteAccessMode = RemoteAccessMode.ZARR_STREAMING,
        sharing_token: str | None = None,
        organization_id: str | None = None,
    ) -> None:
        if dataset_properties is None:
            raise FileNotFoundError(
                f"Cannot open the remote dataset {dataset_id!r}: it has no readable datasource-properties.json."
            )
        self.zarr_streaming_path = zarr_streaming_path
        self.dataset_id = dataset_id
        self.annotation_id = annotation_id
        self._context = context
        self._read_only = read_only
        self._access_mode = access_mode
        self._sharing_token = sharing_token
        self._organization_id = organization_id
        self._properties = dataset_properties
        self._path = zarr_streaming_path if zarr_streaming_path is not None else UPath(self.url)
        self._stored_formats: dict[str, DataFormat] = {}  # layer -> format on the server (set by open)
        self._server_source: DatasetProperties | None = None  # the data source the server stores (set by open)
        self._layers: dict[str, RemoteLayer] = {}
        for layer_properties in dataset_properties.data_layers:
            self._layers[layer_properties.name] = self.make_layer(layer_properties)

    def make_layer(self, properties: LayerProperties) -> RemoteLayer:
        """Internal (not webknossos API): a RemoteLayer object for ``properties``."""
        if isinstance(properties, SegmentationLayerProperties) or properties.category == SEGMENTATION_CATEGORY:
            return RemoteSegmentationLayer(self, properties, self._read_only)
        return RemoteLayer(self, properties, self._read_only)

    def replace_properties(self, properties: DatasetProperties) -> None:
        """Internal (not webknossos API): take over ``properties`` (read from the server again) and
        rebuild the layer objects."""
        self._properties = properties
        self._layers = {p.name: self.make_layer(p) for p in properties.data_layers}

    def keep_layer_object(self, layer: RemoteLayer, read_only: bool = True) -> None:
        """Internal (not webknossos API): after ``replace_properties``, make ``layer`` (an object a caller
        holds) this dataset's layer of its name again, rebuilt from the new properties."""
        reloaded = self._layers.get(layer.name)
        if reloaded is None or reloaded is layer:
            return
        type(layer).__init__(layer, self, reloaded._properties, read_only)
        self._layers[layer.name] = layer

    def remember_server_info(self, info: ApiDataset) -> None:
        """Internal (not webknossos API): keep what the server's information says about the stored layers (their
        formats and the data source with the mags' storage paths)."""
        self._stored_formats = stored_data_formats(info)
        self._server_source = info.data_source if isinstance(info.data_source, DatasetProperties) else None

    def stored_data_source(self) -> DatasetProperties | None:
        """Internal (not webknossos API): the data source the server stores, as last read (None if unusable)."""
        return self._server_source

    def stored_format(self, layer_name: str) -> DataFormat | None:
        """Internal (not webknossos API): the format the server stores the layer in (None if unknown)."""
        return self._stored_formats.get(layer_name)

    @property
    def organization_id(self) -> str | None:
        """Internal (not webknossos API): the id of the organization the dataset belongs to (None if unknown)."""
        return self._organization_id

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        dataset_name_or_url: str | None = None,
        *,
        organization_id: str | None = None,
        sharing_token: str | None = None,
        webknossos_url: str | None = None,
        dataset_id: str | None = None,
        annotation_id_or_url: str | None = None,
        access_mode: RemoteAccessMode | None = None,
        read_only: bool = False,
        use_zarr_streaming: bool | None = None,
    ) -> RemoteDataset:
        """Opens a remote webknossos dataset by name (+ organization), URL, ``dataset_id`` or annotation.

        A URL (``<server>/datasets/<name>-<id>/view``, ``<server>/datasets/<organization>/<name>/view``, with
        ``?token=`` for a sharing token) names server, dataset and token: then organization_id, webknossos_url
        and sharing_token must not be set. ``access_mode`` defaults to ``RemoteAccessMode.ZARR_STREAMING``.
        """
        mode = choose_access_mode(access_mode, use_zarr_streaming)
        target = resolve_target(
            dataset_name_or_url,
            organization_id=organization_id,
            sharing_token=sharing_token,
            webknossos_url=webknossos_url,
            dataset_id=dataset_id,
            annotation_id_or_url=annotation_id_or_url,
            access_mode=mode,
        )
        return cls.open_target(target, read_only=read_only)

    @classmethod
    def open_target(cls, target: Target, *, read_only: bool = False, datastore_url: str | None = None) -> RemoteDataset:
        """Internal (not webknossos API): open the resolved ``target``; ``datastore_url``, the datastore known to
        hold the dataset, lets its properties be fetched together with its information."""
        mode = target.access_mode
        info, location, properties = fetch_info_and_properties(target, datastore_url)
        dataset = cls(
            zarr_streaming_path=location,
            dataset_properties=properties,
            dataset_id=target.dataset_id,
            annotation_id=target.annotation_id,
            context=target.context,
            read_only=read_only,
            access_mode=mode,
            sharing_token=target.sharing_token,
            organization_id=info.owning_organization,
        )
        dataset.remember_server_info(info)
        return dataset

    @property
    def access_mode(self) -> RemoteAccessMode:
        """The default access mode of this dataset: how its mags are read unless another one is asked for
        (``RemoteLayer.get_mag(mag, access_mode=...)``)."""
        return self._access_mode

    def with_access_mode(self, access_mode: RemoteAccessMode) -> RemoteDataset:
        """This dataset with another default access mode (opened again; ValueError if the mode is not available,
        e.g. a mode other than ZARR_STREAMING for an annotation's view)."""
        access_mode = RemoteAccessMode(access_mode)
        if access_mode is self._access_mode:
            return self
        if self.annotation_id is not None and access_mode is not RemoteAccessMode.ZARR_STREAMING:
            raise ValueError(
                f"The remote dataset {self.url} is the view of annotation {self.annotation_id!r}, whose volume data "
                f"is only streamed: access mode {access_mode.name} is not available, only ZARR_STREAMING."
            )
        return self.reopen(access_mode=access_mode)

    def reopen(self, *, access_mode: RemoteAccessMode) -> RemoteDataset:
        """Reopens the dataset in the specified access mode."""
        return RemoteDataset.open(
            dataset_id=self.dataset_id,
            webknossos_url=self._context.url,
            sharing_token=self._sharing_token,
            annotation_id_or_url=self.annotation_id,
            access_mode=access_mode,
            read_only=self._read_only,
        )

    @classmethod
    def list(
        cls,
        organization_id: str | None = None,
        tags: str | Sequence[str] | None = None,
        name: str | None = None,
        folder: RemoteFolder | str | None = None,
        folder_id: RemoteFolder | str | None = None,
    ) -> Mapping[str, RemoteDataset]:
        """Datasets on the server by id (opened when looked up), of ``organization_id`` (default: the user's),
        with all ``tags``, matching ``name`` and in ``folder`` (``folder_id`` is its deprecated alias)."""
        context = get_context()
        chosen = folder if folder is not None else folder_id
        folder_key = chosen.id if isinstance(chosen, RemoteFolder) else chosen
        wanted = [tags] if isinstance(tags, str) else builtins.list(tags or [])
        found = context.api_client.dataset_list(
            is_active=True,
            organization_id=organization_id or context.organization_id,
            name=name,
            folder_id=folder_key,
        )
        ids = {d.id: d.id for d in found if all(tag in d.tags for tag in wanted)}
        return LazyReadOnlyDict(ids, lambda dataset_id: cls.open(dataset_id=dataset_id))

    def __repr__(self) -> str:
        return f"RemoteDataset({self.url!r})"

    # ------------------------------------------------------------------ server state

    @property
    def context(self) -> Any:
        """Internal (not webknossos API): the server context (API client, URL, token) this dataset talks through."""
        return self._context

    @property
    def opened_sharing_token(self) -> str | None:
        """Internal (not webknossos API): the sharing token this dataset was opened with (None for none)."""
        return self._sharing_token

    def server_info(self) -> ApiDataset:
        """Internal (not webknossos API): the dataset's description as the server has it now."""
        return fetch_info(self._context, self.dataset_id, self._sharing_token)

    def check_writable(self, what: str) -> None:
        """Internal (not webknossos API): raise RuntimeError naming ``what`` if the dataset is read-only."""
        if self._read_only:
            raise RuntimeError(
                f"Cannot change {what} of the remote dataset {self.url}: it is opened read-only. Open it with "
                "RemoteDataset.open(..., read_only=False) to change its properties."
            )

    def delete(self) -> None:
        """Delete the dataset from the WEBKNOSSOS server, with its data (irreversible).

        RuntimeError if the dataset is opened read-only or as the view of an annotation.
        """
        if self.annotation_id is not None:
            raise RuntimeError(
                f"Cannot delete the remote dataset {self.url}: it was opened as the view of annotation "
                f"{self.annotation_id!r}. Open the dataset itself (RemoteDataset.open(dataset_id=...)) to delete it."
            )
        self.check_writable("the existence")
        self._context.api_client.dataset_delete(dataset_id=self.dataset_id)

    def _update(self, what: str, changes: dict[str, Any]) -> None:
        self.check_writable(what)
        self._context.api_client.dataset_update(dataset_id=self.dataset_id, dataset_updates=changes)

    def _replace_metadata(self, values: dict[str, Any], info: ApiDataset | None = None) -> None:
        """Write the whole metadata: a PATCH of the dataset's information ``info`` (fetched if None) with the new
        entries, the request WEBKNOSSOS 12 takes metadata with (no WkApiClient route covers it)."""
        entries = metadata_to_api(values)
        api = self._context.api_client
        info = info if info is not None else self.server_info()
        body = to_json(info)  # the fields of the information, as the reference's client sends them back
        if isinstance(info.data_source, DatasetProperties):  # without the keys it does not know (legacy mag lists)
            body["dataSource"] = dataset_properties_to_json(_known_keys_only(info.data_source))
        body["metadata"] = to_json(entries)
        url = api.url_from_route(f"/datasets/{self.dataset_id}")
        api.transport.request("PATCH", url, headers=api.headers, json=body)

    # ------------------------------------------------------------------ synchronized properties

    @property
    def read_only(self) -> bool:
        """Whether changes of the dataset's properties are refused (RuntimeError)."""
        return self._read_only

    @property
    def name(self) -> str:
        """The human-readable name for the dataset in the webknossos interface; changes are synchronized."""
        return self.server_info().name

    @name.setter
    def name(self, value: str) -> None:
        self._update("the name", {"name": value})

    @property
    def display_name(self) -> str:
        """Deprecated, please use ``name``."""
        return self.name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.name = value

    @property
    def description(self) -> str | None:
        """Free-text (markdown) description of the dataset, None if unset; changes are synchronized."""
        return self.server_info().description

    @description.setter
    def description(self, value: str | None) -> None:
        self._update("the description", {"description": value})

    @property
    def tags(self) -> tuple[str, ...]:
        """User-assigned tags for organizing and filtering datasets; changes are synchronized."""
        return tuple(self.server_info().tags)

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        if isinstance(value, str):
            raise TypeError(f"tags must be a list of strings, not the string {value!r}.")
        self._update("the tags", {"tags": builtins.list(value)})

    @property
    def is_public(self) -> bool:
        """Whether anyone may view the dataset without logging in; changes are synchronized."""
        return self.server_info().is_public

    @is_public.setter
    def is_public(self, value: bool) -> None:
        self._update("is_public", {"isPublic": bool(value)})

    @property
    def sharing_token(self) -> str:
        """A token for sharing access to this dataset (append ``?token=<token>`` to the URL)."""
        return self._context.api_client.dataset_sharing_token(dataset_id=self.dataset_id).sharing_token

    @property
    def allowed_teams(self) -> tuple[Any, ...]:
        """Teams that are allowed to access this dataset; set Team objects or team ids (synchronized)."""
        return tuple(team_from_api(t) for t in self.server_info().allowed_teams)

    @allowed_teams.setter
    def allowed_teams(self, teams: Any) -> None:
        self.check_writable("the allowed teams")
        self._context.api_client.dataset_update_teams(dataset_id=self.dataset_id, team_ids=team_ids(teams))

    @property
    def folder(self) -> RemoteFolder:
        """The (virtual) folder containing this dataset; assigning moves the dataset (synchronized)."""
        return RemoteFolder.get_by_id(self.server_info().folder_id)

    @folder.setter
    def folder(self, folder: RemoteFolder) -> None:
        folder_key = folder.id if isinstance(folder, RemoteFolder) else str(folder)
        self._update("the folder", {"folderId": folder_key})

    @property
    def metadata(self) -> DatasetMetadata:
        """Metadata key-value pairs (strings, numbers, lists of strings); changes are synchronized."""
        fetched: list[ApiDataset] = []

        def load() -> dict[str, Any]:
            fetched[:] = [self.server_info()]
            return metadata_from_api(fetched[0].metadata)

        def save(values: dict[str, Any]) -> None:
            self._replace_metadata(values, fetched[0])

        return DatasetMetadata(load, save, load(), read_only=self._read_only)

    @metadata.setter
    def metadata(self, values: Mapping[str, Any] | None) -> None:
        self.check_writable("the metadata")
        self._replace_metadata(dict(values or {}))

    @property
    def url(self) -> str:
        """URL of this dataset in the webknossos web interface."""
        return dataset_view_url(self._context.url, self.dataset_id)

    def generate_url(self, position: Any = None) -> str:
        """The URL that views this dataset (``<server>/datasets/<id>/view``), opening at ``position`` (Mag(1)
        x, y, z) if given."""
        from ..annotation.annotation_urls import position_fragment

        return f"{self.url}/view{position_fragment(position)}"

    @property
    def created(self) -> str:
        """Creation date of the dataset (e.g. ``October 20, 2017 10:28:13``, UTC)."""
        moment = datetime.fromtimestamp(self.server_info().created / 1000, tz=timezone.utc)
        return moment.strftime("%B %d, %Y %H:%M:%S")

    @property
    def used_storage_bytes(self) -> int:
        """The storage used by the dataset on the server (0: not stored there, or not yet scanned)."""
        return int(self.server_info().used_storage_bytes or 0)

    # ------------------------------------------------------------------ properties of the data

    @property
    def path(self) -> UPath:
        """Where the layers' arrays are read from (the zarr streaming or proxy location)."""
        return self._path

    @property
    def resolved_path(self) -> UPath:
        """Same as ``path``."""
        return self._path

    @property
    def default_view_configuration(self) -> DatasetViewConfiguration | None:
        """How WEBKNOSSOS shows the dataset by default (as the datastore's properties say)."""
        return self._properties.default_view_configuration

    @default_view_configuration.setter
    def default_view_configuration(self, value: DatasetViewConfiguration | None) -> None:
        """Refused, as by the reference for zarr streaming: the configuration lives in the datastore's properties."""
        self.check_writable("the default view configuration")
        raise RuntimeError(
            f"Cannot change the default view configuration of the remote dataset {self.url}: the datastore does not "
            "take property changes over zarr streaming (nor, in daedalus, over the other access modes). Set it in "
            "the WEBKNOSSOS dataset settings, or download the dataset, change it and upload it again."
        )

    def _title(self) -> str:
        return f"The remote dataset {self.url}"

    # ------------------------------------------------------------------ changing layers (remote_layer_changes.py)

    def add_layer(
        self,
        layer_name: str,
        category: str,
        *,
        dtype: Any = None,
        dtype_per_channel: Any = None,
        num_channels: int | None = None,
        data_format: Any = DataFormat.Zarr3,
        bounding_box: NDBoundingBox | None = None,
        **kwargs: Any,
    ) -> RemoteLayer:
        """Adds an empty layer to the dataset on the server (its data source); mags are added by reference."""
        from .remote_layer_changes import add_layer

        options = dict(dtype=dtype, dtype_per_channel=dtype_per_channel, num_channels=num_channels)
        return add_layer(
            self, layer_name, category, **options, data_format=data_format, bounding_box=bounding_box, kwargs=kwargs
        )

    def get_or_add_layer(
        self,
        layer_name: str,
        category: str,
        *,
        dtype: Any = None,
        dtype_per_channel: Any = None,
        num_channels: int | None = None,
        data_format: Any = DataFormat.Zarr3,
        **kwargs: Any,
    ) -> RemoteLayer:
        """The layer if it exists (its category, dtype and channels must match), else a new empty one."""
        from .remote_layer_changes import get_or_add_layer

        options = dict(dtype=dtype, dtype_per_channel=dtype_per_channel, num_channels=num_channels)
        options["data_format"] = data_format
        if "bounding_box" in kwargs:
            options["bounding_box"] = kwargs.pop("bounding_box")
        return get_or_add_layer(self, layer_name, category, kwargs=kwargs, **options)

    def delete_layer(self, layer_name: str) -> None:
        """Removes the layer from the dataset on the server (its data is not deleted)."""
        from .remote_layer_changes import delete_layer

        delete_layer(self, layer_name)

    def add_layer_as_ref(self, foreign_layer: Any, *, new_layer_name: str | None = None) -> RemoteLayer:
        """Adds a layer of another dataset on the same server by reference (no data is copied)."""
        from .remote_layer_changes import add_layer_as_ref

        return add_layer_as_ref(self, foreign_layer, new_layer_name)

    def add_layer_as_copy(
        self,
        foreign_layer: Any,
        new_layer_name: str | None = None,
        *,
        data_format: Any = None,
        exists_ok: bool = False,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_path_prefix: str | None = None,
        overwrite_pending: bool = True,
        with_attachments: bool = True,
    ) -> RemoteLayer:
        """Copies a layer (a Layer or its path) with its mags into the dataset on the server: the empty layer is
        added, then each mag is written at the storage path the server reserves for it (which must be reachable
        from here). Attachments are not uploaded: a layer with attachments needs ``with_attachments=False``."""
        from .remote_copies import add_layer_as_copy

        return add_layer_as_copy(
            self,
            foreign_layer,
            new_layer_name,
            data_format,
            exists_ok,
            transfer_mode,
            common_storage_path_prefix,
            overwrite_pending,
            with_attachments,
        )

    def downsample(
        self,
        *,
        sampling_mode: Any = SamplingModes.ANISOTROPIC,
        coarsest_mag: Any = None,
        interpolation_mode: str = "default",
        compress: bool = True,
        transfer_mode: Any = TransferMode.HTTP,
        common_storage_path_prefix: str | None = None,
        overwrite_pending: bool = True,
        executor: Any = None,
    ) -> None:
        """Adds the missing coarser mags to every layer like ``Dataset.downsample``; each new mag is written at the
        path the server reserves for it (the datastore's storage must be reachable from here)."""
        from ..dataset.downsampling import downsample_dataset
        from .mag_upload import writing_new_mags

        with writing_new_mags(self, transfer_mode, common_storage_path_prefix, overwrite_pending):
            downsample_dataset(
                self,
                sampling_mode=sampling_mode,
                coarsest_mag=coarsest_mag,
                interpolation_mode=interpolation_mode,
                compress=compress,
                executor=executor,
            )

    @classmethod
    def from_images(
        cls,
        input_path: Any,
        voxel_size: Any = None,
        name: str | None = None,
        *,
        map_filepath_to_layer_name: Any = None,
        z_slices_sort_key: Any = None,
        voxel_size_with_unit: Any = None,
        layer_name: str | None = None,
        layer_category: str | None = None,
        data_format: Any = DataFormat.Zarr3,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: bool = True,
        swap_xy: bool = False,
        flip_x: bool = False,
        flip_y: bool = False,
        flip_z: bool = False,
        max_layers: int = 20,
        batch_size: int | None = None,
        executor: Any = None,
        url: str | None = None,
        token: str | None = None,
        folder: Any = None,
    ) -> Any:
        """Converts images to a temporary local dataset (``Dataset.from_images``, same arguments), uploads it to
        ``url`` with ``token`` (default: the current context) into ``folder`` and returns the remote dataset."""
        from .remote_layer_changes import from_images_and_upload

        options = dict(
            z_slices_sort_key=z_slices_sort_key,
            voxel_size_with_unit=voxel_size_with_unit,
            layer_name=layer_name,
            layer_category=layer_category,
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            compress=compress,
            swap_xy=swap_xy,
            flip_x=flip_x,
            flip_y=flip_y,
            flip_z=flip_z,
            max_layers=max_layers,
            batch_size=batch_size,
            executor=executor,
            url=url,
            token=token,
            folder=folder,
        )
        if map_filepath_to_layer_name is not None:
            options["map_filepath_to_layer_name"] = map_filepath_to_layer_name
        return from_images_and_upload(input_path, voxel_size, name, options)

    # ------------------------------------------------------------------ download

    def download(
        self,
        *,
        sharing_token: str | None = None,
        bounding_box: BoundingBox | None = None,
        bbox: BoundingBox | None = None,
        layers: builtins.list[str] | str | None = None,
        mags: builtins.list[Any] | None = None,
        data_format: Any = None,
        path: Any = None,
        exist_ok: bool = False,
    ) -> Any:
        """Downloads the dataset (the ``bounding_box``/``bbox``, ``layers`` and ``mags`` given, default all) to a
        local Dataset at ``path`` in ``data_format``; a dataset already at ``path`` is refused unless ``exist_ok``."""
        from .download import download_dataset

        if bounding_box is not None and bbox is not None:
            raise ValueError("Give bounding_box or its alias bbox, not both.")
        if bbox is not None:
            warn_deprecated("bbox", "bounding_box")
        return download_dataset(
            self,
            sharing_token=sharing_token,
            bbox=bounding_box if bounding_box is not None else bbox,
            layers=layers,
            mags=mags,
            data_format=data_format,
            path=path,
            exist_ok=exist_ok,
        )

    def download_mesh(
        self,
        segment_id: int,
        output_dir: Any,
        *,
        layer_name: str | None = None,
        mesh_file_name: str | None = None,
        datastore_url: str | None = None,
        lod: int = 0,
        mapping_name: str | None = None,
        mapping_type: Any = None,
        mag: Any = None,
        seed_position: Any = None,
        token: str | None = None,
        sharing_token: str | None = None,
    ) -> UPath:
        """Deprecated, use ``RemoteSegmentationLayer.download_mesh``: the mesh of ``segment_id`` of ``layer_name``
        (default: the only segmentation layer) as ``<output_dir>/<dataset>_<layer>_<segment_id>.stl``."""
        from .meshes import download_dataset_mesh

        options = dict(mesh_file_name=mesh_file_name, datastore_url=datastore_url, lod=lod, mapping_name=mapping_name)
        return download_dataset_mesh(
            self,
            segment_id,
            output_dir,
            layer_name=layer_name,
            **options,
            mapping_type=mapping_type,
            mag=mag,
            seed_position=seed_position,
            token=token,
            sharing_token=sharing_token,
        )

    # ------------------------------------------------------------------ server actions (server_actions.py)

    @classmethod
    def explore_and_add_remote(
        cls,
        dataset_uri: Any,
        dataset_name: str,
        *,
        folder: str | RemoteFolder | None = None,
        folder_path: str | None = None,
        credentials: Any = None,
    ) -> RemoteDataset:
        """Adds the dataset at ``dataset_uri`` (s3://, gs://, https://, ... reachable by the server) to WEBKNOSSOS
        as ``dataset_name`` in ``folder`` (a RemoteFolder or folder path; ``folder_path`` is deprecated) without
        copying data; returns it opened. ``credentials`` (StorageCredentials) let the server read the storage."""
        from .server_actions import explore_and_add_remote

        return explore_and_add_remote(
            dataset_uri, dataset_name, folder=folder, folder_path=folder_path, credentials=credentials
        )

    @classmethod
    def trigger_reload_in_datastore(
        cls,
        *,
        dataset_name_or_url: str | None = None,
        organization_id: str | None = None,
        webknossos_url: str | None = None,
        dataset_id: str | None = None,
        organization: str | None = None,
        datastore_url: str | None = None,
        token: str | None = None,
    ) -> None:
        """Makes the datastore re-read the properties of the dataset (by ``dataset_id``, or by name + organization
        or URL), e.g. after its files were changed by hand. ``organization`` and ``token`` are deprecated."""
        from .server_actions import trigger_reload_in_datastore

        trigger_reload_in_datastore(
            dataset_name_or_url=dataset_name_or_url,
            organization_id=organization_id,
            webknossos_url=webknossos_url,
            dataset_id=dataset_id,
            organization=organization,
            datastore_url=datastore_url,
            token=token,
        )
