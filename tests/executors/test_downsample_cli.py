"""``daedalus downsample`` with the executor options (--distribution-strategy, --jobs, --job-resources)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import daedalus as wk
from daedalus.cli import cli


@pytest.fixture
def dataset_path(tmp_path):
    ds = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 2))
    box = wk.BoundingBox((0, 0, 0), (64, 64, 32))
    for name, category, dtype in (("color", "color", "uint8"), ("segmentation", "segmentation", "uint32")):
        layer = ds.add_layer(
            name, category, dtype=dtype, bounding_box=box, **({} if name == "color" else {"largest_segment_id": 3})
        )
        layer.add_mag(1, chunk_shape=32, shard_shape=32).write(
            np.arange(64 * 64 * 32).reshape(64, 64, 32).astype(dtype) % 4
        )
    return tmp_path / "ds"


def test_downsample_one_layer_with_threads(dataset_path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "downsample",
            str(dataset_path),
            "--layer-name",
            "color",
            "--coarsest-mag",
            "4-4-2",
            "--distribution-strategy",
            "threads",
            "--jobs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(dataset_path)
    assert set(ds.get_layer("color").mags) == {wk.Mag(1), wk.Mag((2, 2, 1)), wk.Mag((4, 4, 2))}
    assert set(ds.get_layer("segmentation").mags) == {wk.Mag(1)}
    assert "color: mags 1, 2-2-1, 4-4-2" in result.output


def test_downsample_every_layer_sequentially_with_isotropic_mags(dataset_path) -> None:
    args = ["downsample", str(dataset_path), "--sampling-mode", "isotropic", "--coarsest-mag", "2"]
    result = CliRunner().invoke(cli, [*args, "--distribution-strategy", "sequential", "--interpolation-mode", "mode"])
    assert result.exit_code == 0, result.output
    ds = wk.Dataset.open(dataset_path)
    for layer in ds.layers.values():
        assert set(layer.mags) == {wk.Mag(1), wk.Mag(2)}


def test_bad_options_name_the_option(dataset_path) -> None:
    runner = CliRunner()
    bad_json = runner.invoke(cli, ["downsample", str(dataset_path), "--job-resources", "{mem: 1G"])
    assert bad_json.exit_code == 2 and "--job-resources" in bad_json.output
    not_an_object = runner.invoke(cli, ["downsample", str(dataset_path), "--job-resources", "[1]"])
    assert not_an_object.exit_code == 2 and "JSON object" in not_an_object.output
    missing_layer = runner.invoke(cli, ["downsample", str(dataset_path), "--layer-name", "nope"])
    assert missing_layer.exit_code == 2 and "nope" in missing_layer.output
    unknown_strategy = runner.invoke(cli, ["downsample", str(dataset_path), "--distribution-strategy", "magic"])
    assert unknown_strategy.exit_code == 2 and "magic" in unknown_strategy.output


def test_downsample_on_slurm_with_job_resources(slurm_cluster, dataset_path, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DAEDALUS_SLURM_JOB_DIR", str(tmp_path / "jobs"))
    args = ["downsample", str(dataset_path), "--layer-name", "segmentation", "--coarsest-mag", "2-2-1"]
    options = ["--distribution-strategy", "slurm", "--jobs", "2", "--job-resources", '{"mem": "200M"}']
    result = CliRunner().invoke(cli, [*args, *options])
    assert result.exit_code == 0, result.output
    layer = wk.Dataset.open(dataset_path).get_layer("segmentation")
    source = layer.get_mag(1).read()[0]
    assert layer.get_mag((2, 2, 1)).read().shape == (1, 32, 32, 32)
    assert set(np.unique(layer.get_mag((2, 2, 1)).read())) <= set(np.unique(source))
    scripts = list((tmp_path / "jobs").glob("*/job.sh"))
    assert scripts and all("--mem=200M" in s.read_text() for s in scripts)
