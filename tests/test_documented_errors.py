"""Errors match the exception types the API reference documents (its ``Raises:`` lines).

Scripts written against the reference catch e.g. ``except IndexError:`` or ``except AssertionError:``; with
``import daedalus as wk`` they must keep working. Each case triggers one documented condition through the
public API and checks every listed type (the documented one, plus the type the reference package raises in
practice where that differs) and that the message names the offending value. The ``UNDOCUMENTED`` cases
follow what the reference package (webknossos 4.3.3) raises, observed as a black box.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import daedalus as wk


class Ctx:
    """Builds small datasets and annotations under one temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._count = 0

    def path(self, name: str = "ds") -> Path:
        self._count += 1
        return self.root / f"{name}{self._count}"

    def dataset(self) -> wk.Dataset:
        return wk.Dataset(self.path(), voxel_size=(1, 1, 1))

    def with_layer(self, data_format: str = "zarr3") -> tuple[wk.Dataset, wk.Layer]:
        ds = self.dataset()
        layer = ds.add_layer(
            "color",
            "color",
            dtype="uint8",
            data_format=data_format,
            bounding_box=wk.BoundingBox((0, 0, 0), (16, 16, 16)),
        )
        layer.add_mag(1, chunk_shape=8, shard_shape=16).write(
            np.ones((16, 16, 16), np.uint8), absolute_offset=(0, 0, 0)
        )
        return ds, layer

    def with_mags_1_2(self) -> wk.Layer:
        _, layer = self.with_layer()
        layer.downsample_mag(wk.Mag(1), wk.Mag(2))
        return layer

    def read_only(self) -> wk.Dataset:
        ds, _ = self.with_layer()
        return wk.Dataset.open(ds.path, read_only=True)

    def mag1(self) -> wk.MagView:
        return self.with_layer()[1].get_mag(1)

    def annotation(self, *volume_layers: str) -> wk.Annotation:
        annotation = wk.Annotation(name="ann", dataset_name="ds", voxel_size=(1, 1, 1))
        for name in volume_layers:
            annotation.add_volume_layer(name, dtype=np.uint32)
        return annotation

    def file(self, name: str, content: bytes) -> Path:
        path = self.root / name
        path.write_bytes(content)
        return path

    def skeleton(self) -> wk.Skeleton:
        return wk.Skeleton(voxel_size=(1, 1, 1), dataset_name="ds")


Case = tuple[str, tuple[type[BaseException], ...], Callable[[Ctx], Any], str]

BOX = wk.BoundingBox((0, 0, 0), (1, 1, 1))
ZEROS = np.zeros((4, 4, 4), np.uint8)


def _exists(ctx: Ctx) -> None:
    ds = ctx.dataset()
    wk.Dataset(ds.path, voxel_size=(1, 1, 1))


def _reopen(ctx: Ctx, **kwargs: Any) -> None:
    ds = ctx.dataset()
    wk.Dataset(ds.path, exist_ok=True, **kwargs)


def _add_mag_twice(layer: wk.Layer) -> None:
    layer.add_mag(1)


def _nx_graph_without_position(ctx: Ctx) -> None:
    nx = pytest.importorskip("networkx")
    graph = nx.Graph()
    graph.add_node(1)
    ctx.skeleton().add_nx_graphs([graph])


