"""Scenarios of datasets on S3 (a moto server on 127.0.0.1): layers and mags in every format, writes and reads at
offsets, mag folders named ``1-1-1``, references and copies between local folders and S3, attachments, renames.

Every scenario takes ``s3`` (endpoint, bucket, key, secret) and builds its ``s3://`` UPaths with those options:
the reference reaches a custom endpoint only through storage options given with the path. Each side works under
its own prefix (``<run folder>/<ours|theirs>``); results name S3 locations as ``<s3>`` (``s3://bucket/prefix``)
or ``<s3-host>`` (``s3://host:port/bucket/prefix``, the form the reference writes into properties files).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

_ADDERS = {
    "meshes": "add_mesh",
    "agglomerates": "add_agglomerate",
    "connectomes": "add_connectome",
    "segment_index": "set_segment_index",
    "cumsum": "set_cumsum",
}


# ---------------------------------------------------------------------------------------------- locations


def _s3_root(tmp, s3, name):
    """``s3://bucket/<run>/<side>/<name>`` with the endpoint and keys as storage options."""
    from upath import UPath

    return UPath(
        f"s3://{s3['bucket']}/{tmp.parent.name}/{tmp.name}/{name}",
        endpoint_url=s3["endpoint_url"],
        key=s3["key"],
        secret=s3["secret"],
    )


def _location(tmp, s3, where, name):
    return _s3_root(tmp, s3, name) if where == "s3" else tmp / name


def _clean(value, tmp, s3):
    """``value`` (JSON-like) with this side's S3 prefix written as ``<s3>`` / ``<s3-host>``."""
    host = s3["endpoint_url"].split("://", 1)[1].rstrip("/")
    prefix = f"{s3['bucket']}/{tmp.parent.name}/{tmp.name}"
    replacements = [(f"s3://{host}/{prefix}", "<s3-host>"), (f"s3://{prefix}", "<s3>"), (prefix, "<s3-key>")]
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {_clean(k, tmp, s3): _clean(v, tmp, s3) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item, tmp, s3) for item in value]
    return value


def _properties(path) -> dict:
    """The dataset's properties JSON (layers and mags sorted, like ``_facts.properties``), local or on S3."""
    data = json.loads((path / "datasource-properties.json").read_text())
    layers = sorted(data.get("dataLayers", []), key=lambda layer: layer.get("name", ""))
    for layer in layers:
        if "mags" in layer:
            layer["mags"] = sorted(layer["mags"], key=lambda mag: mag.get("mag", []))
        if isinstance(layer.get("boundingBox"), dict):
            layer["boundingBox"].pop("axisOrder", None)
    data["dataLayers"] = layers
    return data


def _files(path) -> list:
    """Every file below ``path`` (relative, sorted), local or on S3 (listing caches dropped first)."""
    if getattr(path, "protocol", "") in ("s3", "s3a"):
        path.fs.invalidate_cache()
        base = path.path.rstrip("/")
        return sorted(name[len(base) + 1 :] for name in path.fs.find(base))
    return sorted(p.relative_to(path).as_posix() for p in Path(path).rglob("*") if p.is_file())


def _dataset_facts(dataset, path) -> list:
    """Layers (facts and every mag's data) and the properties of the dataset at ``path``."""
    layers = {}
    for name, layer in sorted(dataset.layers.items()):
        layers[name] = [facts.layer_facts(layer), {m.to_layer_name(): v.read() for m, v in sorted(layer.mags.items())}]
    return [layers, _properties(path)]


def _pattern(shape, dtype):
    size = int(np.prod(shape))
    return (np.arange(size, dtype=np.int64) % 251 + 1).reshape(shape).astype(dtype)


def _source(wk, path, category="color", data_format="zarr3"):
    """A dataset at ``path`` with one layer ``layer`` (mags 1 and 2, written at an offset)."""
    ds = wk.Dataset(path, voxel_size=(2, 2, 4))
    kwargs = {"largest_segment_id": 251} if category == "segmentation" else {}
    dtype = "uint32" if category == "segmentation" else "uint8"
    layer = ds.add_layer("layer", category, dtype=dtype, data_format=data_format, **kwargs)
    shard = None if data_format == "zarr" else 64
    layer.add_mag(1, chunk_shape=16, shard_shape=shard).write(
        _pattern((40, 24, 20), dtype), absolute_offset=(8, 8, 4), allow_resize=True, allow_unaligned=True
    )
    layer.add_mag(2, chunk_shape=16, shard_shape=shard).write(
        _pattern((20, 12, 10), dtype), absolute_offset=(8, 8, 4), allow_resize=True, allow_unaligned=True
    )
    return ds, layer


