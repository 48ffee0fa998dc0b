"""``Layer.export``: a layer's data as a TIFF stack, one OME-TIFF file or a zipped OME-Zarr archive (``.ozx``).

All three read one mag (the finest by default) inside a box (the layer's box by default, else intersected with it).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .. import ports
from ..errors import InvalidArgumentError
from ..geometry import BoundingBox, Mag, Vec3Int
from .tiff_export import export_tiff_stack

OZX_COMMENT = b'{"ome": {"version": "0.5"}, "jsonFirst": true}'
"""The zip comment of a zipped OME-Zarr archive (NGFF RFC-9): its OME version, ``zarr.json`` files stored first."""
_PYRAMID_MIN_SIDE = 32
"""OME-TIFF pyramids halve x and y while the smaller side of the last level is at least this many pixels."""
_UNIT_SYMBOLS = {"nanometer": "nm", "micrometer": "µm", "millimeter": "mm", "meter": "m", "angstrom": "Å"}
_OZX_CHUNK = 32
_OZX_MAX_SHARD = 1024


def _digits(value: int) -> int:
    return len(str(max(int(value), 0)))


class LayerExport:
    """Exports a layer's data to common bioimaging file formats; reached as ``layer.export``.

    ``layer.export.as_tiff_stack(output_path=...)``, ``.as_ome_tiff(output_path=...)``, ``.as_ozx(output_path=...)``.
    """

    def __init__(self, layer: Any) -> None:
        self._layer = layer

    # ------------------------------------------------------------------ shared

    def _mag_view(self, mag: Mag | None, access_mode: Any) -> Any:
        layer = self._layer
        if access_mode is not None and not _is_remote(layer):
            raise InvalidArgumentError(
                f"access_mode can only be passed for remote layers, but {layer.name!r} is a local layer; "
                "drop the access_mode argument."
            )
        if not layer.mags:
            raise InvalidArgumentError(f"The layer {layer.name!r} has no mags to export; add or download one first.")
        if mag is None:
            return layer.get_finest_mag()
        mag = Mag(mag)
        if mag not in layer.mags:
            available = ", ".join(m.to_layer_name() for m in sorted(layer.mags, key=lambda m: m.to_list()))
            raise InvalidArgumentError(
                f"The layer {layer.name!r} has no mag {mag.to_layer_name()}; available mags: {available}."
            )
        return layer.get_mag(mag)

    def _export_box(self, bounding_box: Any, mag_view: Any) -> BoundingBox:
        """The Mag(1) box to export: ``bounding_box`` within the layer's box, grown to whole voxels of the mag."""
        self._check_xyz()
        layer_box = BoundingBox.from_ndbbox(self._layer.bounding_box)
        box = layer_box
        if bounding_box is not None:
            given = bounding_box if isinstance(bounding_box, BoundingBox) else BoundingBox.from_auto(bounding_box)
            box = given.intersected_with(layer_box, dont_assert=True)
            if box.is_empty():
                raise InvalidArgumentError(
                    f"The bounding box {given.to_csv()} does not overlap the box {layer_box.to_csv()} of the layer "
                    f"{self._layer.name!r}; give a box inside the layer."
                )
        return box.align_with_mag(mag_view.mag, ceil=True)

    def _check_xyz(self) -> None:
        axes = tuple(self._layer.bounding_box.axes)
        if axes != ("x", "y", "z"):
            raise InvalidArgumentError(
                f"Exporting the layer {self._layer.name!r} with axes {axes} is not supported yet by daedalus; "
                "only layers with the axes x, y, z can be exported."
            )

    def _compress(self) -> bool:
        return self._layer.category == "segmentation"

    # ------------------------------------------------------------------ formats

    def as_tiff_stack(
        self,
        *,
        output_path: str | os.PathLike[str],
        bounding_box: Any = None,
        mag: Mag | None = None,
        filename_prefix: str = "",
        access_mode: Any = None,
    ) -> None:
        """Write one TIFF file per z-section into the folder ``output_path``.

        Files are named ``{z}.tiff`` (``{filename_prefix}_{z}.tiff``), z being the slice's absolute Mag(1)
        coordinate zero-padded to the width of the layer's largest z; pages are (y, x). Segmentation layers are
        deflate-compressed.
        """
        mag_view = self._mag_view(mag, access_mode)
        box = self._export_box(bounding_box, mag_view)
        layer_box = self._layer.bounding_box
        digits = _digits(layer_box.topleft.z + layer_box.size.z - 1)
        export_tiff_stack(
            mag_view,
            Path(output_path),
            bbox=box,
            name=filename_prefix or None,
            compress=self._compress(),
            absolute_index=True,
            index_digits=digits,
            progress_desc=None,
        )

    def as_ome_tiff(
        self,
        *,
        output_path: str | os.PathLike[str],
        bounding_box: Any = None,
        mag: Mag | None = None,
        downsample: bool = True,
        access_mode: Any = None,
    ) -> None:
        """Write the layer as one OME-TIFF file: a ZYX (CZYX for several channels) image with its physical pixel
        size; with ``downsample`` also a pyramid halving x and y (nearest voxel) while the images stay large."""
        mag_view = self._mag_view(mag, access_mode)
        box = self._export_box(bounding_box, mag_view)
        data = mag_view.read(absolute_bounding_box=box)  # (c, x, y, z)
        image = data.transpose(0, 3, 2, 1)  # (c, z, y, x)
        axes = "CZYX"
        if image.shape[0] == 1:
            image, axes = image[0], "ZYX"
        levels = [image]
        while downsample and min(levels[-1].shape[-2:]) >= _PYRAMID_MIN_SIDE:
            levels.append(levels[-1][..., ::2, ::2])
        voxel_size = self._layer.dataset.voxel_size_with_unit
        unit_name = str(getattr(voxel_size.unit, "value", voxel_size.unit))
        unit = _UNIT_SYMBOLS.get(unit_name, unit_name)
        factors = Vec3Int(mag_view.mag.to_list())
        physical = {axis: (float(v) * m, unit) for axis, v, m in zip("xyz", voxel_size.factor, factors)}
        Path(output_path).parent.mkdir(parents=True, exist_ok=True)
        writer = ports.resolve_image_writer(".tiff")
        writer.write_ome_tiff(Path(output_path), levels, axes=axes, physical_size=physical, compress=self._compress())

    def as_ozx(
        self,
        *,
        output_path: str | os.PathLike[str],
        bounding_box: Any = None,
        mag: Mag | None = None,
        downsample: bool = True,
        access_mode: Any = None,
        shard_shape: Any = None,
        executor: Any = None,
    ) -> None:
        """Write the layer as one zipped OME-Zarr 0.5 archive (NGFF RFC-9): the box translated to the origin, the
        chosen mag and, with ``downsample``, coarser mags computed from it (anisotropic sampling).

        ``shard_shape`` (mag voxels) fixes the shard of every mag; by default each mag gets the smallest shard of
        doubled 32-voxel chunks that covers the exported region, at most 1024 per axis. The archive is stored
        uncompressed (the shards are compressed) with every ``zarr.json`` first.
        """
        from ..dataset.dataset import Dataset

        mag_view = self._mag_view(mag, access_mode)
        box = self._export_box(bounding_box, mag_view)
        source_mag = mag_view.mag
        layer = self._layer
        with tempfile.TemporaryDirectory(prefix="daedalus-ozx-") as tmp:
            dataset = Dataset(Path(tmp) / "dataset", voxel_size_with_unit=layer.dataset.voxel_size_with_unit)
            kwargs: dict[str, Any] = {}
            if layer.category == "segmentation":
                kwargs["largest_segment_id"] = layer.largest_segment_id
            target = dataset.add_layer(
                layer.name,
                layer.category,
                dtype=layer.dtype,
                num_channels=layer.num_channels,
                data_format="zarr3",
                bounding_box=BoundingBox((0, 0, 0), box.size),
                **kwargs,
            )
            in_mag = box.in_mag(source_mag).size
            shard = _ozx_shard(in_mag, shard_shape)
            target_mag = target.add_mag(
                source_mag, chunk_shape=Vec3Int.full(_OZX_CHUNK).pairmin(shard), shard_shape=shard
            )
            target_mag.write(mag_view.read(absolute_bounding_box=box), absolute_offset=(0, 0, 0))
            if downsample:
                _downsample_pyramid(target, source_mag, box, shard_shape, executor)
            for exported in target.mags.values():
                _grow_to_whole_shards(exported)
            _zip_ome_zarr(Path(target.path), Path(output_path))


