"""Changing a dataset's ``datasource-properties.json`` without losing what other writers changed meanwhile."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import Any

from upath import UPath

from .codec import dataset_properties_from_json, dataset_properties_to_text
from .conditional_writes import ConcurrentChangeError, read_versioned, supports_conditional_writes, write_if_unchanged
from .conflicts import name_taken_error
from .dataset import DatasetProperties
from .files import properties_file_path, read_dataset_properties, write_dataset_properties
from .locking import properties_lock
from .merge import BothAddedError, merge_properties

CONDITIONAL_WRITE_ATTEMPTS = 40
"""How often a conditional write on an object store is tried before giving up (each after a fresh read)."""
_FIRST_BACKOFF_SECONDS = 0.005
_MAX_BACKOFF_SECONDS = 0.5


def update_dataset_properties(
    path: str | PathLike | UPath, base: DatasetProperties | None, mine: DatasetProperties
) -> tuple[DatasetProperties, DatasetProperties]:
    """Apply one writer's changes to the properties file of the dataset at ``path``.

    Returns what was written twice: as merged (``mine``'s values where they won) and as reading the file
    back gives it (the writer's next ``base``: the file may spell a value differently than it was given).

    ``base`` is the state this writer last read or wrote (None if it never read the file), ``mine`` that state
    with its changes. The file is read again, the changes from ``base`` to ``mine`` are merged into it
    (``merge_properties``) and the result is written, so layers and mags that other writers added in between
    are kept. If this writer added a layer (or a mag to a layer) that another writer added meanwhile, nothing
    is written and NameTakenError (an IndexError, with the properties on disk) is raised.

    Locally the read, merge and atomic write happen under an advisory file lock (``properties_lock``). On S3 the
    write is conditional (``If-Match`` the ETag read, ``If-None-Match: *`` for a new file): when another
    process wrote in between, the store refuses it and the read, merge and write are repeated (with a random
    back-off, at most CONDITIONAL_WRITE_ATTEMPTS times). On ``memory://`` the threads of the one process that
    can see it take turns. Other object stores have no such protection: concurrent writers in several
    processes may overwrite each other's changes there.
    """
    file = properties_file_path(path)
    with properties_lock(path):
        if supports_conditional_writes(file):
            merged = _update_conditionally(file, base, mine)
        else:
            try:
                theirs: DatasetProperties | None = read_dataset_properties(path)
            except FileNotFoundError:
                theirs = None
            merged = _merge(file, base, mine, theirs)
            write_dataset_properties(path, merged)
    on_disk = dataset_properties_from_json(dataset_properties_to_text(merged), file)
    return merged, on_disk


@contextmanager
def claiming_name(path: str | PathLike | UPath, layer: str, mag: Any = None) -> Iterator[None]:
    """Hold the properties lock while layer ``layer`` (or mag ``mag`` of it) is created and saved.

    First the file is read: if it has that layer (or mag) already, NameTakenError (an IndexError, with the
    properties read) is raised before anything is created. Locally and on ``memory://`` concurrent adds of one
    name therefore take turns and exactly one succeeds, the others fail here without touching the winner's files.
    On S3 the lock only orders this process's threads; a process that loses a race there fails when it saves
    (the conditional write's merge finds the name taken).
    """
    with properties_lock(path):
        try:
            theirs = read_dataset_properties(path)
        except FileNotFoundError:
            theirs = None
        if theirs is not None:
            entry = next((candidate for candidate in theirs.data_layers if candidate.name == layer), None)
            if entry is not None and (mag is None or any(m.mag == mag for m in entry.mags)):
                raise name_taken_error(path, layer, mag, theirs)
        yield


def _merge(
    file: Any, base: DatasetProperties | None, mine: DatasetProperties, theirs: DatasetProperties | None
) -> DatasetProperties:
    """``merge_properties`` onto ``theirs`` (None: no file yet); a name both added becomes NameTakenError."""
    try:
        if theirs is None:
            return merge_properties(None, mine, DatasetProperties(id={}, scale=mine.scale, data_layers=[]))
        return merge_properties(base, mine, theirs)
    except BothAddedError as conflict:
        raise name_taken_error(file.parent, conflict.layer, conflict.mag, theirs) from None


def _update_conditionally(file: Any, base: DatasetProperties | None, mine: DatasetProperties) -> DatasetProperties:
    """Read, merge and conditionally write ``file`` until no other writer came in between."""
    for attempt in range(CONDITIONAL_WRITE_ATTEMPTS):
        data, version = read_versioned(file)
        theirs = None if data is None else dataset_properties_from_json(data, file)
        merged = _merge(file, base, mine, theirs)
        try:
            write_if_unchanged(file, dataset_properties_to_text(merged).encode("utf-8"), version)
            return merged
        except ConcurrentChangeError:
            time.sleep(random.uniform(0, min(_MAX_BACKOFF_SECONDS, _FIRST_BACKOFF_SECONDS * 2**attempt)))
    raise RuntimeError(
        f"Saving {file} failed: other processes changed it {CONDITIONAL_WRITE_ATTEMPTS} times in a row while "
        "this one merged its change in. Nothing of this change was saved; try again when fewer writers are busy."
    )