# ---------------------------------------------------------------------------------------------- layers and mags


def create_write_read(wk, tmp, s3, data_format, category, dtype, chunk_shape, shard_shape, compress, offset, shape):
    """A layer of ``data_format`` on S3: written at ``offset``, read around it, reopened; properties and files."""
    root = _s3_root(tmp, s3, "ds")
    ds = wk.Dataset(root, voxel_size=(2, 2, 4))
    kwargs = {"largest_segment_id": 251} if category == "segmentation" else {}
    layer = ds.add_layer("layer", category, dtype=dtype, data_format=data_format, **kwargs)
    mag = layer.add_mag(1, chunk_shape=chunk_shape, shard_shape=shard_shape, compress=compress)
    mag.write(_pattern(shape, dtype), absolute_offset=offset, allow_resize=True, allow_unaligned=True)
    around = wk.BoundingBox([max(o - 3, 0) for o in offset], [s + 6 for s in shape])
    read = mag.read(absolute_bounding_box=around)
    reopened = wk.Dataset.open(root).get_layer("layer")
    again = reopened.get_mag(1).read(absolute_bounding_box=around)
    result = [facts.layer_facts(layer), read, facts.layer_facts(reopened), again, _properties(root), _files(root)]
    return _clean(result, tmp, s3)


def mags_and_downsampling(wk, tmp, s3, data_format, target_mags):
    """Mag 1 on S3 downsampled to ``target_mags`` (one after the other); the reopened layer's mags and data."""
    root = _s3_root(tmp, s3, "ds")
    ds = wk.Dataset(root, voxel_size=(2, 2, 4))
    layer = ds.add_layer("layer", "color", dtype="uint8", data_format=data_format)
    shard = None if data_format == "zarr" else 32
    layer.add_mag(1, chunk_shape=16, shard_shape=shard).write(_pattern((32, 32, 16), "uint8"), allow_resize=True)
    previous = wk.Mag(1)
    with wk.utils.get_executor("sequential") as executor:
        for target in target_mags:
            layer.downsample_mag(previous, wk.Mag(target), executor=executor)
            previous = wk.Mag(target)
    return _clean(_dataset_facts(wk.Dataset.open(root), root) + [_files(root)], tmp, s3)


def _zarr3_array(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": list(data.shape),
        "data_type": str(data.dtype),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(data.shape)}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "dimension_names": ["c", "x", "y", "z"],
        "attributes": {},
    }
    (folder / "zarr.json").write_text(json.dumps(meta))
    (folder / "c" / "0" / "0" / "0").mkdir(parents=True, exist_ok=True)
    (folder / "c" / "0" / "0" / "0" / "0").write_bytes(np.ascontiguousarray(data).tobytes())


def _zarr2_array(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "zarr_format": 2,
        "shape": list(data.shape),
        "chunks": list(data.shape),
        "dtype": data.dtype.str,
        "compressor": None,
        "fill_value": 0,
        "order": "C",
        "filters": None,
        "dimension_separator": ".",
    }
    (folder / ".zarray").write_text(json.dumps(meta))
    (folder / "0.0.0.0").write_bytes(np.ascontiguousarray(data).tobytes())