def _downsample_pyramid(target: Any, source_mag: Mag, box: BoundingBox, shard_shape: Any, executor: Any) -> None:
    """Add the mags ``Layer.downsample`` (anisotropic) would add, each with the shard covering its region."""
    target.downsample(from_mag=source_mag, sampling_mode="anisotropic", only_setup_mags=True)
    coarser = []  # one mag per factor: the finest of those Layer.downsample adds (as the reference exports them)
    for mag in sorted((m for m in target.mags if m != source_mag), key=lambda m: (m.max_dim, m.to_list())):
        if mag.max_dim > max([source_mag.max_dim, *(m.max_dim for m in coarser)]):
            coarser.append(mag)
    for mag in target.mags:
        if mag != source_mag and mag not in coarser:
            target.delete_mag(mag)
    previous = source_mag
    for mag in coarser:
        target.delete_mag(mag)
        shard = _ozx_shard(box.align_with_mag(mag, ceil=True).in_mag(mag).size, shard_shape)
        chunk = Vec3Int.full(_OZX_CHUNK).pairmin(shard)
        target.downsample_mag(previous, mag, chunk_shape=chunk, shard_shape=shard, executor=executor)
        previous = mag


def _grow_to_whole_shards(mag_view: Any) -> None:
    """Round the array's shape up to whole shards, as the reference's archives have it (no data is written)."""
    info = mag_view.info
    shape = tuple(-(-n // u) * u for n, u in zip(info.shape, info.full_shard_shape))
    if shape != tuple(info.shape):
        mag_view._array.resize(shape)


def _ozx_shard(size: Vec3Int, shard_shape: Any) -> Vec3Int:
    """The shard of an exported mag: ``shard_shape`` if given, else doubled chunks just covering ``size``."""
    if shard_shape is not None:
        shard = Vec3Int.from_vec_or_int(shard_shape)
        if min(shard) < 1:
            raise InvalidArgumentError(f"shard_shape must be positive in every axis, got {shard_shape!r}.")
        return shard
    sides = []
    for extent in size:
        side = _OZX_CHUNK
        while side < extent and side < _OZX_MAX_SHARD:
            side *= 2
        sides.append(side)
    return Vec3Int(sides)


def _zip_ome_zarr(group: Path, output_path: Path) -> None:
    """Zip the OME-Zarr group folder ``group`` (stored, no compression): the root ``zarr.json``, then the other
    ``zarr.json`` files, then the chunks and shards; with the RFC-9 comment."""
    files = sorted(p for p in group.rglob("*") if p.is_file())
    relative = [p.relative_to(group).as_posix() for p in files]
    metadata = [r for r in relative if r.endswith("zarr.json")]
    metadata.sort(key=lambda r: (r != "zarr.json", r))
    data = [r for r in relative if not r.endswith("zarr.json") and not r.startswith(".") and "/." not in r]
    _check_group(group)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output_path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name in [*metadata, *data]:
            archive.write(group / name, name)
        archive.comment = OZX_COMMENT


def _check_group(group: Path) -> None:
    root = json.loads((group / "zarr.json").read_text())
    if "ome" not in root.get("attributes", {}):
        raise RuntimeError(f"The OME-Zarr group {group} written for the .ozx export has no OME metadata.")


def _is_remote(layer: Any) -> bool:
    from ..remote import RemoteLayer

    return isinstance(layer, RemoteLayer)


__all__ = ["OZX_COMMENT", "LayerExport"]
