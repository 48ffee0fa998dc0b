"""daedalus.utils: lazy paths and maps, named partials, chunked lists, the missing-package error."""

import functools

import pytest
from upath import UPath

from daedalus.utils import LazyPath, LazyReadOnlyDict, NDArrayLike, WkImportError, get_chunks, named_partial


def test_named_partial_keeps_the_function_name_and_binds_arguments() -> None:
    def scale(value: int, factor: int) -> int:
        """Multiply."""
        return value * factor

    partial = named_partial(scale, factor=3)
    assert isinstance(partial, functools.partial)
    assert partial.__name__ == "scale"
    assert partial.__doc__ == "Multiply."
    assert partial(4) == 12


def test_lazy_path_resolves_to_the_first_existing_candidate(tmp_path) -> None:
    (tmp_path / "b").mkdir()
    lazy = LazyPath(UPath(tmp_path / "a"), UPath(tmp_path / "b"))
    assert lazy.resolution is None
    assert lazy.resolve() == UPath(tmp_path / "b")
    assert lazy.resolution == 1
    assert str(lazy) == str(tmp_path / "b")
    (tmp_path / "a").mkdir()
    assert lazy.resolve() == UPath(tmp_path / "b"), "the choice is remembered"


def test_lazy_path_without_an_existing_candidate_names_them(tmp_path) -> None:
    lazy = LazyPath(UPath(tmp_path / "x"), UPath(tmp_path / "y"))
    with pytest.raises(FileNotFoundError, match="x"):
        lazy.resolve()


def test_lazy_path_resolved() -> None:
    lazy = LazyPath.resolved(UPath("/data/ds"))
    assert lazy.resolution == 0
    assert lazy.resolve() == UPath("/data/ds")


def test_lazy_read_only_dict_converts_on_access_and_refuses_writes() -> None:
    calls = []

    def convert(value: int) -> int:
        calls.append(value)
        return value * 10

    mapping = LazyReadOnlyDict({"a": 1, "b": 2}, convert)
    assert calls == []
    assert mapping["b"] == 20
    assert dict(mapping) == {"a": 10, "b": 20}
    assert len(mapping) == 2 and list(mapping) == ["a", "b"]
    with pytest.raises(TypeError):
        mapping["c"] = 3  # type: ignore[index]
    with pytest.raises(KeyError):
        mapping["c"]


def test_get_chunks() -> None:
    assert list(get_chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(get_chunks([], 3)) == []
    with pytest.raises(ValueError, match="chunk_size"):
        list(get_chunks([1], 0))


def test_wk_import_error_says_what_to_install() -> None:
    error = WkImportError("tifffile", "images")
    assert isinstance(error, ImportError)
    assert error.name == "tifffile"
    assert "tifffile" in str(error) and "daedalus[images]" in str(error)
    custom = WkImportError("pims", custom_message="Reading CZI files needs pims.")
    assert str(custom).startswith("Reading CZI files needs pims.") and "daedalus[all]" in str(custom)


def test_nd_array_like_matches_numpy_arrays() -> None:
    import numpy as np

    assert isinstance(np.zeros((2, 3)), NDArrayLike)
    assert not isinstance([1, 2], NDArrayLike)