def long_mag_names(wk, tmp, s3, where, data_format, mag_names, with_paths):
    """A dataset written by hand (properties and uncompressed zarr arrays) whose mag folders are named like
    ``1-1-1`` / ``2-2-1`` (or ``1`` / ``2-2-1``), with or without ``path`` in the mags: opened and read."""
    root = _location(tmp, s3, where, "hand")
    size = (24, 16, 8)
    mags, entries = [], []
    for name in mag_names:
        factors = [int(f) for f in name.split("-")] if "-" in name else [int(name)] * 3
        shape = (1, *(-(-s // f) for s, f in zip(size, factors)))
        data = _pattern(shape, "uint8")
        folder = root / "color" / name
        (_zarr3_array if data_format == "zarr3" else _zarr2_array)(folder, data)
        entry = {"mag": factors}
        if with_paths:
            entry["path"] = f"./color/{name}"
        entries.append(entry)
        mags.append(factors)
    properties = {
        "id": {"name": "hand", "team": ""},
        "scale": {"factor": [1.0, 1.0, 1.0], "unit": "nanometer"},
        "dataLayers": [
            {
                "name": "color",
                "category": "color",
                "boundingBox": {"topLeft": [0, 0, 0], "width": size[0], "height": size[1], "depth": size[2]},
                "elementClass": "uint8",
                "dataFormat": data_format,
                "numChannels": 1,
                "mags": entries,
            }
        ],
    }
    (root / "datasource-properties.json").write_text(json.dumps(properties))
    layer = wk.Dataset.open(root).get_layer("color")
    found = {}
    for mag, view in sorted(layer.mags.items()):
        found[mag.to_layer_name()] = [facts.mag_info(view), view.read(), str(view.path).rstrip("/").rsplit("/", 1)[-1]]
    return _clean(found, tmp, s3)


# ---------------------------------------------------------------------------------------------- references, copies


def refs_and_copies(wk, tmp, s3, how, source_where, target_where, new_name):
    """``add_mag_as_ref`` / ``add_layer_as_ref`` / ``add_mag_as_copy`` / ``add_layer_as_copy`` between a local
    folder and S3: the target's layers, data and properties (the paths the references record)."""
    src_path = _location(tmp, s3, source_where, "src")
    target_path = _location(tmp, s3, target_where, "target")
    _, layer = _source(wk, src_path)
    target = wk.Dataset(target_path, voxel_size=(2, 2, 4))
    if how in ("add_mag_as_ref", "add_mag_as_copy"):
        new = target.add_layer(new_name or "new", "color", dtype="uint8", data_format="zarr3")
        for mag in (1, 2):
            if how == "add_mag_as_ref":
                new.add_mag_as_ref(layer.get_mag(mag))
            else:
                with wk.utils.get_executor("sequential") as executor:
                    new.add_mag_as_copy(layer.get_mag(mag), executor=executor)
    elif how == "add_layer_as_ref":
        target.add_layer_as_ref(layer, new_name)
    else:
        with wk.utils.get_executor("sequential") as executor:
            target.add_layer_as_copy(layer, new_name, executor=executor)
    result = _dataset_facts(target, target_path) + [_files(target_path)]
    if source_where == "local":  # a local source is found again when the target is reopened
        result.append(_dataset_facts(wk.Dataset.open(target_path), target_path)[0])
    return _clean(result, tmp, s3)


def copy_dataset(wk, tmp, s3, source_where, target_where, data_format, chunk_shape, shard_shape):
    """``Dataset.copy_dataset`` local -> S3, S3 -> local and S3 -> S3 (converting the format and chunking): the
    copy's layers, data, properties and files."""
    src, _ = _source(wk, _location(tmp, s3, source_where, "src"), category="segmentation")
    target_path = _location(tmp, s3, target_where, "copy")
    with wk.utils.get_executor("sequential") as executor:
        copy = src.copy_dataset(
            target_path, data_format=data_format, chunk_shape=chunk_shape, shard_shape=shard_shape, executor=executor
        )
    return _clean(_dataset_facts(copy, target_path) + [_files(target_path)], tmp, s3)


# ---------------------------------------------------------------------------------------------- attachments


def _segmentation(wk, path):
    ds = wk.Dataset(path, voxel_size=(1, 1, 1))
    layer = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=1)
    layer.add_mag(1)
    return ds, layer


def _listed(layer) -> dict:
    """Every attachment the layer lists: kind -> [(name, data format, path)]."""
    attachments = layer.attachments
    out = {}
    for kind in ("meshes", "agglomerates", "connectomes"):
        out[kind] = sorted([a.name, str(a.data_format), str(a.path)] for a in getattr(attachments, kind))
    for kind in ("segment_index", "cumsum"):
        single = getattr(attachments, kind)
        out[kind] = None if single is None else [single.name, str(single.data_format), str(single.path)]
    return out


def _attachment_file(path, data_format, content):
    """An attachment file (HDF5: ``content`` or placeholder bytes) or zarr3 group folder at ``path``."""
    if data_format == "hdf5":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Path(content).read_bytes() if content else b"placeholder")
    else:
        path.mkdir(parents=True, exist_ok=True)
        (path / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {}}')


def attachments(wk, tmp, s3, kind, data_format, how, source_where, target_where, content=None):
    """An attachment of a layer at ``source_where`` added to a layer at ``target_where`` as copy or reference."""
    src_path = _location(tmp, s3, source_where, "src")
    _, src_layer = _segmentation(wk, src_path)
    file = src_path / "seg" / kind / ("att.hdf5" if data_format == "hdf5" else "att")
    _attachment_file(file, data_format, content)
    fmt = wk.AttachmentDataFormat(data_format)
    getattr(src_layer.attachments, _ADDERS[kind])(file, name="att", data_format=fmt)
    attachment = getattr(src_layer.attachments, kind)
    attachment = attachment[0] if isinstance(attachment, (list, tuple)) else attachment
    target_path = _location(tmp, s3, target_where, "target")
    _, layer = _segmentation(wk, target_path)
    if how == "ref":
        layer.attachments.add_attachment_as_ref(attachment)
    else:
        layer.attachments.add_attachment_as_copy(attachment)
    reopened = wk.Dataset.open(target_path).get_segmentation_layer("seg")
    result = [_listed(layer), _listed(reopened), _properties(target_path)["dataLayers"][0].get("attachments")]
    return _clean(result + [_files(target_path)], tmp, s3)


def attachment_by_path(wk, tmp, s3, kind, data_format, where):
    """``add_mesh`` & co. on an S3 dataset with a path (inside the dataset, relative or elsewhere on S3) that
    does not exist yet: what the layer lists and the properties record."""
    root = _s3_root(tmp, s3, "ds")
    _, layer = _segmentation(wk, root)
    path = {
        "inside": root / "seg" / kind / "a.file",
        "relative": Path(f"seg/{kind}/a.file"),
        "elsewhere": _s3_root(tmp, s3, "elsewhere") / "a.file",
    }[where]
    getattr(layer.attachments, _ADDERS[kind])(path, name="a", data_format=wk.AttachmentDataFormat(data_format))
    reopened = wk.Dataset.open(root).get_segmentation_layer("seg")
    result = [_listed(layer), _listed(reopened), _properties(root)["dataLayers"][0].get("attachments")]
    return _clean(result, tmp, s3)


# ---------------------------------------------------------------------------------------------- renames


def rename_layer(wk, tmp, s3, data_format):
    """``layer.name = ...`` for a layer of a dataset on S3."""
    root = _s3_root(tmp, s3, "ds")
    _, layer = _source(wk, root, data_format=data_format)
    layer.name = "renamed"
    return _clean(_dataset_facts(wk.Dataset.open(root), root) + [_files(root)], tmp, s3)


def rename_attachment(wk, tmp, s3, kind, data_format, exists):
    """``rename_attachment`` of an attachment of a dataset on S3 (its file present or not): listing, properties
    and files afterwards."""
    root = _s3_root(tmp, s3, "ds")
    _, layer = _segmentation(wk, root)
    file = root / "seg" / kind / ("a.hdf5" if data_format == "hdf5" else "a")
    if exists:
        _attachment_file(file, data_format, None)
    getattr(layer.attachments, _ADDERS[kind])(file, name="a", data_format=wk.AttachmentDataFormat(data_format))
    attachment = getattr(layer.attachments, kind)
    attachment = attachment[0] if isinstance(attachment, (list, tuple)) else attachment
    layer.attachments.rename_attachment(attachment, new_name="b")
    reopened = wk.Dataset.open(root).get_segmentation_layer("seg")
    result = [_listed(layer), _listed(reopened), _properties(root)["dataLayers"][0].get("attachments"), _files(root)]
    return _clean(result, tmp, s3)