DATASET: list[Case] = [
    ("Dataset:exists-no-exist_ok", (RuntimeError,), _exists, "exist_ok"),
    ("Dataset:voxel-size-mismatch", (AssertionError, RuntimeError), lambda c: _reopen(c, voxel_size=(2, 2, 2)), "2.0"),
    ("Dataset:name-mismatch", (AssertionError, RuntimeError), lambda c: _reopen(c, name="other"), "'other'"),
    ("add_layer:exists", (IndexError,), lambda c: c.with_layer()[0].add_layer("color", "color"), "'color'"),
    ("add_layer:category", (RuntimeError,), lambda c: c.dataset().add_layer("x", "bogus"), "'bogus'"),
    (
        "add_layer:dtype-and-dtype_per_channel",
        (AttributeError,),
        lambda c: c.dataset().add_layer("x", "color", dtype="uint8", dtype_per_channel="uint8"),
        "dtype_per_channel",
    ),
    ("add_layer:name", (AssertionError, ValueError), lambda c: c.dataset().add_layer("a/b", "color"), "'a/b'"),
    (
        "add_layer_as_copy:exists",
        (IndexError,),
        lambda c: c.with_layer()[0].add_layer_as_copy(c.with_layer()[1]),
        "'color'",
    ),
    (
        "add_layer_as_copy:read-only",
        (RuntimeError,),
        lambda c: c.read_only().add_layer_as_copy(c.with_layer()[1], new_layer_name="copy"),
        "read-only",
    ),
    (
        "add_layer_for_existing_files:exists",
        (AssertionError,),
        lambda c: c.with_layer()[0].add_layer_for_existing_files("color", "color"),
        "'color'",
    ),
    (
        "add_layer_for_existing_files:no-files",
        (AssertionError, FileNotFoundError),
        lambda c: c.dataset().add_layer_for_existing_files("nothing", "color"),
        "nothing",
    ),
    (
        "add_layer_for_existing_files:read-only",
        (RuntimeError,),
        lambda c: c.read_only().add_layer_for_existing_files("other", "color"),
        "read-only",
    ),
    (
        "add_symlink_layer:exists",
        (IndexError,),
        lambda c: c.with_layer()[0].add_symlink_layer(c.with_layer()[1]),
        "'color'",
    ),
    (
        "add_symlink_layer:read-only",
        (RuntimeError,),
        lambda c: c.read_only().add_symlink_layer(c.with_layer()[1], new_layer_name="linked"),
        "read-only",
    ),
    ("compress:read-only", (RuntimeError,), lambda c: c.read_only().compress(), "read-only"),
    ("delete_layer:missing", (IndexError,), lambda c: c.dataset().delete_layer("missing"), "'missing'"),
    ("delete_layer:read-only", (RuntimeError,), lambda c: c.read_only().delete_layer("color"), "read-only"),
    ("downsample:read-only", (RuntimeError,), lambda c: c.read_only().downsample(), "read-only"),
    ("get_layer:missing", (IndexError,), lambda c: c.dataset().get_layer("missing"), "'missing'"),
    (
        "get_or_add_layer:mismatch",
        (AssertionError,),
        lambda c: c.with_layer()[0].get_or_add_layer("color", "color", dtype="uint16"),
        "uint16",
    ),
    (
        "get_or_add_layer:dtype-and-dtype_per_channel",
        (ValueError, AttributeError),
        lambda c: c.dataset().get_or_add_layer("x", "color", dtype="uint8", dtype_per_channel="uint8"),
        "dtype_per_channel",
    ),
    ("get_or_add_layer:category", (RuntimeError,), lambda c: c.dataset().get_or_add_layer("x", "bogus"), "'bogus'"),
]

LAYER: list[Case] = [
    ("add_mag:exists", (IndexError,), lambda c: _add_mag_twice(c.with_layer()[1]), "mag 1"),
    ("downsample:from_mag-missing", (KeyError,), lambda c: c.with_layer()[1].downsample(from_mag=wk.Mag(2)), "2"),
    (
        "downsample:sampling_mode",
        (AttributeError,),
        lambda c: c.with_layer()[1].downsample(sampling_mode="bogus"),
        "'bogus'",
    ),
    (
        "downsample_mag:from_mag-missing",
        (KeyError,),
        lambda c: c.with_layer()[1].downsample_mag(wk.Mag(2), wk.Mag(4)),
        "Mag 2",
    ),
    (
        "downsample_mag:target-exists",
        (AssertionError,),
        lambda c: c.with_mags_1_2().downsample_mag(wk.Mag(1), wk.Mag(2)),
        "allow_overwrite",
    ),
    (
        "downsample_mag:from-greater-than-target",
        (ValueError,),
        lambda c: c.with_mags_1_2().downsample_mag(wk.Mag(2), wk.Mag(1), allow_overwrite=True),
        "Mag 1",
    ),
    (
        "downsample_mag_list:from_mag-missing",
        (KeyError,),
        lambda c: c.with_layer()[1].downsample_mag_list(wk.Mag(2), [wk.Mag(4)]),
        "Mag 2",
    ),
    (
        # the list is sorted first (as the reference does), so only mags that form no chain are refused
        "downsample_mag_list:not-a-chain",
        (AssertionError,),
        lambda c: c.with_layer()[1].downsample_mag_list(wk.Mag(1), [wk.Mag(2, 2, 1), wk.Mag(1, 1, 2)]),
        "Mag 2",
    ),
    (
        "upsample:from_mag-missing",
        (KeyError,),
        lambda c: c.with_layer()[1].upsample(from_mag=wk.Mag(2), finest_mag=wk.Mag(1)),
        "Mag 2",
    ),
    (
        "upsample:finest_mag",
        (AssertionError,),
        lambda c: c.with_mags_1_2().upsample(from_mag=wk.Mag(2), finest_mag=wk.Mag(4)),
        "Mag 4",
    ),
    (
        "upsample:sampling_mode",
        (AttributeError,),
        lambda c: c.with_mags_1_2().upsample(from_mag=wk.Mag(2), finest_mag=wk.Mag(1), sampling_mode="bogus"),
        "'bogus'",
    ),
]

