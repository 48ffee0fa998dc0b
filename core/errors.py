"""Exception classes that are both the type the API reference documents and the type daedalus used before.

The reference documents e.g. ``AssertionError`` for bad arguments; scripts written against it catch that,
while existing daedalus callers catch ``ValueError``. Each class here derives from both, so either works.
None of them relies on ``assert`` statements (those vanish under ``python -O``).
"""

from __future__ import annotations


class InvalidArgumentError(ValueError, AssertionError):
    """A bad argument (value, combination or data shape); documented as AssertionError, also a ValueError."""


class DatasetMismatchError(InvalidArgumentError, RuntimeError):
    """``Dataset(path, exist_ok=True)`` found a dataset whose voxel size or name differs from the arguments.

    Documented as AssertionError; the reference package raises RuntimeError; daedalus raised ValueError.
    """


class ReadOnlyViewError(RuntimeError, AssertionError):
    """A write or a writable sub-view was requested from a read-only view or mag (RuntimeError, AssertionError)."""


class LayerExistsError(IndexError, AssertionError):
    """A layer of that name exists already (documented IndexError; AssertionError for add_layer_for_existing_files)."""


class LayerCategoryError(ValueError, RuntimeError):
    """A layer category other than 'color' or 'segmentation' (documented RuntimeError, also a ValueError)."""


class DtypeArgumentsError(ValueError, AttributeError):
    """Both ``dtype`` and ``dtype_per_channel`` were given (documented AttributeError / ValueError)."""


class LayerFilesNotFoundError(FileNotFoundError, InvalidArgumentError):
    """``add_layer_for_existing_files`` found no layer folder or no mag arrays in it (documented AssertionError)."""


class ArrayException(Exception):
    """A stored array cannot be read as such (e.g. a damaged WKW header); the reference's array error type."""
