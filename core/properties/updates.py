"""Changing a dataset's ``datasource-properties.json`` without losing what other writers changed meanwhile."""

from __future__ import annotations

from os import PathLike

from upath import UPath

from .codec import dataset_properties_from_json, dataset_properties_to_text
from .dataset import DatasetProperties
from .files import properties_file_path, read_dataset_properties, write_dataset_properties
from .locking import properties_lock
from .merge import merge_properties


def update_dataset_properties(
    path: str | PathLike | UPath, base: DatasetProperties | None, mine: DatasetProperties
) -> tuple[DatasetProperties, DatasetProperties]:
    """Apply one writer's changes to the properties file of the dataset at ``path``.

    Returns what was written twice: as merged (``mine``'s values where they won) and as reading the file
    back gives it (the writer's next ``base``: the file may spell a value differently than it was given).

    ``base`` is the state this writer last read or wrote (None if it never read the file), ``mine`` that state
    with its changes. Under the dataset's properties lock (``properties_lock``) the file is read again, the
    changes from ``base`` to ``mine`` are merged into it (``merge_properties``) and the result is written
    atomically. Layers and mags that other processes added in between are kept.

    Locally this is safe against concurrent writers (advisory file lock). On ``memory://`` only threads of one
    process are serialised, and on object stores (``s3://``) concurrent writers in other processes are not
    protected: two writers may still overwrite each other's changes there.
    """
    with properties_lock(path):
        try:
            theirs = read_dataset_properties(path)
        except FileNotFoundError:
            merged = merge_properties(None, mine, DatasetProperties(id={}, scale=mine.scale, data_layers=[]))
        else:
            merged = merge_properties(base, mine, theirs)
        write_dataset_properties(path, merged)
    on_disk = dataset_properties_from_json(dataset_properties_to_text(merged), properties_file_path(path))
    return merged, on_disk
