"""``daedalus.utils``: the names of the reference's ``webknossos.utils`` that scripts use (e.g. named_partial)."""

from daedalus import get_executor
from daedalus.core.utils import LazyPath, LazyReadOnlyDict, NDArrayLike, WkImportError, get_chunks, named_partial

__all__ = [
    "LazyPath",
    "LazyReadOnlyDict",
    "NDArrayLike",
    "WkImportError",
    "get_chunks",
    "get_executor",
    "named_partial",
]
