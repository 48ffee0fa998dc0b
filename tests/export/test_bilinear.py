"""downsample_image against a pixel-by-pixel statement of the reference's bilinear shrink (corners stay in place)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from daedalus.export import downsample_image


def shrink_pixel_by_pixel(image: np.ndarray, factor: int) -> np.ndarray:
    """The rule, one output pixel at a time: size round(n / factor); output i samples input i * (n-1)/(m-1);
    linear weights by row then column; a sample past the last pixel reads 0; integers round half away from 0."""
    rows, columns = image.shape
    new_rows, new_columns = (max(1, round(n * (1.0 / factor))) for n in (rows, columns))

    def neighbours(i: int, n: int, m: int) -> list[tuple[int, float]]:
        position = i * ((n - 1) / (m - 1) if m > 1 else 1.0)
        if position > n - 1:
            return []
        low = math.floor(position)
        t = position - low
        return [(low, 1.0 - t)] + ([(low + 1, t)] if low + 1 < n else [])

    out = np.zeros((new_rows, new_columns), dtype=image.dtype)
    for r in range(new_rows):
        for c in range(new_columns):
            total = 0.0
            for rr, wr in neighbours(r, rows, new_rows):
                for cc, wc in neighbours(c, columns, new_columns):
                    total += float(image[rr, cc]) * wr * wc
            if image.dtype.kind == "u":
                out[r, c] = math.trunc(total + 0.5) if total > 0 else 0
            elif image.dtype.kind == "i":
                out[r, c] = math.trunc(total + 0.5 if total > 0 else total - 0.5)
            else:
                out[r, c] = total
    return out


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int16", "uint32", "float32"])
@pytest.mark.parametrize(("rows", "columns", "factor"), [(25, 62, 5), (50, 70, 2), (21, 33, 6), (7, 3, 2), (1, 9, 3)])
def test_downsample_image_follows_the_rule(dtype: str, rows: int, columns: int, factor: int) -> None:
    rng = np.random.default_rng(rows * columns + factor)
    if np.dtype(dtype).kind == "f":
        image = rng.random((rows, columns)).astype(dtype)
    else:
        image = rng.integers(-100 if np.dtype(dtype).kind == "i" else 0, 250, (rows, columns)).astype(dtype)
    result = downsample_image(image, factor)
    expected = shrink_pixel_by_pixel(image, factor)
    assert result.dtype == image.dtype and result.shape == expected.shape
    if image.dtype.kind == "f":
        np.testing.assert_allclose(result, expected, rtol=1e-6)
    else:
        np.testing.assert_array_equal(result, expected)


def test_halves_round_away_from_zero() -> None:
    # 6 columns -> 3 samples at 0, 2.5 and 5: the middle one is half of column 2 and half of column 3
    assert downsample_image(np.array([[0, 0, 0, 1, 0, 7]], dtype=np.uint8), 2).tolist() == [[0, 1, 7]]
    assert downsample_image(np.array([[0, 0, 0, -1, 0, 7]], dtype=np.int8), 2).tolist() == [[0, -1, 7]]
    assert downsample_image(np.array([[0, 0, 2, 1, 0, 7]], dtype=np.float32), 2).tolist() == [[0, 1.5, 7]]


def test_samples_are_kept() -> None:
    rgb = np.random.default_rng(0).integers(0, 255, (20, 30, 3)).astype(np.uint8)
    result = downsample_image(rgb, 2)
    assert result.shape == (10, 15, 3)
    for channel in range(3):
        np.testing.assert_array_equal(result[:, :, channel], shrink_pixel_by_pixel(rgb[:, :, channel], 2))


def test_factor_one_is_the_image_and_below_one_is_refused() -> None:
    image = np.ones((4, 4), dtype=np.uint8)
    assert downsample_image(image, 1) is image
    with pytest.raises(ValueError, match="at least 1"):
        downsample_image(image, 0)
