"""``Layer.export``: a layer's data as a TIFF stack, one OME-TIFF file or a zipped OME-Zarr archive (``.ozx``).

All three read one mag (the finest by default) inside a box (the layer's box by default, else intersected with it);
layers with extra axes (t, ...) export every value of them (see ``extra_axes``).
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from .. import ports
from ..errors import InvalidArgumentError
from ..geometry import BoundingBox, Mag, NDBoundingBox, Vec3Int
from . import extra_axes as nd
from .tiff_export import export_tiff_stack

OZX_COMMENT = b'{"ome": {"version": "0.5"}, "jsonFirst": true}'
"""The zip comment of a zipped OME-Zarr archive (NGFF RFC-9): its OME version, ``zarr.json`` files stored first."""
_PYRAMID_MIN_SIDE = 32
"""OME-TIFF pyramids halve x and y while the smaller side of the last level is at least this many pixels."""
_UNIT_SYMBOLS = {"nanometer": "nm", "micrometer": "µm", "millimeter": "mm", "meter": "m", "angstrom": "Å"}
_OZX_CHUNK = 32
_OZX_MAX_SHARD = 1024
_OME_AXES = "tzyx"
"""The axes an OME-TIFF can hold besides the channels."""


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

    def _export_box(self, bounding_box: Any, mag_view: Any, grow: bool = True) -> NDBoundingBox:
        """The Mag(1) box to export: ``bounding_box`` within the layer's box, grown to whole voxels of the mag
        (unless ``grow`` is False).

        A BoundingBox for 3-d layers; for layers with extra axes an NDBoundingBox over all of them, which a 3-d
        ``bounding_box`` limits in x, y and z only.
        """
        layer_box = self._layer.bounding_box
        box = layer_box if nd.extra_axes(layer_box) else BoundingBox.from_ndbbox(layer_box)
        if bounding_box is not None:
            if nd.extra_axes(layer_box):
                given = nd.restrict(layer_box, bounding_box)
            else:
                given = bounding_box if isinstance(bounding_box, BoundingBox) else BoundingBox.from_auto(bounding_box)
            box = given.intersected_with(box, dont_assert=True)
            if box.is_empty():
                raise InvalidArgumentError(
                    f"The bounding box {given} does not overlap the box {layer_box} of the layer "
                    f"{self._layer.name!r}; give a box inside the layer."
                )
        return box.align_with_mag(mag_view.mag, ceil=True) if grow else box

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
        digits = _digits(layer_box.get_bounds("z")[1] - 1)
        extra = tuple(sorted(nd.extra_axes(box)))
        if not extra:
            slabs = [(mag_view, filename_prefix or None, "")]
        else:  # one stack per combination of the extra axes' values, named like t0_z3.tiff (axes sorted by name)
            widths = {axis: _digits(layer_box.get_bounds(axis)[1] - 1) for axis in extra}
            slabs = []
            for values in nd.combinations(box, extra):
                label = "_".join(f"{axis}{value:0{widths[axis]}d}" for axis, value in zip(extra, values))
                name = f"{filename_prefix}_{label}" if filename_prefix else label
                slabs.append((nd.ExtraAxesSlab(mag_view, tuple(zip(extra, values))), name, "z"))
        for view, name, index_label in slabs:
            export_tiff_stack(
                view,
                Path(output_path),
                bbox=BoundingBox.from_ndbbox(box),
                name=name,
                compress=self._compress(),
                absolute_index=True,
                index_digits=digits,
                index_label=index_label,
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
        """Write the layer as one OME-TIFF file: a ZYX image (CZYX for several channels, TZYX for a time axis;
        axes of one voxel left out) with its physical pixel size; with ``downsample`` also a pyramid halving x and y
        (nearest voxel) while the images stay large."""
        mag_view = self._mag_view(mag, access_mode)
        box = self._export_box(bounding_box, mag_view)
        image, axes = self._ome_image(mag_view, box)
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
        # as the reference: layers with extra axes record OME's default order XYCZT, whatever axes remain
        order = "XYCZT" if nd.extra_axes(box) else None
        writer.write_ome_tiff(
            Path(output_path),
            levels,
            axes=axes,
            physical_size=physical,
            compress=self._compress(),
            dimension_order=order,
        )

    def _ome_image(self, mag_view: Any, box: NDBoundingBox) -> tuple[Any, str]:
        """The voxels of ``box`` in OME-TIFF axis order (``CTZYX`` without the axes of size one) and that order."""
        unsupported = [axis for axis in nd.extra_axes(box) if axis not in _OME_AXES]
        if unsupported:
            raise InvalidArgumentError(
                f"as_ome_tiff does not support axis/axes {unsupported}; OME-TIFF only supports c, t, z, y, x. "
                "Export the layer as_ozx or as_tiff_stack instead."
            )
        data = mag_view.read(absolute_bounding_box=box)  # (c, x, y, z); n-d layers: the box's axes, no channels
        names = ["c", *box.axes]
        if data.ndim == len(box.axes):
            data = data[None]
        order = [axis for axis in "ctzyx" if axis in names]
        image = data.transpose([names.index(axis) for axis in order])
        keep = [axis for axis, size in zip(order, image.shape) if size > 1 or axis in "yx"]
        image = image.reshape([size for axis, size in zip(order, image.shape) if axis in keep])
        return image, "".join(keep).upper()

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
        # as the reference: the archive's box is the exported box's size at the origin, and its voxels are those
        # of the box grown to whole voxels of the mag, counted from the grown box's corner
        exact = self._export_box(bounding_box, mag_view, grow=False).with_topleft([0] * len(box.axes))
        written = exact.align_with_mag(source_mag, ceil=True)
        xyz_exact = BoundingBox.from_ndbbox(exact)
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
                bounding_box=written,
                **kwargs,
            )
            shard = _ozx_shard(xyz_exact.align_with_mag(source_mag, ceil=True).in_mag(source_mag).size, shard_shape)
            target_mag = target.add_mag(
                source_mag, chunk_shape=Vec3Int.full(_OZX_CHUNK).pairmin(shard), shard_shape=shard
            )
            data = mag_view.read(absolute_bounding_box=box)
            target_mag.write(_crop_spatial(data, box, written.in_mag(source_mag)), absolute_bounding_box=written)
            target.bounding_box = exact
            if downsample:
                _downsample_pyramid(target, source_mag, xyz_exact, shard_shape, executor)
            for exported in target.mags.values():
                _grow_to_whole_shards(exported)
            _zip_ome_zarr(Path(target.path), Path(output_path))


def _downsample_pyramid(target: Any, source_mag: Mag, box: BoundingBox, shard_shape: Any, executor: Any) -> None:
    """Add the mags ``Layer.downsample`` (anisotropic) would add, each with the shard covering its region."""
    with warnings.catch_warnings():  # the reference exports 2-d layers without its notice about constant_z
        warnings.filterwarnings("ignore", message=r".* is 2-d \(one voxel deep\)", category=UserWarning)
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


def _crop_spatial(data: Any, box: NDBoundingBox, keep: NDBoundingBox) -> Any:
    """``data`` read over ``box`` cut to the x/y/z sizes of ``keep`` (mag voxels) from its first voxel on."""
    offset = data.ndim - len(box.axes)  # the channel axis of 3-d layers
    index = [slice(None)] * data.ndim
    for position, axis in enumerate(box.axes):
        if axis in nd.XYZ:
            index[offset + position] = slice(0, keep.get_shape(axis))
    return data[tuple(index)]


def _grow_to_whole_shards(mag_view: Any) -> None:
    """Round the array's shape up to whole shards, as the reference's archives have it (no data is written)."""
    info = mag_view.info
    shape = tuple(-(-n // u) * u for n, u in zip(info.shape, info.full_shard_shape))
    if shape != tuple(info.shape):
        mag_view.stored_array.resize(shape)


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
    with ports.zip_archives().open_writer(output_path, compressed=False, comment=OZX_COMMENT) as archive:
        for name in [*metadata, *data]:
            archive.write_file(name, group / name)


def _check_group(group: Path) -> None:
    root = json.loads((group / "zarr.json").read_text())
    if "ome" not in root.get("attributes", {}):
        raise RuntimeError(f"The OME-Zarr group {group} written for the .ozx export has no OME metadata.")


def _is_remote(layer: Any) -> bool:
    from ..remote import RemoteLayer

    return isinstance(layer, RemoteLayer)


__all__ = ["OZX_COMMENT", "LayerExport"]