VIEW: list[Case] = [
    (
        "get_view:two-positions",
        (AssertionError,),
        lambda c: c.mag1().get_view(absolute_offset=(0, 0, 0), relative_offset=(0, 0, 0), size=(1, 1, 1)),
        "absolute_offset",
    ),
    ("get_view:offset-without-size", (AssertionError,), lambda c: c.mag1().get_view(absolute_offset=(0, 0, 0)), "size"),
    (
        "get_view:writable-from-read-only",
        (AssertionError,),
        lambda c: c.mag1().get_view(size=(8, 8, 8), read_only=True).get_view(size=(4, 4, 4), read_only=False),
        "read_only",
    ),
    (
        "get_view:writable-beyond-parent",
        (AssertionError,),
        lambda c: c.mag1().get_view(size=(8, 8, 8)).get_view(relative_offset=(4, 4, 4), size=(8, 8, 8)),
        "size=(8, 8, 8)",
    ),
    (
        "MagView.read:size-and-bounding-box",
        (AssertionError,),
        lambda c: c.mag1().read(size=(1, 1, 1), absolute_bounding_box=BOX),
        "size",
    ),
    (
        "View.read:offset-and-bounding-box",
        (AssertionError,),
        lambda c: c.mag1().get_view(size=(8, 8, 8)).read(relative_offset=(0, 0, 0), relative_bounding_box=BOX),
        "relative_offset",
    ),
    ("read:empty", (AssertionError,), lambda c: c.mag1().read(absolute_offset=(0, 0, 0), size=(0, 0, 0)), "empty"),
    (
        "View.write:read-only-view",
        (AssertionError, RuntimeError),
        lambda c: c.mag1().get_view(size=(8, 8, 8), read_only=True).write(ZEROS),
        "read-only",
    ),
    (
        "write:dimensions",
        (AssertionError,),
        lambda c: c.mag1().get_view(size=(8, 8, 8)).write(np.zeros((4, 4), np.uint8)),
        "(4, 4)",
    ),
    (
        "write:channels",
        (AssertionError,),
        lambda c: c.mag1().write(np.zeros((3, 4, 4, 4), np.uint8), absolute_offset=(0, 0, 0)),
        "3 channels",
    ),
    (
        "View.write:outside-view",
        (AssertionError,),
        lambda c: c.mag1().get_view(size=(8, 8, 8)).write(ZEROS, relative_offset=(6, 6, 6)),
        "outside",
    ),
    (
        "write:two-positions",
        (AssertionError,),
        lambda c: c.mag1().write(ZEROS, relative_offset=(0, 0, 0), absolute_offset=(0, 0, 0)),
        "absolute_offset",
    ),
    (
        "get_zarr_array:wkw",
        (ValueError,),
        lambda c: c.with_layer("wkw")[1].get_mag(1).get_zarr_array(),
        "wkw",
    ),
]

GEOMETRY: list[Case] = [
    (
        "BoundingBox.chunk:border-alignment",
        (AssertionError,),
        lambda c: list(wk.BoundingBox((0, 0, 0), (64, 64, 64)).chunk((10, 10, 10), chunk_border_alignments=(4, 4, 4))),
        "(4, 4, 4)",
    ),
    (
        "BoundingBox.in_mag:unaligned",
        (AssertionError,),
        lambda c: wk.BoundingBox((1, 0, 0), (4, 4, 4)).in_mag(wk.Mag(2)),
        "Mag(2)",
    ),
    ("BoundingBox.with_bounds:axis", (KeyError,), lambda c: BOX.with_bounds("t", 0, 1), "'t'"),
    (
        "NDBoundingBox.with_bounds:axis",
        (KeyError,),
        lambda c: wk.NDBoundingBox(
            (0, 0, 0, 0), (1, 1, 1, 1), axes=("x", "y", "z", "t"), index=(1, 2, 3, 4)
        ).with_bounds("q", 0, 1),
        "'q'",
    ),
    (
        "NormalizedBoundingBox.from_wkw_dict:no-axisOrder",
        (AssertionError,),
        lambda c: wk.NormalizedBoundingBox.from_wkw_dict(
            {
                "topLeft": [0, 0, 0],
                "width": 1,
                "height": 1,
                "depth": 1,
                "additionalAxes": [{"name": "t", "bounds": [0, 5], "index": 1}],
            }
        ),
        "axisOrder",
    ),
]

