"""Dataset: a folder with ``datasource-properties.json`` and one sub-folder per layer."""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from upath import UPath

from .. import ports
from ..errors import (
    DatasetMismatchError,
    DtypeArgumentsError,
    InvalidArgumentError,
    LayerCategoryError,
    LayerExistsError,
)
from ..geometry import BoundingBox, Mag, NDBoundingBox, Vec3Int
from ..properties import (
    COLOR_CATEGORY,
    SEGMENTATION_CATEGORY,
    DataFormat,
    DatasetProperties,
    DatasetViewConfiguration,
    LayerProperties,
    SegmentationLayerProperties,
    VoxelSize,
    properties_file_path,
    read_dataset_properties,
)
from ..properties.conflicts import NameTakenError
from ..properties.updates import claiming_name, update_dataset_properties
from .abstract_dataset import AbstractDataset
from .array_axes import array_indexed, has_extra_axes
from .compression import compress_dataset
from .deprecation import deprecated as _deprecated
from .downsampling import downsample_dataset
from .image_import import ConversionLayerMapping, add_layer_from_images, dataset_from_images
from .layer import Layer, SegmentationLayer, remove_tree_and_commit
from .layer_checks import (
    check_layer_dtype,
    check_layer_name,
    check_layer_name_characters,
    check_num_channels,
    warn_unsupported_channels,
)
from .layer_discovery import discover_layer_properties
from .locations import check_writable_location, is_read_only_location
from .ome_metadata import write_dataset_group, write_layer_metadata
from .paths import is_local, local_path, resolve_mag_path, to_upath
from .sampling_modes import SamplingModes
from .storage_defaults import DEFAULT_DATA_FORMAT
from .transfer_mode import TransferMode
from .write_layer import write_new_layer


def _same_voxel_size(a: VoxelSize, b: VoxelSize) -> bool:
    """Whether two voxel sizes are physically equal (e.g. 1 µm and 1000 nm)."""
    return all(math.isclose(x, y, rel_tol=1e-9) for x, y in zip(a.to_nanometer(), b.to_nanometer()))


def _as_given(dataset_path: Any) -> UPath:
    """``dataset_path`` as a UPath without making it absolute (as the reference's reprs show it)."""
    if isinstance(dataset_path, UPath):
        return dataset_path
    return UPath(os.fspath(dataset_path) if isinstance(dataset_path, os.PathLike) else dataset_path)


