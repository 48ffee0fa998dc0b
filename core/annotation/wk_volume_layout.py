"""WEBKNOSSOS's layout of a volume layer's data zip: zarr3, unsharded 32³ chunks, blosc lz4, '.'-separated keys.

WEBKNOSSOS writes (and reads fastest) volume annotation data in exactly this layout; the reference library
reads a few voxels of it with little memory, unlike large shards. ``pack_wk_layout`` writes a data zip in it
from a temporary dataset, recoding only the mags not stored that way yet.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from daedalus.core import ports
from daedalus.core.dataset.array_axes import array_axes, array_shape_for
from daedalus.core.dataset.array_copy import copy_box, copy_tasks
from daedalus.core.geometry import Vec3Int

from .safe_zip import zip_directory

PROPERTIES_NAME = "datasource-properties.json"
WK_CHUNK_EDGE = 32
"""Edge of the (unsharded) chunks and WKW blocks WEBKNOSSOS writes for volume annotation data."""

_WK_BLOSC = {"cname": "lz4", "clevel": 5, "shuffle": "shuffle", "typesize": 1, "blocksize": 0}
_WKW_HEADER_NAME = "header.wkw"
_MAX_METADATA_BYTES = 1024**2


def zarr3_metadata(shape: tuple[int, ...], dtype: Any, dimension_names: tuple[str, ...]) -> dict[str, Any]:
    """The ``zarr.json`` WEBKNOSSOS writes for one mag of volume annotation data of this shape and type.

    One difference: WEBKNOSSOS writes the transpose order as ``"F"``, an early zarr v3 draft's spelling that
    the final spec and zarr-python 3 reject; the equal list of axes (``[3, 2, 1, 0]``) is written instead.
    """
    chunk = [int(shape[0])] + [1] * (len(shape) - 4) + [WK_CHUNK_EDGE] * 3
    return {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [int(s) for s in shape],
        "data_type": str(dtype),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunk}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "."}},
        "fill_value": 0,
        "codecs": [
            {"name": "transpose", "configuration": {"order": list(range(len(shape) - 1, -1, -1))}},
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "blosc", "configuration": dict(_WK_BLOSC)},
        ],
        "dimension_names": list(dimension_names),
    }


def is_wk_zarr3_metadata(meta: Any) -> bool:
    """Whether a parsed ``zarr.json`` describes an array in WEBKNOSSOS's volume layout."""
    try:
        chunk = meta["chunk_grid"]["configuration"]["chunk_shape"]
        codecs = meta["codecs"]
        separator = (meta.get("chunk_key_encoding") or {}).get("configuration", {}).get("separator")
    except (KeyError, TypeError, AttributeError):
        return False
    names = [c.get("name") for c in codecs if isinstance(c, dict)]
    blosc = [c.get("configuration") or {} for c in codecs if isinstance(c, dict) and c.get("name") == "blosc"]
    return (
        list(chunk[-3:]) == [WK_CHUNK_EDGE] * 3
        and "sharding_indexed" not in names
        and len(blosc) == 1
        and blosc[0].get("cname") == "lz4"
        and separator == "."
    )


def is_wk_wkw_header(header: bytes) -> bool:
    """Whether a ``header.wkw`` describes 32³ blocks, one block per file, LZ4 compressed (as WEBKNOSSOS writes)."""
    if len(header) < 8 or header[:3] != b"WKW":
        return False
    block_len_log2, file_len_log2 = header[4] & 0x0F, header[4] >> 4
    return 1 << block_len_log2 == WK_CHUNK_EDGE and file_len_log2 == 0 and header[5] in (2, 3)


def _bounding_box_json(bbox: Any) -> dict[str, Any]:
    top_left, size = bbox.topleft_xyz, bbox.size_xyz
    return {"topLeft": list(top_left), "width": size.x, "height": size.y, "depth": size.z}


def properties_json(layer: Any, mags: list[Any], voxel_size_nm: Any, data_format: str) -> dict[str, Any]:
    """The ``datasource-properties.json`` WEBKNOSSOS writes into a volume layer's data zip."""
    return {
        "id": {"name": "", "team": ""},
        "dataLayers": [
            {
                "name": layer.name,
                "boundingBox": _bounding_box_json(layer.bounding_box),
                "elementClass": str(layer.dtype),
                "mags": [{"mag": list(mag.to_list()), "axisOrder": {"x": 1, "y": 2, "z": 3, "c": 0}} for mag in mags],
                "numChannels": int(layer.num_channels),
                "category": "segmentation",
                "dataFormat": data_format,
            }
        ],
        "scale": [float(v) for v in voxel_size_nm],
    }