ANNOTATION: list[Case] = [
    (
        "add_volume_layer:id-exists",
        (AssertionError,),
        lambda c: c.annotation("a").add_volume_layer("b", dtype=np.uint32, volume_layer_id=0),
        "id 0",
    ),
    (
        "add_volume_layer:fallback-not-segmentation",
        (AssertionError,),
        lambda c: c.annotation().add_volume_layer("s", dtype=np.uint32, fallback_layer=c.with_layer()[1]),
        "'color'",
    ),
    (
        "delete_volume_layer:ambiguous",
        (ValueError,),
        lambda c: c.annotation("a", "b").delete_volume_layer(),
        "volume_layer_name",
    ),
    (
        "delete_volume_layer:missing",
        (AssertionError,),
        lambda c: c.annotation("a").delete_volume_layer("nope"),
        "'nope'",
    ),
    (
        "get_volume_layer_segments:ambiguous",
        (ValueError,),
        lambda c: c.annotation("a", "b").get_volume_layer_segments(),
        "volume_layer_name",
    ),
    (
        "get_volume_layer_segments:missing",
        (AssertionError,),
        lambda c: c.annotation("a").get_volume_layer_segments("nope"),
        "'nope'",
    ),
    (
        "export_volume_layer_to_dataset:missing",
        (AssertionError,),
        lambda c: c.annotation("a").export_volume_layer_to_dataset(c.dataset(), volume_layer_name="nope"),
        "'nope'",
    ),
    (
        "export_volume_layer_to_dataset:no-data",
        (AssertionError,),
        lambda c: c.annotation("a").export_volume_layer_to_dataset(c.dataset()),
        "'a'",
    ),
    (
        "load:missing",
        (AssertionError, FileNotFoundError),
        lambda c: wk.Annotation.load(c.root / "nope.nml"),
        "nope.nml",
    ),
    ("load:suffix", (AssertionError,), lambda c: wk.Annotation.load(c.file("ann.txt", b"x")), "ann.txt"),
    ("load:malformed-nml", (RuntimeError,), lambda c: wk.Annotation.load(c.file("bad.nml", b"<not xml")), "bad.nml"),
    ("load:malformed-zip", (RuntimeError,), lambda c: wk.Annotation.load(c.file("bad.zip", b"PK no zip")), "bad.zip"),
    (
        "merge_fallback_layer:no-volume-layers",
        (AssertionError,),
        lambda c: c.annotation().merge_fallback_layer(c.path("out"), c.path("in")),
        "no volume layers",
    ),
    (
        "merge_fallback_layer:missing",
        (AssertionError,),
        lambda c: c.annotation("a").merge_fallback_layer(c.path("out"), c.path("in"), volume_layer_name="nope"),
        "'nope'",
    ),
    ("save:suffix", (AssertionError,), lambda c: c.annotation().save(c.root / "ann.txt"), "ann.txt"),
]

SKELETON: list[Case] = [
    ("Skeleton.get_node_by_id:missing", (ValueError,), lambda c: c.skeleton().get_node_by_id(42), "42"),
    ("Skeleton.get_tree_by_id:missing", (ValueError,), lambda c: c.skeleton().get_tree_by_id(42), "42"),
    ("Group.get_node_by_id:missing", (ValueError,), lambda c: c.skeleton().add_group("g").get_node_by_id(42), "42"),
    ("Group.get_tree_by_id:missing", (ValueError,), lambda c: c.skeleton().add_group("g").get_tree_by_id(42), "42"),
    ("Tree.get_node_by_id:missing", (KeyError,), lambda c: c.skeleton().add_tree("t").get_node_by_id(42), "42"),
    ("add_nx_graphs:no-position", (ValueError,), _nx_graph_without_position, "position"),
    ("add_nx_graphs:type", (TypeError,), lambda c: c.skeleton().add_nx_graphs(42), "int"),
    ("Skeleton.load:missing", (FileNotFoundError,), lambda c: wk.Skeleton.load(c.root / "nope.nml"), "nope.nml"),
    ("Skeleton.load:malformed", (ValueError,), lambda c: wk.Skeleton.load(c.file("bad.nml", b"<not xml")), "bad.nml"),
    ("Skeleton.save:suffix", (AssertionError,), lambda c: c.skeleton().save(c.root / "sk.txt"), "sk.txt"),
]

