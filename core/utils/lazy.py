"""Values resolved on first use: a path chosen among candidates, and a read-only map converting on access."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from upath import UPath

K = TypeVar("K")
C = TypeVar("C")
V = TypeVar("V")


class LazyPath:
    """One of several candidate paths: the first that exists, found when `resolve` is first called."""

    paths: tuple[UPath, ...]
    """The candidate paths, in order of preference."""
    resolution: int | None
    """Index of the path `resolve` found (None before the first call)."""

    def __init__(self, *paths: UPath) -> None:
        self.paths: tuple[UPath, ...] = tuple(paths)
        self.resolution: int | None = None

    @classmethod
    def resolved(cls, path: UPath) -> LazyPath:
        """A LazyPath that is already resolved to ``path``."""
        lazy = cls(path)
        lazy.resolution = 0
        return lazy

    def resolve(self) -> UPath:
        """The first of ``paths`` that exists (remembered after the first call).

        Raises:
            FileNotFoundError: none of the candidate paths exists.
        """
        if self.resolution is None:
            for index, path in enumerate(self.paths):
                if path.exists():
                    self.resolution = index
                    break
            else:
                raise FileNotFoundError(f"No path exists in {self.paths!r}")
        return self.paths[self.resolution]

    def __str__(self) -> str:
        if self.resolution is not None:
            return str(self.paths[self.resolution])
        return " or ".join(str(path) for path in self.paths)

    def __repr__(self) -> str:
        if self.resolution is not None:
            return repr(self.paths[self.resolution])
        return f"LazyPath({','.join(repr(path) for path in self.paths)})"


class LazyReadOnlyDict(Mapping[K, V], Generic[K, C, V]):
    """A read-only mapping whose values are ``func(entry)``, computed each time a key is looked up."""

    def __init__(self, entries: dict[K, C], func: Callable[[C], V]) -> None:
        self.entries = entries
        self.func = func

    def __getitem__(self, key: K) -> V:
        return self.func(self.entries[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)
