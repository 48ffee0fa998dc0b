"""The pluggy plugin module daedalus loads through the ``daedalus.plugins`` entry point ``npy``."""

from __future__ import annotations

import pluggy

from .storage import NpyStorage

hookimpl = pluggy.HookimplMarker("daedalus")


@hookimpl
def daedalus_array_storages() -> list[NpyStorage]:
    """Offer the ``npy`` data format through the ``npy-files`` engine."""
    return [NpyStorage()]
