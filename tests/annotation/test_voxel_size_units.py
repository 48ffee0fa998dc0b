"""Annotation and Skeleton ``voxel_size`` is in nanometres; ``voxel_size_with_unit`` and saved NMLs keep the unit."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

import daedalus as wk

TEST_A = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "wk-testdata" / "nmls" / "test_a.nml"
needs_fixture = pytest.mark.skipif(not TEST_A.is_file(), reason=f"shared fixture absent at {TEST_A}")

# unit -> voxel_size in nm of a <scale x="4.0" y="4.0" z="35.0" unit=...> (values as the reference 4.3.3 gives)
NANOMETRES = {
    "micrometer": (4000.0, 4000.0, 35000.0),
    "millimeter": (4e6, 4e6, 3.5e7),
    "nanometer": (4.0, 4.0, 35.0),
    "angstrom": (0.4, 0.4, 3.5),
    "picometer": (0.004, 0.004, 0.035),
}


def _scale_of(nml: Path) -> dict[str, str]:
    element = ElementTree.parse(nml).getroot().find("parameters/scale")
    assert element is not None
    return dict(element.attrib)


@needs_fixture
def test_micrometre_nml_gives_voxel_size_in_nanometres() -> None:
    annotation = wk.Annotation.load(TEST_A)
    assert annotation.voxel_size == (4000.0, 4000.0, 35000.0)
    assert annotation.voxel_size_with_unit == wk.VoxelSize((4.0, 4.0, 35.0), unit=wk.LengthUnit.MICROMETER)
    assert annotation.skeleton.voxel_size == (4000.0, 4000.0, 35000.0)
    assert wk.Skeleton.load(TEST_A).voxel_size == (4000.0, 4000.0, 35000.0)


@needs_fixture
@pytest.mark.parametrize("unit", sorted(NANOMETRES))
def test_saving_keeps_the_unit_and_its_factor(tmp_path: Path, unit: str) -> None:
    source = tmp_path / "in.nml"
    source.write_text(TEST_A.read_text().replace('unit="micrometer"', f'unit="{unit}"'))
    annotation = wk.Annotation.load(source)
    assert annotation.voxel_size == pytest.approx(NANOMETRES[unit], rel=1e-12)
    annotation.save(tmp_path / "out.nml")
    assert _scale_of(tmp_path / "out.nml") == {"x": "4.0", "y": "4.0", "z": "35.0", "unit": unit}
    again = wk.Annotation.load(tmp_path / "out.nml")
    assert again.voxel_size_with_unit == annotation.voxel_size_with_unit
    assert again.voxel_size == annotation.voxel_size


def test_scale_without_unit_is_nanometres_and_saved_with_it(tmp_path: Path) -> None:
    annotation = wk.Annotation(name="a", dataset_name="ds", voxel_size=(11.24, 11.24, 28))
    assert annotation.voxel_size_with_unit.unit == wk.LengthUnit.NANOMETER
    annotation.save(tmp_path / "a.nml")
    assert _scale_of(tmp_path / "a.nml") == {"x": "11.24", "y": "11.24", "z": "28.0", "unit": "nanometer"}


@needs_fixture
def test_setting_voxel_size_takes_nanometres_and_keeps_the_unit(tmp_path: Path) -> None:
    annotation = wk.Annotation.load(TEST_A)
    annotation.voxel_size = (1100.0, 2200.0, 3300.0)
    assert annotation.voxel_size_with_unit == wk.VoxelSize((1.1, 2.2, 3.3), unit=wk.LengthUnit.MICROMETER)
    assert annotation.voxel_size == pytest.approx((1100.0, 2200.0, 3300.0))
    annotation.save(tmp_path / "a.nml")
    assert _scale_of(tmp_path / "a.nml")["unit"] == "micrometer"


@needs_fixture
def test_volume_data_of_a_micrometre_annotation_has_the_annotation_voxel_size(tmp_path: Path) -> None:
    annotation = wk.Annotation.load(TEST_A)
    annotation.add_volume_layer("seg", dtype="uint8")
    with annotation.temporary_volume_layer_copy() as layer:
        assert layer.dataset.voxel_size == (4000.0, 4000.0, 35000.0)
        assert layer.dataset.voxel_size_with_unit == annotation.voxel_size_with_unit