UNDOCUMENTED: list[Case] = [
    ("Mag:malformed-string", (ValueError,), lambda c: wk.Mag("3-x"), "'3-x'"),
    ("get_mag:missing", (IndexError,), lambda c: c.with_layer()[1].get_mag("8"), "8"),
    ("delete_mag:missing", (IndexError,), lambda c: c.with_layer()[1].delete_mag("8"), "8"),
    ("Dataset.open:missing", (FileNotFoundError,), lambda c: wk.Dataset.open(c.root / "nowhere"), "nowhere"),
    ("add_mag:read-only", (RuntimeError,), lambda c: c.read_only().get_layer("color").add_mag(2), "read-only"),
    (
        "MagView.write:read-only-dataset",
        (RuntimeError,),
        lambda c: c.read_only().get_layer("color").get_mag(1).write(ZEROS, absolute_offset=(0, 0, 0)),
        "read-only",
    ),
]

CASES = DATASET + LAYER + VIEW + GEOMETRY + ANNOTATION + SKELETON + UNDOCUMENTED


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("expected", "action", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_documented_exception_type(tmp_path, expected, action, fragment):
    with pytest.raises(expected[0], match=re.escape(fragment)) as info:
        action(Ctx(tmp_path))
    for kind in expected[1:]:
        assert isinstance(info.value, kind), f"{type(info.value).__name__} is not a {kind.__name__}"


def test_annotation_nml_format_errors_stay_value_errors(tmp_path):
    """A malformed NML is the documented RuntimeError and still the ValueError the NML codec raised before."""
    bad = tmp_path / "bad.nml"
    bad.write_bytes(b"<not xml")
    with pytest.raises(ValueError, match="bad.nml"):
        wk.Annotation.load(bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda ds: wk.Dataset(ds.path, voxel_size=(2, 2, 2), exist_ok=True),
        lambda ds: ds.add_layer("a/b", "color"),
        lambda ds: ds.get_layer("color").get_mag(1).read(size=(1, 1, 1), absolute_bounding_box=BOX),
        lambda ds: ds.get_layer("color").get_mag(1).write(np.zeros((3, 4, 4, 4), np.uint8), absolute_offset=(0, 0, 0)),
    ],
    ids=["voxel-size-mismatch", "layer-name", "read-arguments", "write-channels"],
)
def test_assertion_type_errors_are_value_errors(tmp_path, call):
    """Bad arguments documented as AssertionError stay ValueErrors for existing callers."""
    ds, _ = Ctx(tmp_path).with_layer()
    with pytest.raises(ValueError) as info:
        call(ds)
    assert isinstance(info.value, AssertionError)


def test_documented_assertion_errors_are_raised_under_python_O(tmp_path):
    """The AssertionError-type errors are real raises, not ``assert`` statements that ``python -O`` drops."""
    script = (
        "import sys, daedalus as wk\n"
        "ds = wk.Dataset(sys.argv[1], voxel_size=(1, 1, 1))\n"
        "try:\n"
        "    ds.add_layer('a/b', 'color')\n"
        "except AssertionError as error:\n"
        "    print('raised', type(error).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-O", "-c", script, str(tmp_path / "ds")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "raised InvalidArgumentError" in result.stdout


ANNOTATIONS = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"


@pytest.mark.skipif(not ANNOTATIONS.is_dir(), reason=f"shared fixtures absent at {ANNOTATIONS}")
def test_saving_volume_data_to_nml_is_an_assertion_error(tmp_path):
    """Annotation.save documents AssertionError when volume layers (with data) would go into an .nml file."""
    annotation = wk.Annotation.load(ANNOTATIONS / "l4_sample__explorational__suser__94b271.zip")
    target = tmp_path / "out.nml"
    with pytest.raises(AssertionError, match=re.escape("out.nml")):
        annotation.save(target)
    assert not target.exists()
