"""Metadata that is missing, malformed or points elsewhere is refused with an error naming the file and value."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zarr

from daedalus.conversion import ConversionInputError, ForeignVolumeError, SourceNotFoundError, import_volume

from .conftest import noisy_volume, write_ome_zarr


def test_a_missing_source_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match=r"nowhere does not exist") as caught:
        import_volume(tmp_path / "nowhere", tmp_path / "ds")
    assert isinstance(caught.value, FileNotFoundError)


def test_a_folder_without_metadata_says_what_was_looked_for(tmp_path: Path) -> None:
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "slice_000.tif").write_bytes(b"II*\x00")
    with pytest.raises(ForeignVolumeError, match=r"stack holds no volume metadata.*info.*zarr.json.*attributes.json"):
        import_volume(tmp_path / "stack", tmp_path / "ds")


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "vol").mkdir()
    (tmp_path / "vol" / "info").write_text("{not json")
    with pytest.raises(ForeignVolumeError, match=r"vol/info is not valid JSON"):
        import_volume(tmp_path / "vol", tmp_path / "ds")


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "image.zarr"
    write_ome_zarr(path, noisy_volume((8, 16, 16), "uint8"), "0.4", "zyx", scale_factors=(2,))
    return path


def edit_multiscale(image: Path, change) -> None:
    attributes = json.loads((image / ".zattrs").read_text())
    change(attributes["multiscales"][0])
    (image / ".zattrs").write_text(json.dumps(attributes))


@pytest.mark.parametrize("path", ["../../outside", "/etc", "http://example.org/a", "s 0", ""])
def test_a_dataset_path_outside_the_image_is_refused(image: Path, tmp_path: Path, path: str) -> None:
    edit_multiscale(image, lambda m: m["datasets"][0].update(path=path))
    with pytest.raises(ForeignVolumeError, match=r"image.zarr/.zattrs datasets\[0\] path: .* is not a relative path"):
        import_volume(image, tmp_path / "ds")


def test_a_missing_level_names_its_folder(image: Path, tmp_path: Path) -> None:
    edit_multiscale(image, lambda m: m["datasets"][1].update(path="s9"))
    with pytest.raises(ForeignVolumeError, match=r"No zarr array at .*image.zarr/s9"):
        import_volume(image, tmp_path / "ds")


def test_axes_that_disagree_with_the_arrays_are_refused(image: Path, tmp_path: Path) -> None:
    edit_multiscale(image, lambda m: m["axes"].insert(0, {"name": "c", "type": "channel"}))
    with pytest.raises(ForeignVolumeError, match=r"s0: the array has 3 axes, the multiscales axes are \['c', 'z'"):
        import_volume(image, tmp_path / "ds")


def test_a_channel_axis_of_another_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.zarr"
    write_ome_zarr(path, noisy_volume((2, 8, 16, 16), "uint8"), "0.4", "czyx", scale_factors=())
    edit_multiscale(path, lambda m: m["axes"][0].update(name="ch"))
    with pytest.raises(ForeignVolumeError, match=r"channel axis is named 'ch'"):
        import_volume(path, tmp_path / "ds")


def test_an_unknown_unit_is_refused(image: Path, tmp_path: Path) -> None:
    edit_multiscale(image, lambda m: [axis.update(unit="parsecs-ish") for axis in m["axes"]])
    with pytest.raises(ForeignVolumeError, match=r"axis 'z' has the unknown length unit 'parsecs-ish'"):
        import_volume(image, tmp_path / "ds")


def test_a_negative_scale_is_refused(image: Path, tmp_path: Path) -> None:
    edit_multiscale(image, lambda m: m["datasets"][0]["coordinateTransformations"][0].update(scale=[1, -1, 1]))
    with pytest.raises(ForeignVolumeError, match=r"datasets\[0\] scale must be 3 positive numbers"):
        import_volume(image, tmp_path / "ds")


def test_a_voxel_type_webknossos_cannot_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "complex.zarr"
    zarr.create_array(path, shape=(4, 4, 4), dtype="complex64", zarr_format=3)
    with pytest.raises(ForeignVolumeError, match=r"complex.zarr/zarr.json: voxel type 'complex64' is not one of"):
        import_volume(path, tmp_path / "ds", voxel_size=(1, 1, 1))


def test_a_float_segmentation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "float.zarr"
    zarr.create_array(path, shape=(4, 4, 4), dtype="float32", zarr_format=3)
    with pytest.raises(ValueError, match=r"segmentation layer 'segmentation' with dtype float32"):
        import_volume(path, tmp_path / "ds", voxel_size=(1, 1, 1), category="segmentation")


def test_errors_are_conversion_input_errors(tmp_path: Path) -> None:
    assert issubclass(ForeignVolumeError, ConversionInputError) and issubclass(ForeignVolumeError, ValueError)
    assert np.dtype("uint8")  # keep numpy imported for the fixtures' arrays
