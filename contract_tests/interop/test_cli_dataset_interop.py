"""The same command line, run with ``webknossos`` (the reference, in its venv) and with ``daedalus`` on the same input,
gives datasets that compare equal: copy-dataset, compress, upsample, downsample, merge-fallback and check-equality.

"Equal" is checked three ways: the reference's ``check-equality`` on both outputs, daedalus' ``compare_datasets``,
and the layout (data format, voxel type, bounding box, mags with chunk/shard shape and compression) as the reference
reads it from both outputs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import daedalus as wk
from daedalus.cli import cli
from daedalus.dataset import compare_datasets

pytestmark = pytest.mark.interop

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "annotations"
FALLBACK_ANNOTATION = FIXTURES / "l4dense_motta_et_al_demo_v2__explorational__4a6356.zip"
SEQUENTIAL = ["--distribution-strategy", "sequential"]
BOX = wk.BoundingBox((0, 0, 0), (64, 64, 32))

# argv: the arguments of ``webknossos ...``; exits with the command's exit code.
REFERENCE_CLI = """
import sys, warnings
warnings.simplefilter("ignore")
from importlib.metadata import entry_points

app = next(iter(entry_points(group="console_scripts", name="webknossos"))).load()
sys.argv = ["webknossos", *sys.argv[1:]]
app()
"""

# argv: dataset paths; prints {path: {layer: layout}} as the reference reads each dataset.
REFERENCE_LAYOUT = """
import json, sys, warnings
warnings.simplefilter("ignore")
import webknossos as wk


def layout(layer):
    mags = {}
    for mag, view in layer.mags.items():
        info = view.info
        mags[mag.to_layer_name()] = [list(info.chunk_shape), list(info.shard_shape), bool(info.compression_mode)]
    box = layer.bounding_box
    return {
        "data_format": str(layer.data_format), "dtype": str(layer.dtype_per_channel), "category": layer.category,
        "bounding_box": [list(box.topleft), list(box.size)], "mags": mags,
    }


print(json.dumps({path: {n: layout(l) for n, l in wk.Dataset.open(path).layers.items()} for path in sys.argv[1:]}))
"""


def write_input(path: Path, only_mag: Any = 1) -> Path:
    """A dataset with random voxels (so any difference in sampling shows): color uint8, segmentation uint32."""
    rng = np.random.default_rng(7)
    ds = wk.Dataset(path, voxel_size=(1, 1, 2))
    mag = wk.Mag(only_mag)
    shape = tuple(np.array(BOX.size) // np.array(mag.to_list()))
    for name, category, dtype, high in (
        ("color", "color", "uint8", 255),
        ("segmentation", "segmentation", "uint32", 6),
    ):
        extra = {"largest_segment_id": high} if category == "segmentation" else {}
        layer = ds.add_layer(name, category, dtype=dtype, bounding_box=BOX, **extra)
        layer.add_mag(mag, chunk_shape=32, shard_shape=64, compress=False).write(
            rng.integers(0, high, shape, dtype=dtype), absolute_offset=(0, 0, 0)
        )
    return path


@pytest.fixture
def both(run_reference: Callable[..., Any]) -> Callable[..., None]:
    """``both(args_for_reference, args_for_daedalus)``: run the command line with each program; both must succeed."""

    def run_both(reference_args: list[str | Path], daedalus_args: list[str | Path]) -> None:
        run_reference(REFERENCE_CLI, *map(str, reference_args), timeout=600)
        result = CliRunner().invoke(cli, [str(arg) for arg in daedalus_args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    return run_both


def assert_same_datasets(run_reference: Callable[..., Any], reference_out: Path, daedalus_out: Path) -> None:
    """The reference's check-equality, daedalus' compare_datasets and the reference's view of the layouts agree."""
    run_reference(REFERENCE_CLI, "check-equality", str(reference_out), str(daedalus_out), *SEQUENTIAL)
    comparison = compare_datasets(reference_out, daedalus_out)
    assert comparison.equal, comparison.difference
    layouts = json.loads(run_reference(REFERENCE_LAYOUT, str(reference_out), str(daedalus_out)).stdout)
    differences = layout_differences(layouts[str(reference_out)], layouts[str(daedalus_out)])
    assert not differences, "; ".join(differences)


