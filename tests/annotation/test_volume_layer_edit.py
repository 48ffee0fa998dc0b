"""VolumeLayer.edit (with VolumeLayerEditMode), export_to_dataset and zip, and the annotation.volume_layer module."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import daedalus as wk
from daedalus.annotation import VolumeLayer
from daedalus.annotation.volume_layer import VolumeLayerEditMode


def _annotation() -> wk.Annotation:
    return wk.Annotation(name="a", dataset_name="ds", voxel_size=(1, 1, 1))


@pytest.mark.parametrize("mode", list(VolumeLayerEditMode))
def test_edited_data_becomes_the_volume_layers_data(tmp_path: Path, mode: VolumeLayerEditMode) -> None:
    annotation = _annotation()
    volume = annotation.add_volume_layer("seg", dtype=np.uint32)
    assert isinstance(volume, VolumeLayer) and volume.zip is None
    with volume.edit(edit_mode=mode) as layer:
        assert isinstance(layer, wk.SegmentationLayer) and layer.name == "volumeAnnotationData"
        assert layer.dtype == np.uint32 and not layer.mags
        layer.add_mag(1).write(np.full((1, 4, 4, 4), 7, np.uint32), absolute_offset=(0, 0, 0), allow_resize=True)
    assert volume.zip is not None and volume.zip.is_file()
    with annotation.temporary_volume_layer_copy("seg") as copy:
        assert copy.bounding_box == wk.BoundingBox((0, 0, 0), (4, 4, 4))
        assert (copy.get_finest_mag().read() == 7).all()
    annotation.save(tmp_path / "a.zip")
    loaded = wk.Annotation.load(tmp_path / "a.zip").get_volume_layer("seg")
    assert loaded.zip.name.endswith(".zip") and str(loaded.zip).startswith(str(tmp_path / "a.zip"))
    with loaded.edit() as layer:  # the new data goes to a private file; a.zip stays as it is
        mag = layer.get_finest_mag()
        assert (mag.read() == 7).all()
        mag.write(np.full((1, 2, 2, 2), 9, np.uint32), absolute_offset=(0, 0, 0), allow_unaligned=True)
    exported = loaded.export_to_dataset(wk.Dataset(tmp_path / "out", voxel_size=(1, 1, 1)), "exported")
    data = exported.get_finest_mag().read()
    assert data[0, 0, 0, 0] == 9 and data[0, 3, 3, 3] == 7 and exported.name == "exported"


def test_an_edit_that_fails_keeps_the_previous_data_and_bad_modes_are_refused() -> None:
    volume = _annotation().add_volume_layer("seg", dtype=np.uint8)
    with pytest.raises(RuntimeError, match="stop"):
        with volume.edit() as layer:
            layer.add_mag(1)
            raise RuntimeError("stop")
    assert volume.zip is None
    with pytest.raises(ValueError, match="Unsupported volume layer edit mode: memory"):
        with volume.edit(edit_mode="memory"):  # type: ignore[arg-type]
            pass
    with pytest.raises(ValueError, match="has no data to export"):
        volume.export_to_dataset(None)


def test_the_module_paths_of_the_reference_import() -> None:
    import daedalus.annotation.volume_layer as module

    assert module.VolumeLayer is VolumeLayer is wk.annotation.VolumeLayer
    assert [m.value for m in VolumeLayerEditMode] == ["temporary_directory", "memory"]
