"""Dataset and layer scenarios: layer creation (dtype, category, data format, chunk/shard shape), validation,
deprecated members, properties files of other versions and the fixture datasets opened."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("differential_scenarios__facts", Path(__file__).with_name("_facts.py"))
facts = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = facts
    _spec.loader.exec_module(facts)

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"  # ../shared next to the repository


def create_layer(wk, tmp, category, dtype, num_channels, data_format, chunk_shape, shard_shape, compress):
    """A new layer with one mag: the layer's and mag's facts, then the properties and facts after reopening."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(11.2, 11.2, 25.0))
    kwargs = {"largest_segment_id": 7} if category == "segmentation" else {}
    layer = ds.add_layer("layer", category, dtype=dtype, num_channels=num_channels, data_format=data_format, **kwargs)
    layer.add_mag(1, chunk_shape=chunk_shape, shard_shape=shard_shape, compress=compress)
    before = facts.layer_facts(layer)
    reopened = wk.Dataset.open(tmp / "ds")
    return [before, facts.layer_facts(reopened.get_layer("layer")), facts.properties(tmp / "ds")]


def add_layer_arguments(wk, tmp, name, category, dtype, num_channels, data_format):
    """``add_layer`` with arbitrary (also invalid) arguments: the layer's facts and the properties."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer(name, category, dtype=dtype, num_channels=num_channels, data_format=data_format)
    return [layer.name, layer.category, str(layer.dtype), layer.num_channels, facts.properties(tmp / "ds")]


def duplicate_layer(wk, tmp, first_category, second_category):
    """Adding a layer whose name exists already."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("layer", first_category)
    ds.add_layer("layer", second_category)
    return sorted(ds.layers)


def deprecated_members(wk, tmp, member):
    """A deprecated argument or member used once: its value (the warning is what the test is after)."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    if member == "dtype_per_channel_argument":
        layer = ds.add_layer("layer", "color", dtype_per_channel="uint16")
        return str(layer.dtype)
    layer = ds.add_layer("layer", "color", dtype="uint8", num_channels=3)
    if member == "dtype_per_channel":
        return str(layer.dtype_per_channel)
    if member == "chunks_per_shard_argument":
        return facts.mag_info(layer.add_mag(1, chunk_shape=16, chunks_per_shard=2))
    if member == "get_mag_string":
        layer.add_mag(1)
        return repr(layer.get_mag("1").mag)
    if member == "scale":
        return list(ds.voxel_size)
    raise ValueError(member)


def layer_changes(wk, tmp, new_name, topleft, size, largest_segment_id):
    """Rename a segmentation layer, set its bounding box and largest segment id; facts and properties."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("seg", "segmentation", dtype="uint32", largest_segment_id=1)
    layer.add_mag(1)
    layer.name = new_name
    layer.bounding_box = wk.BoundingBox(topleft, size)
    layer.largest_segment_id = largest_segment_id
    reopened = wk.Dataset.open(tmp / "ds").get_segmentation_layer(new_name)
    return [facts.layer_facts(reopened), reopened.largest_segment_id, facts.properties(tmp / "ds")]


def delete_layer(wk, tmp, names, delete):
    """Add color layers named ``names`` and delete ``delete``: remaining layers and the properties."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    for name in names:
        ds.add_layer(name, "color").add_mag(1)
    ds.delete_layer(delete)
    return [sorted(ds.layers), sorted(p.name for p in (tmp / "ds").iterdir()), facts.properties(tmp / "ds")]


def properties_version(wk, tmp, version, drop_version):
    """Open a dataset whose properties have another (or no) ``version``: opened layers, properties after."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    ds.add_layer("color", "color").add_mag(1)
    path = tmp / "ds" / "datasource-properties.json"
    data = json.loads(path.read_text())
    if drop_version:
        data.pop("version", None)
    else:
        data["version"] = version
    path.write_text(json.dumps(data))
    opened = wk.Dataset.open(tmp / "ds")
    return [sorted(opened.layers), facts.properties(tmp / "ds")]


def open_fixture(wk, tmp, relative):
    """A copy of a fixture dataset opened: every layer's facts, voxel size and the properties after opening."""
    shutil.copytree(FIXTURES / relative, tmp / "ds", symlinks=True)
    for path in (tmp / "ds").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    ds = wk.Dataset.open(tmp / "ds")
    layers = {name: facts.layer_facts(layer) for name, layer in sorted(ds.layers.items())}
    return [list(ds.voxel_size), str(ds.voxel_size_with_unit.unit), layers, facts.properties(tmp / "ds")]


def channel_count(wk, tmp, num_channels):
    """``add_layer`` with fewer than one channel (documented: daedalus refuses, the reference writes a layer it
    cannot open again)."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("layer", "color", dtype="uint8", num_channels=num_channels)
    return [layer.num_channels, facts.properties(tmp / "ds")["dataLayers"][0]["numChannels"]]


def create_n5(wk, tmp, dtype):
    """A new mag in N5 (documented: daedalus writes N5, the reference only reads it)."""
    ds = wk.Dataset(tmp / "ds", voxel_size=(1, 1, 1))
    layer = ds.add_layer("layer", "color", dtype=dtype, data_format="n5")
    layer.add_mag(1, chunk_shape=32)
    return facts.layer_facts(wk.Dataset.open(tmp / "ds").get_layer("layer"))