def _mag_is_wk_layout(mag_view: Any, data_format: str) -> bool:
    path = Path(str(mag_view.path))
    if data_format == "wkw":
        header = path / _WKW_HEADER_NAME
        return header.is_file() and is_wk_wkw_header(header.read_bytes()[:16])
    meta_path = path / "zarr.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return False
    return is_wk_zarr3_metadata(meta)


def _write_mag(mag_view: Any, target: Path, data_format: str, bbox: Any) -> None:
    """Store ``mag_view``'s data at ``target`` in WEBKNOSSOS's layout (a file copy when it already is)."""
    if _mag_is_wk_layout(mag_view, data_format):
        ports.file_transfer().copy_tree(mag_view.path, target, merge=False)
        return
    info = mag_view.info
    storage = ports.resolve_storage(data_format)
    if data_format == "wkw":
        chunk = Vec3Int.full(WK_CHUNK_EDGE)
        target_info = type(info)(
            data_format="wkw",
            num_channels=info.num_channels,
            voxel_type=info.voxel_type,
            chunk_shape=chunk,
            shard_shape=chunk,
            compression_mode=True,
            shape=array_shape_for(bbox, mag_view.mag, info.num_channels, chunk),
            dimension_names=array_axes(bbox),
        )
        storage.create(target, target_info)
    else:
        target.mkdir(parents=True)
        shape = array_shape_for(bbox, mag_view.mag, info.num_channels, Vec3Int.full(1))
        meta = zarr3_metadata(shape, info.voxel_type, array_axes(bbox))
        (target / "zarr.json").write_text(json.dumps(meta, indent=2))
    target_info = storage.open(target).info
    for offset, shape in copy_tasks(mag_view, target_info):
        copy_box((str(info.data_format), mag_view.path, data_format, target, offset, shape))


def pack_wk_layout(layer: Any, voxel_size_nm: Any, target: Path) -> str:
    """Write ``layer`` (a segmentation layer of a local temporary dataset) as a data zip at ``target``.

    zarr3 (and any format but WKW) becomes ``datasource-properties.json`` plus ``<layer>/<mag>/`` zarr3
    arrays; WKW becomes bare ``<mag>/`` folders of WKW files. Returns the data format written.
    """
    data_format = "wkw" if str(getattr(layer.data_format, "value", layer.data_format)) == "wkw" else "zarr3"
    mags = sorted(layer.mags)
    staging = Path(tempfile.mkdtemp(prefix="wk-volume-", dir=target.parent))
    try:
        layer_folder = staging if data_format == "wkw" else staging / layer.name
        layer_folder.mkdir(parents=True, exist_ok=True)
        for mag in mags:
            mag_view = layer.get_mag(mag)
            _write_mag(mag_view, layer_folder / mag.to_layer_name(), data_format, layer.bounding_box)
        if data_format != "wkw":
            properties = properties_json(layer, mags, voxel_size_nm, data_format)
            (staging / PROPERTIES_NAME).write_text(json.dumps(properties, indent=2))
        with target.open("wb") as out:
            zip_directory(staging, out)
    finally:
        ports.file_transfer().remove_quietly(staging)
    return data_format


def data_zip_is_wk_layout(archive: Any) -> bool:
    """Whether an open data zip already holds WEBKNOSSOS's layout (or nothing at all).

    zarr3 zips need every ``zarr.json`` in the layout; WKW zips (bare mag folders) every ``header.wkw``.
    """
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if not infos:
        return True
    names = [info.filename for info in infos]
    metadata = [i for i in infos if i.filename == PROPERTIES_NAME or i.filename.endswith(("/zarr.json", "/header.wkw"))]
    if any(info.file_size > _MAX_METADATA_BYTES for info in metadata):
        return False  # not what WEBKNOSSOS writes; recoding extracts it with the zip bomb checks
    if PROPERTIES_NAME in names:
        try:
            properties = json.loads(archive.read(PROPERTIES_NAME))
            formats = {layer.get("dataFormat") for layer in properties.get("dataLayers", [])}
        except (ValueError, AttributeError, TypeError):
            return False
        arrays = [n for n in names if n.endswith("/zarr.json")]
        if formats != {"zarr3"}:
            return False
        return all(_is_wk_zarr3_member(archive, name) for name in arrays)
    headers = [n for n in names if n.endswith("/" + _WKW_HEADER_NAME)]
    return bool(headers) and all(is_wk_wkw_header(archive.read(name)[:16]) for name in headers)


def _is_wk_zarr3_member(archive: Any, name: str) -> bool:
    try:
        meta = json.loads(archive.read(name))
    except ValueError:
        return False
    return meta.get("node_type") == "group" or is_wk_zarr3_metadata(meta)