def layout_differences(reference: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Every layer property and mag (chunk shape, shard shape, compressed) that differs, in words."""
    found = []
    for layer in sorted(set(reference) | set(ours)):
        theirs_layer, ours_layer = reference.get(layer, {}), ours.get(layer, {})
        for key in sorted(set(theirs_layer) | set(ours_layer) - {"mags"}):
            if key != "mags" and theirs_layer.get(key) != ours_layer.get(key):
                found.append(f"{layer} {key}: reference {theirs_layer.get(key)} != daedalus {ours_layer.get(key)}")
        theirs_mags, ours_mags = theirs_layer.get("mags", {}), ours_layer.get("mags", {})
        for mag in sorted(set(theirs_mags) | set(ours_mags)):
            if theirs_mags.get(mag) != ours_mags.get(mag):
                found.append(
                    f"{layer} mag {mag} [chunk, shard, compressed]: reference {theirs_mags.get(mag)} != "
                    f"daedalus {ours_mags.get(mag)}"
                )
    return found


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--data-format", "wkw", "--chunk-shape", "16", "--shard-shape", "32"],
        ["--data-format", "zarr3", "--chunk-shape", "16,16,16", "--shard-shape", "32,32,32"],
    ],
    ids=["as-is", "wkw-16-32", "zarr3-16-32"],
)
def test_copy_dataset(tmp_path: Path, both, run_reference, options: list[str]) -> None:
    source = write_input(tmp_path / "source")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    both(["copy-dataset", source, theirs, *options, *SEQUENTIAL], ["copy-dataset", source, ours, *options, *SEQUENTIAL])
    assert_same_datasets(run_reference, theirs, ours)


def test_compress_in_place(tmp_path: Path, both, run_reference) -> None:
    source = write_input(tmp_path / "source")
    ours, theirs = shutil.copytree(source, tmp_path / "ours"), shutil.copytree(source, tmp_path / "theirs")
    both(["compress", theirs, *SEQUENTIAL], ["compress", ours, *SEQUENTIAL])
    assert_same_datasets(run_reference, theirs, ours)
    assert compare_datasets(source, ours).equal
    layout = json.loads(run_reference(REFERENCE_LAYOUT, str(ours)).stdout)[str(ours)]
    assert all(mag[2] for layer in layout.values() for mag in layer["mags"].values()), layout


def test_compress_one_layer_and_mag(tmp_path: Path, both, run_reference) -> None:
    source = write_input(tmp_path / "source")
    ours, theirs = shutil.copytree(source, tmp_path / "ours"), shutil.copytree(source, tmp_path / "theirs")
    options = ["--layer-name", "color", "--mag", "1", *SEQUENTIAL]
    both(["compress", theirs, *options], ["compress", ours, *options])
    assert_same_datasets(run_reference, theirs, ours)


@pytest.mark.parametrize("options", [[], ["--layer-name", "segmentation", "--sampling-mode", "isotropic"]])
def test_upsample(tmp_path: Path, both, run_reference, options: list[str]) -> None:
    source = write_input(tmp_path / "source", only_mag=(2, 2, 1))
    ours, theirs = shutil.copytree(source, tmp_path / "ours"), shutil.copytree(source, tmp_path / "theirs")
    args = ["--from-mag", "2-2-1", *options, *SEQUENTIAL]
    both(["upsample", theirs, *args], ["upsample", ours, *args])
    assert_same_datasets(run_reference, theirs, ours)


@pytest.mark.parametrize(
    "options",
    [
        ["--coarsest-mag", "4"],
        ["--layer-name", "segmentation", "--coarsest-mag", "2-2-1"],
        ["--sampling-mode", "isotropic", "--coarsest-mag", "2"],
        ["--sampling-mode", "constant_z", "--coarsest-mag", "4-4-1"],
    ],
    ids=["anisotropic", "one-layer", "isotropic", "constant-z"],
)
def test_downsample(tmp_path: Path, both, run_reference, options: list[str]) -> None:
    source = write_input(tmp_path / "source")
    ours, theirs = shutil.copytree(source, tmp_path / "ours"), shutil.copytree(source, tmp_path / "theirs")
    both(["downsample", theirs, *options, *SEQUENTIAL], ["downsample", ours, *options, *SEQUENTIAL])
    assert_same_datasets(run_reference, theirs, ours)


def test_check_equality_exit_codes_agree(tmp_path: Path, run_reference, reference_env) -> None:
    first = write_input(tmp_path / "first")
    same = shutil.copytree(first, tmp_path / "same")
    changed = shutil.copytree(first, tmp_path / "changed")
    mag = wk.Dataset.open(changed).get_layer("segmentation").get_mag(1)
    data = mag.read()
    data[0, 5, 6, 7] += 1
    mag.write(data, absolute_offset=(0, 0, 0))
    for other, exit_code in ((same, 0), (changed, 1)):
        args = ["check-equality", str(first), str(other), *SEQUENTIAL]
        ours = CliRunner().invoke(cli, args)
        assert ours.exit_code == exit_code, ours.output
        try:
            run_reference(REFERENCE_CLI, *args)
            theirs = 0
        except reference_env.ReferenceScriptError as error:  # the reference exited non-zero
            theirs = error.returncode
        assert theirs == exit_code


def test_merge_fallback_mag_1(tmp_path: Path, both) -> None:
    if not FALLBACK_ANNOTATION.is_file():
        pytest.skip(f"fixture {FALLBACK_ANNOTATION} is absent")
    annotation = wk.Annotation.load(FALLBACK_ANNOTATION)
    with annotation.temporary_volume_layer_copy() as volume:
        box = wk.BoundingBox(volume.bounding_box.topleft, volume.bounding_box.size)
    folder = tmp_path / "datasets"
    fallback = wk.Dataset(folder / annotation.dataset_name, voxel_size=(11.24, 11.24, 28))
    layer = fallback.add_layer("segmentation", "segmentation", dtype="uint32", bounding_box=box, largest_segment_id=9)
    rng = np.random.default_rng(3)
    layer.add_mag(1).write(rng.integers(1, 9, tuple(box.size), dtype=np.uint32), absolute_offset=box.topleft)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    both(
        ["merge-fallback", theirs, FALLBACK_ANNOTATION, folder, *SEQUENTIAL],
        ["merge-fallback", ours, FALLBACK_ANNOTATION, folder, *SEQUENTIAL],
    )
    # The reference writes the merged mag 1 only (with a grown box); the voxels of the annotated box must agree.
    ours_mag = wk.Dataset.open(ours).get_layer("segmentation").get_mag(1)
    theirs_mag = wk.Dataset.open(theirs).get_layer("segmentation").get_mag(1)
    np.testing.assert_array_equal(ours_mag.read(absolute_bounding_box=box), theirs_mag.read(absolute_bounding_box=box))