class Dataset(AbstractDataset[Layer, SegmentationLayer]):
    """A WEBKNOSSOS dataset on disk (or any fsspec location): create it with a voxel size, or open it.

    ``Dataset(path, voxel_size=...)`` creates a dataset (``exist_ok=True`` opens an existing one instead);
    ``Dataset.open(path)`` opens one. A ``read_only`` dataset refuses every change with RuntimeError.
    """

    ConversionLayerMapping = ConversionLayerMapping  # also reachable as Dataset.ConversionLayerMapping

    def __init__(
        self,
        dataset_path: Any,
        voxel_size: tuple[float, float, float] | None = None,
        name: str | None = None,
        exist_ok: bool = False,
        *,
        voxel_size_with_unit: VoxelSize | None = None,
        read_only: bool = False,
    ) -> None:
        path = to_upath(dataset_path)
        if voxel_size is not None and voxel_size_with_unit is not None:
            raise ValueError("Give voxel_size or voxel_size_with_unit, not both.")
        wanted_size = VoxelSize(voxel_size) if voxel_size is not None else voxel_size_with_unit
        self._path = path
        self._shown_path = _as_given(dataset_path)  # what repr() shows: the path as the user wrote it
        self._read_only = read_only or is_read_only_location(path)
        self._synced_properties: DatasetProperties | None = None  # what is on disk as far as we know
        if properties_file_path(path).exists():
            if wanted_size is not None and not exist_ok and not read_only:
                raise RuntimeError(
                    f"Creating a dataset at {path} failed: a dataset already exists there. Open it with "
                    "Dataset.open(path), or pass exist_ok=True."
                )
            self._properties = read_dataset_properties(path)
            self._synced_properties = copy.deepcopy(self._properties)
            if wanted_size is not None and not _same_voxel_size(self._properties.scale, wanted_size):
                raise DatasetMismatchError(
                    f"The dataset at {path} has voxel size {self._properties.scale}, not {wanted_size}; "
                    "open it without voxel_size or pass its voxel size."
                )
            if name is not None and name != self.name:
                raise DatasetMismatchError(f"The dataset at {path} is named {self.name!r}, not {name!r}.")
        else:
            if read_only:
                raise FileNotFoundError(f"Cannot open {path} read-only: it has no datasource-properties.json.")
            if wanted_size is None:
                raise ValueError(
                    f"Creating a dataset at {path} needs a voxel size: pass voxel_size=(x, y, z) in "
                    "nanometers or voxel_size_with_unit=VoxelSize(...). To open an existing dataset, "
                    "check the path."
                )
            check_writable_location(path)
            path.mkdir(parents=True, exist_ok=True)
            self._properties = DatasetProperties(
                id={"name": name or path.name, "team": ""}, scale=wanted_size, data_layers=[], version=1
            )
            self.save_properties()
        self._layers: dict[str, Layer] = {}
        for layer_properties in self._properties.data_layers:
            self._layers[layer_properties.name] = self.make_layer(layer_properties)

    @classmethod
    def open(cls, dataset_path: Any, read_only: bool = False) -> Dataset:
        """Open the dataset at ``dataset_path``; FileNotFoundError if it has no properties file."""
        path = to_upath(dataset_path)
        if not properties_file_path(path).exists():
            raise FileNotFoundError(
                f"Cannot open a dataset at {path}: there is no datasource-properties.json. Create one with "
                "Dataset(path, voxel_size=...)."
            )
        return cls(dataset_path, read_only=read_only)

    def __repr__(self) -> str:
        return f"Dataset({self._shown_path!r})"

    @staticmethod
    def open_remote(
        dataset_name_or_url: str | None = None,
        *,
        organization_id: str | None = None,
        sharing_token: str | None = None,
        webknossos_url: str | None = None,
        dataset_id: str | None = None,
        annotation_id: str | None = None,
        access_mode: Any = None,
        read_only: bool = False,
        use_zarr_streaming: bool | None = None,
    ) -> Any:
        """Open a dataset on a WEBKNOSSOS server: ``RemoteDataset.open`` (same arguments; ``annotation_id``)."""
        from ..remote import RemoteDataset

        return RemoteDataset.open(
            dataset_name_or_url,
            organization_id=organization_id,
            sharing_token=sharing_token,
            webknossos_url=webknossos_url,
            dataset_id=dataset_id,
            annotation_id_or_url=annotation_id,
            access_mode=access_mode,
            read_only=read_only,
            use_zarr_streaming=use_zarr_streaming,
        )

    @staticmethod
    def get_remote_datasets(
        *, organization_id: str | None = None, tags: Any = None, name: str | None = None, folder_id: Any = None
    ) -> Mapping[str, Any]:
        """The datasets on the WEBKNOSSOS server by id: ``RemoteDataset.list`` (opened on lookup)."""
        from ..remote import RemoteDataset

        return RemoteDataset.list(organization_id=organization_id, tags=tags, name=name, folder=folder_id)

    @classmethod
    def download(
        cls,
        dataset_name_or_url: str,
        *,
        organization_id: str | None = None,
        sharing_token: str | None = None,
        webknossos_url: str | None = None,
        bbox: Any = None,
        layers: list[str] | str | None = None,
        mags: list[Any] | None = None,
        path: Any = None,
        exist_ok: bool = False,
    ) -> Dataset:
        """Download a dataset from WEBKNOSSOS (by name or URL, see ``RemoteDataset.open``) into a local dataset:
        ``bbox``, ``layers`` and ``mags`` select what (default all); ``path`` where; ``exist_ok`` allows replacing
        layers of a dataset already there."""
        from ..remote.download import download_by_name

        return download_by_name(
            dataset_name_or_url,
            organization_id=organization_id,
            sharing_token=sharing_token,
            webknossos_url=webknossos_url,
            bbox=bbox,
            layers=layers,
            mags=mags,
            path=path,
            exist_ok=exist_ok,
        )

    def upload(
        self,
        *,
        new_dataset_name: str | None = None,
        initial_team_ids: list[str] | None = None,
        folder: Any = None,
        require_unique_name: bool = False,
        layers_to_link: Any = None,
        transfer_mode: Any = TransferMode.HTTP,
        jobs: int | None = None,
        common_storage_path_prefix: str | None = None,
        folder_id: Any = None,
    ) -> Any:
        """Upload this dataset to WEBKNOSSOS (over HTTP, ``jobs`` chunks in parallel) as ``new_dataset_name``
        (default: its name), visible to ``initial_team_ids``, in ``folder``, linking ``layers_to_link``; returns
        the new RemoteDataset. An interrupted upload raises UploadError and creates no dataset."""
        from ..remote.upload import upload_dataset

        if str(getattr(transfer_mode, "value", transfer_mode)) != "http" or common_storage_path_prefix is not None:
            raise NotImplementedError(
                f"Dataset.upload supports transfer_mode=TransferMode.HTTP only (got {transfer_mode!r}); copying to "
                "the server's common storage is not implemented."
            )
        if folder is not None and folder_id is not None:
            raise ValueError("Give folder or its deprecated alias folder_id, not both.")
        return upload_dataset(
            self,
            new_dataset_name=new_dataset_name,
            initial_team_ids=initial_team_ids,
            folder=folder if folder is not None else folder_id,
            require_unique_name=require_unique_name,
            layers_to_link=layers_to_link,
            jobs=jobs,
        )

    def publish_to_preliminary_dataset(
        self, dataset_id: str, *, path_prefix: str | None = None, transfer_mode: Any = TransferMode.COPY
    ) -> None:
        """Copies (or moves and symlinks, ``transfer_mode``) the data to the paths WEBKNOSSOS reserves for the
        existing dataset ``dataset_id`` (status "uploading", no properties yet), then finishes its upload;
        ``path_prefix`` selects one of the server's storages."""
        from ..remote.preliminary import publish_to_preliminary_dataset

        publish_to_preliminary_dataset(self, dataset_id, path_prefix=path_prefix, transfer_mode=transfer_mode)

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
        """Deprecated, use ``RemoteDataset.trigger_reload_in_datastore`` (same arguments)."""
        from ..remote.server_actions import trigger_reload_in_datastore

        _deprecated("Dataset.trigger_reload_in_datastore", "RemoteDataset.trigger_reload_in_datastore")
        options = dict(dataset_name_or_url=dataset_name_or_url, organization_id=organization_id, token=token)
        trigger_reload_in_datastore(
            **options,
            webknossos_url=webknossos_url,
            dataset_id=dataset_id,
            organization=organization,
            datastore_url=datastore_url,
        )

    @classmethod
    def trigger_dataset_import(cls, directory_name: str, organization: str, token: str) -> None:
        """Deprecated, use ``RemoteDataset.trigger_reload_in_datastore``: reloads the dataset ``directory_name``."""
        from ..remote.server_actions import trigger_reload_in_datastore

        _deprecated("Dataset.trigger_dataset_import", "RemoteDataset.trigger_reload_in_datastore")
        trigger_reload_in_datastore(dataset_name_or_url=directory_name, organization_id=organization, token=token)

    def make_layer(self, properties: LayerProperties) -> Layer:
        """Internal (not webknossos API): a Layer object for ``properties``, not yet registered."""
        if isinstance(properties, SegmentationLayerProperties) or properties.category == SEGMENTATION_CATEGORY:
            return SegmentationLayer(self, properties, self._read_only)
        return Layer(self, properties, self._read_only)

    # ------------------------------------------------------------------ attributes

    @property
    def path(self) -> UPath:
        """The dataset folder."""
        return self._path

    @property
    def resolved_path(self) -> UPath:
        """``path`` with symbolic links resolved (local datasets)."""
        if is_local(self._path):
            return UPath(os.path.realpath(local_path(self._path)))
        return self._path

    @property
    def read_only(self) -> bool:
        """Whether changes are refused."""
        return self._read_only

    @property
    def name(self) -> str:
        """The dataset's name in its properties; assigning persists it."""
        return self._properties.id.get("name", self._path.name)

    @name.setter
    def name(self, value: str) -> None:
        self.check_writable()
        self._properties.id = {**self._properties.id, "name": value}
        self.save_properties()

    @property
    def default_view_configuration(self) -> DatasetViewConfiguration | None:
        """How WEBKNOSSOS shows the dataset by default; assigning persists it."""
        return self._properties.default_view_configuration

    @default_view_configuration.setter
    def default_view_configuration(self, value: DatasetViewConfiguration | None) -> None:
        self.check_writable()
        self._properties.default_view_configuration = value
        self.save_properties()

    def _title(self) -> str:
        return f"The dataset at {self._path}"

    # ------------------------------------------------------------------ layers

    def add_layer(
        self,
        layer_name: str,
        category: str,
        *,
        dtype: Any = None,
        dtype_per_channel: Any = None,
        num_channels: int | None = None,
        data_format: Any = DEFAULT_DATA_FORMAT,
        bounding_box: NDBoundingBox | None = None,
        **kwargs: Any,
    ) -> Layer:
        """Add an empty layer (no mags yet; add them with ``layer.add_mag``).

        Keyword extras: ``largest_segment_id`` and ``mappings`` for segmentation layers.
        """
        self.check_writable()
        check_layer_name(layer_name)
        check_layer_name_characters(layer_name)
        if layer_name in self._layers:
            raise LayerExistsError(f"Adding layer {layer_name!r} failed: the dataset at {self._path} already has it.")
        if dtype is not None and dtype_per_channel is not None:
            raise DtypeArgumentsError(
                f"Adding layer {layer_name!r}: give dtype or the deprecated dtype_per_channel, not both."
            )
        if dtype_per_channel is not None:
            _deprecated("add_layer(dtype_per_channel=...)", "add_layer(dtype=...)")
        dtype = np.dtype(dtype if dtype is not None else dtype_per_channel or "uint8")
        num_channels = 1 if num_channels is None else int(num_channels)
        # the reference's order: dtype (every category but color checked as segmentation), channels, category
        check_layer_dtype(layer_name, COLOR_CATEGORY if category == COLOR_CATEGORY else SEGMENTATION_CATEGORY, dtype)
        warn_unsupported_channels(dtype, num_channels)
        check_num_channels(layer_name, num_channels)
        if category not in (COLOR_CATEGORY, SEGMENTATION_CATEGORY):
            raise LayerCategoryError(f"Unknown layer category {category!r}; use 'color' or 'segmentation'.")
        if "element_class" in kwargs:
            raise ValueError("element_class is not supported; pass dtype and num_channels instead.")
        try:
            data_format = DataFormat(data_format)
        except ValueError:
            raise ValueError(
                f"Unknown data format {data_format!r}; use one of {[f.value for f in DataFormat]}."
            ) from None
        ports.resolve_storage(data_format)
        check_writable_location(self._path, data_format)
        if bounding_box is None:
            bounding_box = BoundingBox((0, 0, 0), (0, 0, 0))
        elif has_extra_axes(bounding_box):
            if num_channels != 1:
                raise InvalidArgumentError(
                    f"Cannot add layer {layer_name!r} with extra axes {tuple(bounding_box.axes)} and "
                    f"{num_channels} channels: n-d layers have one channel; add one layer per channel."
                )
            bounding_box = array_indexed(bounding_box)
        common = dict(
            name=layer_name,
            category=category,
            bounding_box=bounding_box,
            data_format=data_format,
            mags=[],
            num_channels=num_channels,
            dtype=dtype.name,
        )
        if category == SEGMENTATION_CATEGORY:
            properties: LayerProperties = SegmentationLayerProperties(
                **common,
                largest_segment_id=kwargs.pop("largest_segment_id", None),
                mappings=list(kwargs.pop("mappings", None) or []),
            )
        else:
            properties = LayerProperties(**common)
        if kwargs:
            raise TypeError(f"add_layer got unexpected keyword arguments {sorted(kwargs)}.")
        try:
            with claiming_name(self._path, layer_name):  # refuses a name another process took meanwhile
                (self._path / layer_name).mkdir(parents=True, exist_ok=True)
                write_dataset_group(self._path, data_format.value)
                self._properties.data_layers.append(properties)
                layer = self.make_layer(properties)
                self._layers[layer_name] = layer
                self.save_properties()
        except NameTakenError as taken:
            self.adopt_taken(taken)
            raise
        return layer

    def get_or_add_layer(
        self,
        layer_name: str,
        category: str,
        *,
        dtype: Any = None,
        dtype_per_channel: Any = None,
        num_channels: int | None = None,
        data_format: Any = DEFAULT_DATA_FORMAT,
        **kwargs: Any,
    ) -> Layer:
        """The layer if it exists (its category, dtype and channels must then match), else a new one."""
        if layer_name not in self._layers:
            return self.add_layer(
                layer_name,
                category,
                dtype=dtype,
                dtype_per_channel=dtype_per_channel,
                num_channels=num_channels,
                data_format=data_format,
                **kwargs,
            )
        layer = self._layers[layer_name]
        wanted_dtype = dtype if dtype is not None else dtype_per_channel
        mismatches = [
            (what, have, want)
            for what, have, want in (
                ("category", layer.category, category),
                ("dtype", layer.dtype, None if wanted_dtype is None else np.dtype(wanted_dtype)),
                ("num_channels", layer.num_channels, num_channels),
            )
            if want is not None and have != want
        ]
        if mismatches:
            raise InvalidArgumentError(
                f"Layer {layer_name!r} exists with "
                + ", ".join(f"{what}={have} (not {want})" for what, have, want in mismatches)
            )
        return layer

    def delete_layer(self, layer_name: str) -> None:
        """Delete a layer's folder, then remove the layer from the properties.

        A symbolic link as the layer folder is removed, not the folder it points to. If the folder cannot be
        moved aside, or the properties cannot be written, both stay as they were and the error is raised (see
        ``remove_tree_and_commit``).
        """
        self.check_writable()
        layer, entries, layers = self.get_layer(layer_name), list(self._properties.data_layers), dict(self._layers)

        def commit() -> None:
            del self._layers[layer_name]
            self._properties.data_layers = [p for p in entries if p.name != layer_name]
            try:
                self.save_properties()
            except BaseException:
                self._layers, self._properties.data_layers = layers, entries
                raise

        remove_tree_and_commit(layer.path, commit)

    def add_layer_like(self, other_layer: Layer, layer_name: str) -> Layer:
        """A new empty layer with the category, dtype, channels, format and box of ``other_layer``."""
        kwargs: dict[str, Any] = {}
        if isinstance(other_layer, SegmentationLayer):
            kwargs = {"largest_segment_id": other_layer.largest_segment_id, "mappings": other_layer.mappings}
        layer = self.add_layer(
            layer_name,
            other_layer.category,
            dtype=other_layer.dtype,
            num_channels=other_layer.num_channels,
            data_format=other_layer.data_format,
            bounding_box=other_layer.bounding_box,
            **kwargs,
        )
        if other_layer.default_view_configuration is not None:
            layer.default_view_configuration = other_layer.default_view_configuration
        return layer

    def add_layer_for_existing_files(self, layer_name: str, category: str, **kwargs: Any) -> Layer:
        """Register a layer folder whose mag arrays already exist, discovering mags, dtype and channels.

        ``kwargs`` override what was discovered (``dtype``, ``num_channels``, ``data_format``,
        ``bounding_box``, ``largest_segment_id``, ``mappings``).
        """
        self.check_writable()
        check_layer_name(layer_name)
        if layer_name in self._layers:
            raise LayerExistsError(f"Adding layer {layer_name!r} failed: the dataset at {self._path} already has it.")
        properties = discover_layer_properties(self._path / layer_name, layer_name, category, **kwargs)
        layer = self.make_layer(properties)
        self.register_layer(layer)
        return layer

    def write_layer(
        self,
        layer_name: str,
        category: str,
        data: np.ndarray,
        *,
        data_format: Any = DEFAULT_DATA_FORMAT,
        downsample: bool = True,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        axes: Any = None,
        absolute_offset: Any = None,
        mag: Any = Mag(1),
    ) -> Layer:
        """Write ``data`` into a new layer (box = the data's extent at ``absolute_offset``), then downsample.

        ``axes`` names the data's axes for n-d data (e.g. ``("t", "x", "y", "z")`` or with ``"c"``).
        """
        layer = write_new_layer(
            self,
            layer_name,
            category,
            np.asarray(data),
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            axes=axes,
            absolute_offset=absolute_offset,
            mag=Mag(mag),
        )
        if downsample:
            layer.downsample(from_mag=Mag(mag))
        return layer

    def downsample(
        self,
        *,
        sampling_mode: Any = SamplingModes.ANISOTROPIC,
        coarsest_mag: Any = None,
        interpolation_mode: str = "default",
        compress: bool = True,
        executor: Any = None,
    ) -> None:
        """Add downsampled mags to every layer, up to ``coarsest_mag`` (default: computed per layer)."""
        downsample_dataset(
            self,
            sampling_mode=sampling_mode,
            coarsest_mag=coarsest_mag,
            interpolation_mode=interpolation_mode,
            compress=compress,
            executor=executor,
        )

    # ------------------------------------------------------------------ copies and references

    def add_layer_from_images(
        self,
        images: Any,
        layer_name: str,
        category: str | None = "color",
        *,
        data_format: Any = DEFAULT_DATA_FORMAT,
        mag: Any = Mag(1),
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        compress: bool = True,
        topleft: Any = Vec3Int(0, 0, 0),
        swap_xy: bool = False,
        flip_x: bool = False,
        flip_y: bool = False,
        flip_z: bool = False,
        dtype: Any = None,
        channel: int | None = None,
        czi_channel: int | None = None,
        scale: int | None = None,
        batch_size: int | None = None,
        allow_multiple_layers: bool = False,
        max_layers: int = 20,
        truncate_rgba_to_rgb: bool = True,
        executor: Any = None,
        use_bioformats: bool = False,
        timepoint: int | None = None,
    ) -> Layer:
        """Create ``layer_name`` from image files (glob string, folder or list of TIFF/PNG/JPEG/MRC paths).

        The images are placed at ``topleft`` in ``mag``, optionally with x and y swapped and axes flipped;
        ``dtype`` converts the voxels, ``channel`` picks one channel, ``batch_size`` z-slices are written per
        task on ``executor``. Unsupported choices (bioformats, CZI, time points, multiscale ``scale`` levels,
        pims input) raise with a clear message.
        """
        return add_layer_from_images(
            self,
            images,
            layer_name,
            category,
            data_format=data_format,
            mag=mag,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            compress=compress,
            topleft=topleft,
            swap_xy=swap_xy,
            flip_x=flip_x,
            flip_y=flip_y,
            flip_z=flip_z,
            dtype=dtype,
            channel=channel,
            czi_channel=czi_channel,
            scale=scale,
            batch_size=batch_size,
            allow_multiple_layers=allow_multiple_layers,
            max_layers=max_layers,
            truncate_rgba_to_rgb=truncate_rgba_to_rgb,
            executor=executor,
            use_bioformats=use_bioformats,
            timepoint=timepoint,
        )

    @classmethod
    def from_images(
        cls,
        input_path: Any,
        output_path: Any,
        voxel_size: tuple[float, float, float] | None = None,
        name: str | None = None,
        *,
        map_filepath_to_layer_name: Any = ConversionLayerMapping.INSPECT_SINGLE_FILE,
        z_slices_sort_key: Any = None,
        voxel_size_with_unit: Any = None,
        layer_name: str | None = None,
        layer_category: str | None = None,
        data_format: Any = DEFAULT_DATA_FORMAT,
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
        use_bioformats: bool = False,
    ) -> Dataset:
        """Create a dataset at ``output_path`` from the images in ``input_path`` (a folder or one file).

        Files are grouped into layers by ``map_filepath_to_layer_name`` (a ConversionLayerMapping or a
        function path -> layer name); the files of one layer are stacked along z in natural name order
        (or ``z_slices_sort_key``). Without a voxel size, (1, 1, 1) nm is used.
        """
        return dataset_from_images(
            cls,
            input_path,
            output_path,
            voxel_size,
            name,
            map_filepath_to_layer_name=map_filepath_to_layer_name,
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
            use_bioformats=use_bioformats,
        )

    def add_layer_as_copy(
        self,
        foreign_layer: Any,
        new_layer_name: str | None = None,
        *,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        data_format: Any = None,
        compress: Any = None,
        exists_ok: bool = False,
        executor: Any = None,
        with_attachments: bool = True,
    ) -> Layer:
        """Copy a layer of another dataset (a Layer or its path) into this one.

        Mags whose format and layout already match are copied file by file; others are recoded.
        """
        from .copying import add_layer_as_copy

        return add_layer_as_copy(
            self,
            foreign_layer,
            new_layer_name,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            data_format=data_format,
            compress=compress,
            exists_ok=exists_ok,
            executor=executor,
            with_attachments=with_attachments,
        )

    def add_layer_as_ref(self, foreign_layer: Any, new_layer_name: str | None = None) -> Layer:
        """Add a layer of another dataset by reference: its mags are named by absolute path or URL."""
        from .references import add_layer_as_ref

        return add_layer_as_ref(self, foreign_layer, new_layer_name)

    def copy_dataset(
        self,
        new_dataset_path: Any,
        *,
        voxel_size: tuple[float, float, float] | None = None,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        data_format: Any = None,
        compress: Any = None,
        exists_ok: bool = False,
        executor: Any = None,
        voxel_size_with_unit: VoxelSize | None = None,
        layers_to_ignore: Any = None,
    ) -> Dataset:
        """An independent copy of the dataset at ``new_dataset_path`` (storage settings may change)."""
        from .copying import copy_dataset

        return copy_dataset(
            self,
            new_dataset_path,
            voxel_size=voxel_size,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            data_format=data_format,
            compress=compress,
            exists_ok=exists_ok,
            executor=executor,
            voxel_size_with_unit=voxel_size_with_unit,
            layers_to_ignore=layers_to_ignore,
        )

    def shallow_copy_dataset(
        self,
        new_dataset_path: Any,
        *,
        name: str | None = None,
        layers_to_ignore: Any = None,
        make_relative: bool | None = None,
    ) -> Dataset:
        """A new dataset whose layers reference this dataset's mags and attachments."""
        from .references import shallow_copy_dataset

        return shallow_copy_dataset(
            self, new_dataset_path, name=name, layers_to_ignore=layers_to_ignore, make_relative=make_relative
        )

    def fs_copy_dataset(
        self, new_dataset_path: Any, *, exists_ok: bool = False, layers_to_ignore: Any = None
    ) -> Dataset:
        """Deprecated: use ``copy_dataset`` (which copies files whenever it can)."""
        _deprecated("Dataset.fs_copy_dataset", "Dataset.copy_dataset")
        return self.copy_dataset(new_dataset_path, exists_ok=exists_ok, layers_to_ignore=layers_to_ignore)

    def add_copy_layer(
        self,
        foreign_layer: Any,
        new_layer_name: str | None = None,
        *,
        chunk_shape: Any = None,
        shard_shape: Any = None,
        chunks_per_shard: Any = None,
        data_format: Any = None,
        compress: Any = None,
        exists_ok: bool = False,
        executor: Any = None,
        with_attachments: bool = True,
    ) -> Layer:
        """Deprecated: use ``add_layer_as_copy`` (same arguments)."""
        _deprecated("Dataset.add_copy_layer", "Dataset.add_layer_as_copy")
        return self.add_layer_as_copy(
            foreign_layer,
            new_layer_name,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            chunks_per_shard=chunks_per_shard,
            data_format=data_format,
            compress=compress,
            exists_ok=exists_ok,
            executor=executor,
            with_attachments=with_attachments,
        )

    def add_fs_copy_layer(self, foreign_layer: Any, new_layer_name: str | None = None) -> Layer:
        """Deprecated: use ``add_layer_as_copy`` (which copies files whenever it can)."""
        _deprecated("Dataset.add_fs_copy_layer", "Dataset.add_layer_as_copy")
        return self.add_layer_as_copy(foreign_layer, new_layer_name)

    def add_remote_layer(self, foreign_layer: Any, new_layer_name: str | None = None) -> Layer:
        """Deprecated: use ``add_layer_as_ref``."""
        _deprecated("Dataset.add_remote_layer", "Dataset.add_layer_as_ref")
        return self.add_layer_as_ref(foreign_layer, new_layer_name)

    def add_symlink_layer(
        self, foreign_layer: Any, new_layer_name: str | None = None, *, make_relative: bool = False
    ) -> Layer:
        """Deprecated: use ``add_layer_as_ref`` (the mags are referenced, relative with ``make_relative``)."""
        from .references import add_layer_as_ref

        _deprecated("Dataset.add_symlink_layer", "Dataset.add_layer_as_ref")
        return add_layer_as_ref(self, foreign_layer, new_layer_name, make_relative=make_relative)

    def compress(self, *, executor: Any = None) -> None:
        """Compress every uncompressed mag of the dataset in place."""
        compress_dataset(self, executor=executor)

    # ------------------------------------------------------------------ persistence

    def copy_properties(self) -> DatasetProperties:
        """Internal (not webknossos API): a deep copy of the dataset's properties."""
        return copy.deepcopy(self._properties)

    def register_layer(self, layer: Layer) -> None:
        """Internal (not webknossos API): add ``layer`` (made by ``make_layer``, its
        data complete) to the layers and the properties, and persist."""
        self._properties.data_layers.append(layer._properties)
        self._layers[layer.name] = layer
        self.save_properties()

    def check_writable(self) -> None:
        """Internal (not webknossos API): raise RuntimeError if changes are refused."""
        if self._read_only:
            why = "http(s) locations are read-only" if is_read_only_location(self._path) else "it is opened read-only"
            raise RuntimeError(f"Cannot change the dataset at {self._path}: {why}.")

    def save_properties(self) -> None:
        """Internal (not webknossos API): persist this object's changes to the properties and refresh the zarr
        layer metadata.

        Every change (layers, mags, attachments, settings) ends here. Under the dataset's properties lock the
        file is read again and only what this object changed since it last read or wrote it is merged in
        (``update_dataset_properties``), so layers and mags other processes added meanwhile are kept; this
        object then adopts the merged state (it sees their layers too). Locally that is safe for concurrent
        writers, on ``s3://`` too (conditional writes); ``memory://`` lives in one process, whose threads take
        turns; other object stores do not protect writers in different processes from each other.
        """
        self.check_writable()
        self._commit_properties()
        self._write_layer_metadata()

    def _commit_properties(self) -> None:
        """Merge this object's changes into the properties file and adopt the result (see ``save_properties``)."""
        try:
            merged, on_disk = update_dataset_properties(self._path, self._synced_properties, self._properties)
        except NameTakenError as taken:
            self.adopt_taken(taken)
            raise
        self._synced_properties = on_disk
        self._adopt_properties(merged)

    def adopt_taken(self, taken: NameTakenError) -> None:
        """Internal: another process took the layer or mag name this object wanted; adopt the file as it is now."""
        if taken.on_disk is not None:
            self._synced_properties = taken.on_disk
            self._adopt_properties(copy.deepcopy(taken.on_disk))

    def _adopt_properties(self, merged: DatasetProperties) -> None:
        """Make ``merged`` (what was just written) the in-memory state, keeping the Layer and MagView objects of
        layers and mags that remain, adding those of layers others added and dropping those others removed."""
        current = self._properties
        for field in attrs.fields(DatasetProperties):
            if field.name != "data_layers" and getattr(current, field.name) != getattr(merged, field.name):
                setattr(current, field.name, getattr(merged, field.name))
        layers: dict[str, Layer] | None = getattr(self, "_layers", None)
        if layers is None:  # still in __init__, which builds the layers from the properties next
            current.data_layers = merged.data_layers
            return
        adopted: dict[str, Layer] = {}
        for entry in merged.data_layers:
            layer = layers.get(entry.name)
            if layer is not None and type(layer._properties) is type(entry):
                layer._adopt_properties(entry)
            else:
                layer = self.make_layer(entry)
            adopted[entry.name] = layer
        current.data_layers = [layer._properties for layer in adopted.values()]
        layers.clear()
        layers.update(adopted)

    def _write_layer_metadata(self) -> None:
        for layer in getattr(self, "_layers", {}).values():
            if not layer.is_foreign:
                try:
                    write_layer_metadata(layer)
                except FileNotFoundError:
                    # A mag listed in the properties has no array on disk; the properties are saved, and the
                    # OME metadata (derived from the arrays) of that layer is left as it is.
                    continue

    def rename_layer(self, layer: Layer, new_name: str) -> None:
        """Internal (not webknossos API): rename ``layer`` and its folder (``Layer.name = ...`` calls this)."""
        if new_name == layer.name:
            return  # renaming a layer to its own name changes nothing (as in the reference)
        check_layer_name(new_name)
        check_layer_name_characters(new_name)
        if new_name in self._layers:
            raise IndexError(f"Renaming layer {layer.name!r} failed: {new_name!r} exists already.")
        old_name = layer.name
        old_path, new_path = self._path / old_name, self._path / new_name
        moved = False
        if not is_local(old_path):  # as in the reference: objects on remote storage are not moved
            raise RuntimeError(
                f"Cannot rename remote layer {old_path}: renaming moves the layer's folder, which only works on "
                "the local file system. Copy the layer under the new name instead (dataset.add_layer_as_copy)."
            )
        if old_path.exists():
            os.rename(local_path(old_path), local_path(new_path))
            moved = True
        self._relabel_layer(layer, old_name, new_name)
        try:
            self._commit_properties()
        except BaseException:
            # The properties on disk still name the old folder: move it back so that they stay valid.
            self._relabel_layer(layer, new_name, old_name)
            if moved:
                os.rename(local_path(new_path), local_path(old_path))
            raise
        self._write_layer_metadata()

    def _relabel_layer(self, layer: Layer, old_name: str, new_name: str) -> None:
        """Rename ``layer`` in memory: its properties, mag paths and the MagView objects users may hold."""
        properties = layer._properties
        properties.name = new_name
        for entry in properties.mags:
            if entry.path and entry.path.startswith(f"./{old_name}/"):
                entry.path = f"./{new_name}/" + entry.path[len(f"./{old_name}/") :]
        del self._layers[old_name]
        # Re-point the existing MagView objects at the moved folder; a cached array handle would keep
        # writing to the old path.
        for entry in properties.mags:
            mag_view = layer.mags.get(entry.mag)
            if mag_view is not None:
                mag_view.forget_array(moved_to=resolve_mag_path(self._path, layer.path, entry))
        self._layers[new_name] = layer
