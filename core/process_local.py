"""A mixin for objects holding engine handles and locks that must not travel to another process."""

from __future__ import annotations

import threading
from typing import Any, ClassVar


class ProcessLocalState:
    """Pickles without its engine handles (reopened lazily) and recreates its ``_lock`` on unpickling.

    Subclasses list the handle attributes in ``_process_local`` and pick the lock type in ``_lock_type``.
    """

    _process_local: ClassVar[tuple[str, ...]] = ("_handle",)
    _lock_type: ClassVar[Any] = threading.Lock

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in self._process_local:
            state[name] = None
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = self._lock_type()
