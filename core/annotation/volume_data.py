"""Turning a volume layer's data zip into a temporary Dataset, and a Dataset layer back into a data zip."""

from __future__ import annotations

import tempfile
from pathlib import Path

from daedalus.core.dataset import Dataset
from daedalus.core.properties import SEGMENTATION_CATEGORY, DataFormat, VoxelSize

from .safe_zip import open_zip, safe_extract
from .volume_layer import VOLUME_LAYER_NAME, FileSource, VolumeLayer
from .wk_volume_layout import PROPERTIES_NAME, pack_wk_layout


def extract_volume_dataset(volume: VolumeLayer, folder: Path, voxel_size: VoxelSize) -> Dataset:
    """Create a Dataset in the empty ``folder`` holding ``volume``'s data as layer ``volumeAnnotationData``.

    A data zip with ``datasource-properties.json`` is opened as it is; one holding bare mag folders
    (WKW as exported by WEBKNOSSOS) becomes a layer discovered from its files; no data gives an empty layer.
    """
    names: list[str] = []
    if volume.source is not None:
        with tempfile.TemporaryFile(dir=folder.parent) as raw:
            volume.source.copy_to(raw)
            raw.seek(0)
            with open_zip(raw, f"the data of volume layer {volume.name!r}") as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
                if PROPERTIES_NAME in names:
                    safe_extract(archive, folder, f"volume layer {volume.name!r}")
                elif names:
                    safe_extract(archive, folder / VOLUME_LAYER_NAME, f"volume layer {volume.name!r}")
    if PROPERTIES_NAME in names:
        dataset = Dataset.open(folder)
        if VOLUME_LAYER_NAME not in dataset.layers and len(dataset.layers) == 1:
            dataset.get_layer(next(iter(dataset.layers))).name = VOLUME_LAYER_NAME
        return dataset
    dataset = Dataset(folder, voxel_size_with_unit=voxel_size)
    if names:
        dataset.add_layer_for_existing_files(
            VOLUME_LAYER_NAME,
            SEGMENTATION_CATEGORY,
            data_format=volume.data_format,
            largest_segment_id=volume.largest_segment_id,
        )
    else:
        dataset.add_layer(
            VOLUME_LAYER_NAME,
            SEGMENTATION_CATEGORY,
            dtype=volume.dtype_or_default(),
            data_format=volume.data_format if volume.data_format != DataFormat.WKW else DataFormat.Zarr3,
            largest_segment_id=volume.largest_segment_id,
        )
    return dataset


def pack_volume_dataset(dataset: Dataset, target: Path) -> DataFormat:
    """Write the ``volumeAnnotationData`` layer of ``dataset`` as a data zip at ``target``; returns its format.

    The zip uses WEBKNOSSOS's own layout (see ``wk_volume_layout``): zarr3 with unsharded 32³ blosc-lz4
    chunks and the properties file, or WKW mag folders at the zip root; every mag is recoded if needed.
    """
    layer = dataset.get_layer(VOLUME_LAYER_NAME)
    return DataFormat(pack_wk_layout(layer, dataset.voxel_size, target))


def replace_volume_data(volume: VolumeLayer, dataset: Dataset, scratch: Path) -> None:
    """Store ``dataset``'s volume layer as ``volume``'s new data zip (a temp file in ``scratch``)."""
    handle, name = tempfile.mkstemp(suffix=".zip", prefix=f"volume_{volume.id}_", dir=scratch)
    target = Path(name)
    with open(handle, "wb"):
        pass
    layer = dataset.get_layer(VOLUME_LAYER_NAME)
    volume.data_format = pack_volume_dataset(dataset, target)
    volume.dtype = layer.dtype
    volume.largest_segment_id = getattr(layer, "largest_segment_id", volume.largest_segment_id)
    volume.source = FileSource(target)
