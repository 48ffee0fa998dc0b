"""Classes no larger scenario reaches behave like the reference's: AiModelCategory, VolumeLayer.edit with each
VolumeLayerEditMode, BufferedSliceReader, the image import errors, AgglomerateGraph, SegmentStatisticsAttachment
and LazyPath (the coverage check, test_class_coverage.py, found them unexercised)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "small_classes", Path(__file__).parent / "scenarios" / "small_classes.py"
)
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)


@pytest.mark.parametrize("value", ["em_neurons", "em_cell_organelles", "em_unknown"])
def test_ai_model_category(differential, value):
    differential.check("small_classes:ai_model_category", value=value)


@pytest.mark.parametrize("suffix", [".zip", ".nml"])
@pytest.mark.parametrize("edit_mode", ["temporary_directory", "memory"])
def test_volume_layer_edit(differential, edit_mode, suffix):
    differential.check("small_classes:volume_layer_edit", edit_mode=edit_mode, suffix=suffix)


@pytest.mark.parametrize("dimension", ["x", "y", "z", 1])
@pytest.mark.parametrize(("num_channels", "buffer_size"), [(1, 1), (1, 4), (3, 5)])
def test_buffered_slice_reader(differential, num_channels, buffer_size, dimension):
    differential.check(
        "small_classes:buffered_slices", num_channels=num_channels, buffer_size=buffer_size, dimension=dimension
    )


@pytest.mark.parametrize("kind", ["unsupported", "tiff", "png"])
def test_image_errors(differential, kind):
    differential.check("small_classes:image_error", kind=kind)


def test_agglomerate_graph(differential):
    if not scenarios.AGGLOMERATE_DATASET.is_dir():
        pytest.skip(f"the fixture dataset {scenarios.AGGLOMERATE_DATASET} is absent; check out ../shared")
    differential.check("small_classes:agglomerate_graph")


def test_segment_statistics_attachment(differential):
    differential.check("small_classes:segment_statistics")


@pytest.mark.parametrize("existing", [[], [1], [0, 2], [2]])
def test_lazy_path(differential, existing):
    differential.check("small_classes:lazy_path", existing=existing)


@pytest.mark.parametrize(
    "args",
    [["tifffile"], ["imagecodecs", "imagecodecs"], ["pylibCZIrw", "czi", "Cannot read CZI files. "], ["x", "all", ""]],
)
def test_import_error(differential, args):
    differential.check("small_classes:import_error", args=args)
