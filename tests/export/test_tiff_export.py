"""export_tiff_stack: the TIFFs read back with tifffile equal the layer voxel for voxel (slices, tiles, boxes, mags)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from daedalus.core.errors import InvalidArgumentError
from daedalus.core.export.tiff_layout import z_batches

import daedalus as wk
from daedalus.export import downsample_image, export_tiff_stack

from .conftest import NUM_SEGMENTS, OFFSET, SIZE


def files_of(folder: Path) -> list[str]:
    """Every file below ``folder``, relative and sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def page(path: Path) -> tuple[np.ndarray, int]:
    """The image at ``path`` (rows, columns[, samples]) and its TIFF compression code."""
    with tifffile.TiffFile(path) as tif:
        assert len(tif.pages) == 1
        return tif.pages[0].asarray(), int(tif.pages[0].compression)


def as_image(xyz_slice: np.ndarray) -> np.ndarray:
    """A (c, x, y) slice of layer data as the (y, x[, c]) image a TIFF holds."""
    image = np.transpose(xyz_slice, (2, 1, 0))
    return image[:, :, 0] if image.shape[2] == 1 else image


def test_one_tiff_per_slice_equals_the_layer(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    result = export_tiff_stack(mag_view, tmp_path / "out", progress_desc=None)
    data = mag_view.read()
    assert files_of(tmp_path / "out") == [f"{z:06d}.tiff" for z in range(SIZE[2])]
    for z in range(SIZE[2]):
        image, compression = page(tmp_path / "out" / f"{z:06d}.tiff")
        assert image.dtype == np.uint8 and image.shape == (SIZE[1], SIZE[0])  # rows are y, columns x
        np.testing.assert_array_equal(image, as_image(data[:, :, :, z]))
        assert compression == 1  # color layers are written uncompressed
    assert (result.num_files, result.image_size, result.dtype) == (SIZE[2], (SIZE[0], SIZE[1]), np.uint8)
    assert list(result.paths()) == [tmp_path / "out" / f"{z:06d}.tiff" for z in range(SIZE[2])]


def test_name_prefixes_the_files(dataset: wk.Dataset, tmp_path: Path) -> None:
    export_tiff_stack(dataset.get_layer("color").get_mag(1), tmp_path, name="cells", progress_desc=None)
    assert files_of(tmp_path) == [f"cells_{z:06d}.tiff" for z in range(SIZE[2])]


def test_rgb_layers_become_rgb_images(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("rgb").get_mag(1)
    export_tiff_stack(mag_view, tmp_path, progress_desc=None)
    data = mag_view.read()
    with tifffile.TiffFile(tmp_path / "000003.tiff") as tif:
        assert tif.pages[0].photometric == tifffile.PHOTOMETRIC.RGB
        np.testing.assert_array_equal(tif.asarray(), as_image(data[:, :, :, 3]))


def test_float_data_keeps_its_dtype(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("f32").get_mag(1)
    export_tiff_stack(mag_view, tmp_path, progress_desc=None)
    image, _ = page(tmp_path / "000019.tiff")
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, as_image(mag_view.read()[:, :, :, 19]))


def test_a_box_beyond_the_data_is_padded_with_zeros_and_one_inside_crops(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    data = mag_view.read()  # the layer box: OFFSET .. OFFSET + SIZE
    export_tiff_stack(mag_view, tmp_path / "pad", bbox=wk.BoundingBox((0, 0, 0), (100, 80, 10)), progress_desc=None)
    assert files_of(tmp_path / "pad") == [f"{z:06d}.tiff" for z in range(10)]
    for z in range(10):
        expected = np.zeros((1, 100, 80), dtype=np.uint8)
        if z >= OFFSET[2]:
            expected[:, OFFSET[0] : OFFSET[0] + SIZE[0], OFFSET[1] : OFFSET[1] + SIZE[1]] = data[:, :, :, z - OFFSET[2]]
        np.testing.assert_array_equal(page(tmp_path / "pad" / f"{z:06d}.tiff")[0], as_image(expected))
    export_tiff_stack(mag_view, tmp_path / "crop", bbox=wk.BoundingBox((20, 30, 8), (10, 12, 4)), progress_desc=None)
    assert files_of(tmp_path / "crop") == [f"{z:06d}.tiff" for z in range(4)]  # numbered from the box's first slice
    for z in range(4):
        np.testing.assert_array_equal(
            page(tmp_path / "crop" / f"{z:06d}.tiff")[0], as_image(data[:, 10:20, 10:22, 3 + z])
        )


def test_a_box_with_negative_corner_is_padded(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    export_tiff_stack(mag_view, tmp_path, bbox=wk.BoundingBox((-5, -5, 5), (20, 30, 1)), progress_desc=None)
    expected = np.zeros((1, 20, 30), dtype=np.uint8)
    expected[:, 15:, 25:] = mag_view.read(absolute_offset=OFFSET, size=(5, 5, 1))[:, :, :, 0]
    np.testing.assert_array_equal(page(tmp_path / "000000.tiff")[0], as_image(expected))


def test_a_mag_with_z_factor_numbers_slices_in_mag1(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("iso").get_mag(2)
    export_tiff_stack(mag_view, tmp_path, progress_desc=None)
    data = mag_view.read()  # (1, 32, 24, 12) in mag-2 voxels
    assert files_of(tmp_path) == [f"{2 * z:06d}.tiff" for z in range(12)]
    for z in range(12):
        np.testing.assert_array_equal(page(tmp_path / f"{2 * z:06d}.tiff")[0], as_image(data[:, :, :, z]))


def test_an_unaligned_box_shrinks_to_whole_voxels_of_the_mag(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("iso").get_mag(2)
    export_tiff_stack(mag_view, tmp_path, bbox=wk.BoundingBox((9, 17, 5), (20, 20, 7)), progress_desc=None)
    # Mag(1) x 9..29 -> mag-2 voxels 5..14, y 17..37 -> 9..18, z 5..12 -> 3..6
    whole = mag_view.read(absolute_offset=(0, 0, 0), size=(80, 80, 40))
    assert files_of(tmp_path) == ["000000.tiff", "000002.tiff", "000004.tiff"]
    for k in range(3):
        np.testing.assert_array_equal(page(tmp_path / f"{2 * k:06d}.tiff")[0], as_image(whole[:, 5:14, 9:18, 3 + k]))


def test_a_box_without_a_whole_voxel_of_the_mag_is_refused(dataset: wk.Dataset, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="no whole voxel of mag 2"):
        export_tiff_stack(dataset.get_layer("iso").get_mag(2), tmp_path, bbox=wk.BoundingBox((9, 17, 5), (1, 1, 1)))


def test_tiles_cover_each_slice_with_zero_padding(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    result = export_tiff_stack(mag_view, tmp_path, tile_size=(30, 20), progress_desc=None)
    data = mag_view.read()
    padded = np.zeros((1, 90, 60, SIZE[2]), dtype=np.uint8)  # 3 x 3 tiles of 30 x 20
    padded[:, : SIZE[0], : SIZE[1]] = data
    expected = [f"{z}/{row}/{column}.tiff" for z in range(SIZE[2]) for row in (1, 2, 3) for column in (1, 2, 3)]
    assert files_of(tmp_path) == sorted(expected)
    assert result.num_files == len(expected) and result.image_size == (30, 20)
    for z in (0, 7):
        for row in range(3):
            for column in range(3):
                tile = padded[:, 30 * column : 30 * (column + 1), 20 * row : 20 * (row + 1), z]
                image, _ = page(tmp_path / f"{z}/{row + 1}/{column + 1}.tiff")
                np.testing.assert_array_equal(image, as_image(tile))


def test_tiles_per_dimension_sets_the_tile_size_and_wins_over_tile_size(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    box = wk.BoundingBox(OFFSET, (9, 7, 2))
    export_tiff_stack(mag_view, tmp_path, bbox=box, tiles_per_dimension=(4, 1), tile_size=(2, 2), progress_desc=None)
    # width 9 in 4 tiles -> tiles of 3 pixels, so 3 tiles are enough; height 7 in one tile
    assert files_of(tmp_path) == [f"{z}/1/{column}.tiff" for z in (0, 1) for column in (1, 2, 3)]
    data = mag_view.read(absolute_bounding_box=box)
    for column in range(3):
        image, _ = page(tmp_path / f"1/1/{column + 1}.tiff")
        np.testing.assert_array_equal(image, as_image(data[:, 3 * column : 3 * column + 3, :, 1]))


def test_downsample_shrinks_every_image_bilinearly(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    result = export_tiff_stack(mag_view, tmp_path, downsample=2, progress_desc=None)
    data = mag_view.read()
    assert result.image_size == (35, 25)
    for z in (0, 19):
        image, _ = page(tmp_path / f"{z:06d}.tiff")
        assert image.shape == (25, 35)
        np.testing.assert_array_equal(image, downsample_image(as_image(data[:, :, :, z]), 2))


def test_downsample_of_tiles_shrinks_each_padded_tile(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    export_tiff_stack(mag_view, tmp_path, tile_size=(20, 20), downsample=2, progress_desc=None)
    padded = np.zeros((1, 80, 60), dtype=np.uint8)
    padded[:, : SIZE[0], : SIZE[1]] = mag_view.read()[:, :, :, 4]
    image, _ = page(tmp_path / "4/3/4.tiff")  # the last tile: x 60..80, y 40..60
    assert image.shape == (10, 10)
    np.testing.assert_array_equal(image, downsample_image(as_image(padded[:, 60:80, 40:60]), 2))


def test_downsampled_rgb_stays_rgb(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("rgb").get_mag(1)
    export_tiff_stack(mag_view, tmp_path, downsample=2, progress_desc=None)
    image, _ = page(tmp_path / "000002.tiff")
    assert image.shape == (25, 35, 3)
    np.testing.assert_array_equal(image, downsample_image(as_image(mag_view.read()[:, :, :, 2]), 2))


def test_segmentation_is_compressed_and_a_mapping_replaces_segment_ids(dataset: wk.Dataset, tmp_path: Path) -> None:
    layer = dataset.get_layer("segmentation")
    data = layer.get_mag(1).read()[0]
    export_tiff_stack(layer.get_mag(1), tmp_path / "plain", progress_desc=None)
    image, compression = page(tmp_path / "plain" / "000000.tiff")
    assert compression == tifffile.COMPRESSION.ADOBE_DEFLATE and image.dtype == np.uint32
    np.testing.assert_array_equal(image, data[:, :, 0].T)

    result = export_tiff_stack(layer.get_mag(1), tmp_path / "mapped", mapping="agg", progress_desc=None)
    assert result.dtype == np.uint64
    # agglomerates are the graph's components numbered from 1 by their smallest segment: {1}, {2, 3}, ... {98, 99}
    components = [[1], *[[s, s + 1] for s in range(2, NUM_SEGMENTS - 1, 2)]]
    agglomerate_of = np.zeros(NUM_SEGMENTS, dtype=np.uint64)
    for number, segments in enumerate(components, start=1):
        agglomerate_of[segments] = number
    for z in (0, 11):
        image, compression = page(tmp_path / "mapped" / f"{z:06d}.tiff")
        assert image.dtype == np.uint64 and compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        np.testing.assert_array_equal(image, agglomerate_of[data[:, :, z]].T)


def test_a_lookup_array_maps_ids_it_does_not_cover_to_zero(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("segmentation").get_mag(1)
    lookup = np.arange(50, dtype=np.uint16) * 3  # segments 50..99 are not covered
    export_tiff_stack(mag_view, tmp_path, mapping=lookup, progress_desc=None)
    data = mag_view.read()[0][:, :, 6]
    expected = np.where(data < 50, np.minimum(data, 49) * 3, 0).astype(np.uint16)
    image, _ = page(tmp_path / "000006.tiff")
    assert image.dtype == np.uint16
    np.testing.assert_array_equal(image, expected.T)


def test_mapping_mistakes_name_what_exists(dataset: wk.Dataset, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"no agglomerate attachment named 'nope'; available: \['agg'\]"):
        export_tiff_stack(dataset.get_layer("segmentation").get_mag(1), tmp_path, mapping="nope")
    with pytest.raises(InvalidArgumentError, match="needs a segmentation layer, but 'color' is a 'color' layer"):
        export_tiff_stack(dataset.get_layer("color").get_mag(1), tmp_path, mapping="agg")
    view = dataset.get_layer("segmentation").get_mag(1).get_view(absolute_offset=OFFSET, size=(8, 8, 8))
    with pytest.raises(InvalidArgumentError, match="needs a MagView"):
        export_tiff_stack(view, tmp_path, mapping="agg")
    assert files_of(tmp_path) == []


def test_a_view_exports_its_own_box(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    view = mag_view.get_view(absolute_offset=(12, 22, 6), size=(16, 8, 3))
    export_tiff_stack(view, tmp_path, progress_desc=None)
    assert files_of(tmp_path) == ["000000.tiff", "000001.tiff", "000002.tiff"]
    np.testing.assert_array_equal(page(tmp_path / "000002.tiff")[0], as_image(view.read()[:, :, :, 2]))


def test_batches_do_not_change_the_files(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("color").get_mag(1)
    box = wk.BoundingBox((10, 20, 6), (70, 50, 13))
    export_tiff_stack(mag_view, tmp_path / "one", bbox=box, batch_size=32, progress_desc=None)
    export_tiff_stack(mag_view, tmp_path / "many", bbox=box, batch_size=4, progress_desc=None)
    assert files_of(tmp_path / "one") == files_of(tmp_path / "many")
    for name in files_of(tmp_path / "one"):
        np.testing.assert_array_equal(page(tmp_path / "one" / name)[0], page(tmp_path / "many" / name)[0])


def test_z_batches_start_at_multiples_of_the_batch_size() -> None:
    assert z_batches(5, 70, 32) == [(5, 32), (32, 64), (64, 70)]
    assert z_batches(0, 64, 32) == [(0, 32), (32, 64)]
    assert z_batches(3, 4, 32) == [(3, 4)]
    with pytest.raises(InvalidArgumentError, match="batch_size must be at least 1"):
        z_batches(0, 4, 0)


def test_a_multiprocessing_executor_writes_the_same_files(dataset: wk.Dataset, tmp_path: Path) -> None:
    mag_view = dataset.get_layer("segmentation").get_mag(1)
    export_tiff_stack(mag_view, tmp_path / "here", mapping="agg", batch_size=8, progress_desc=None)
    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        export_tiff_stack(
            mag_view, tmp_path / "workers", mapping="agg", batch_size=8, executor=executor, progress_desc=None
        )
    assert files_of(tmp_path / "here") == files_of(tmp_path / "workers") != []
    for name in files_of(tmp_path / "here"):
        np.testing.assert_array_equal(page(tmp_path / "here" / name)[0], page(tmp_path / "workers" / name)[0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"downsample": 0}, "downsample must be at least 1"),
        ({"tile_size": (0, 4)}, "tile_size must be two positive integers"),
        ({"tiles_per_dimension": (2,)}, "tiles_per_dimension must be two positive integers"),
        ({"name": "a/b"}, "must not contain a path separator"),
        ({"mapping": 3}, "mapping must be an agglomerate attachment, its name or a lookup array"),
    ],
)
def test_bad_options_are_refused_before_writing(
    dataset: wk.Dataset, tmp_path: Path, options: dict, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        export_tiff_stack(dataset.get_layer("color").get_mag(1), tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()
