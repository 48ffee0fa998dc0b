"""Marking folders a copy is still filling, so a retry replaces a killed copy but never one still running.

A copy (``copy_dataset``, ``add_layer_as_copy``, ``add_mag_as_copy``) writes ``.daedalus-incomplete-copy``
into the folder it creates before anything else and removes it only after the copy is registered in the
properties. A process killed in between (``kill -9``, a lost node) leaves the marker behind: the folder is
provably an interrupted copy, holds nothing but copied data, and the same call replaces it. A folder without
the marker may be a user's data and is never deleted without ``exists_ok=True``.

While a copy runs, its marker shows that it is alive: locally the copying process holds an advisory lock on
the marker (``flock``; released by the kernel when the process dies, however it dies), on object stores it
rewrites the marker every HEARTBEAT_SECONDS. A retry that finds the marker locked, or rewritten less than
STALE_AFTER_SECONDS ago, is refused with CopyInProgressError instead of deleting the files of a running copy.
Taking over an interrupted copy keeps the marker (locked, or rewritten with a conditional write on S3), so two
retries at once cannot both take it over. In ``memory://`` only this process's threads can be copying.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .. import ports
from ..file_locks import try_lock_existing, unlock_and_close
from ..properties.conditional_writes import (
    ConcurrentChangeError,
    read_versioned,
    supports_conditional_writes,
    write_if_unchanged,
)
from .array_copy import mag_folder_is_free
from .paths import is_local, local_path, to_upath
from .transfer_mode import remove_path

__all__ = [
    "HEARTBEAT_SECONDS",
    "MARKER_NAME",
    "STALE_AFTER_SECONDS",
    "CopyInProgressError",
    "claim_copy_target",
    "finish_copy",
    "is_interrupted_copy",
    "reclaim_interrupted_copy",
    "release_copy",
    "start_copy",
]

MARKER_NAME = ".daedalus-incomplete-copy"
HEARTBEAT_SECONDS = 10.0
"""Object stores: how often a running copy rewrites its marker."""
STALE_AFTER_SECONDS = 60.0
"""Object stores: a marker not rewritten for this long belongs to an interrupted copy."""


class CopyInProgressError(FileExistsError):
    """The target folder is being filled by a copy that is still running (in this or another process)."""


@dataclass
class _Claim:
    """A marker this process holds: the locked handle (local) or the heartbeat (object stores)."""

    thread: int
    handle: int | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    heartbeat: threading.Thread | None = None


_claims: dict[str, _Claim] = {}
_claims_guard = threading.Lock()


def _marker(folder: Any) -> Any:
    return to_upath(folder) / MARKER_NAME


def _key(folder: Any) -> str:
    marker = _marker(folder)
    return f"{marker.protocol}://{marker.path}"


def _note(source: Any) -> str:
    return json.dumps(
        {
            "note": "daedalus is copying data into this folder, or a copy was interrupted. The same copy call "
            "replaces this folder once the copy is no longer running; delete the folder if it is no longer wanted.",
            "source": str(source),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "host": socket.gethostname(),
            "pid": os.getpid(),
        },
        indent=2,
    )


# --------------------------------------------------------------------------- state of a marker


def _held_by_another_thread(folder: Any) -> bool:
    with _claims_guard:
        claim = _claims.get(_key(folder))
    return claim is not None and claim.thread != threading.get_ident()


def _remote_marker_age(marker: Any) -> float | None:
    """Seconds since the marker on an object store was last written (None if absent or unknown)."""
    marker.fs.invalidate_cache(marker.path)  # a listing cached earlier holds an old modification time
    try:
        info = marker.fs.info(marker.path)
    except FileNotFoundError:
        return None
    modified = info.get("LastModified") or info.get("mtime") or info.get("created")
    if isinstance(modified, datetime):
        stamp = modified if modified.tzinfo else modified.replace(tzinfo=timezone.utc)
        return (datetime.now(timezone.utc) - stamp).total_seconds()
    if isinstance(modified, (int, float)):
        return time.time() - float(modified)
    return None


def _is_running(folder: Any) -> bool:
    """Whether a copy is still filling ``folder`` (which has a marker)."""
    if _held_by_another_thread(folder):
        return True
    with _claims_guard:
        if _key(folder) in _claims:
            return False  # this thread's own leftover from a copy that failed before releasing it
    marker = _marker(folder)
    if is_local(marker):
        handle = try_lock_existing(local_path(marker))
        if handle is None:
            return local_path(marker).exists()  # locked by a live copy (absent: nothing is running)
        unlock_and_close(handle)
        return False
    if marker.protocol == "memory":
        return False  # memory:// is this process's: a marker no thread holds is a leftover
    age = _remote_marker_age(marker)
    return age is not None and age < STALE_AFTER_SECONDS


def _has_marker(folder: Any) -> bool:
    marker = _marker(folder)
    if not is_local(marker):
        marker.fs.invalidate_cache(marker.path)  # another process may have written it since a cached listing
    return marker.is_file()


def is_interrupted_copy(folder: Any) -> bool:
    """Whether ``folder`` holds the marker of a copy that never finished and is no longer running."""
    return _has_marker(folder) and not _is_running(folder)


def _running_error(folder: Any, action: str) -> CopyInProgressError:
    marker = _marker(folder)
    try:
        note = json.loads(marker.read_text())
        who = f" (started {note.get('started')} by process {note.get('pid')} on {note.get('host')})"
    except (OSError, ValueError, AttributeError):
        who = ""
    alive = (
        "it holds a lock on the marker"
        if is_local(marker)
        else f"its marker was rewritten less than {STALE_AFTER_SECONDS:.0f} s ago"
    )
    return CopyInProgressError(
        f"{action} failed: {folder} is being filled by a copy that is still running{who}; {alive}. Wait for it to "
        "finish, or stop it and call again: an interrupted copy is replaced."
    )


# --------------------------------------------------------------------------- holding a marker


def _register(folder: Any, claim: _Claim) -> None:
    with _claims_guard:
        previous = _claims.pop(_key(folder), None)
        _claims[_key(folder)] = claim
    if previous is not None:
        _drop(previous)


def _drop(claim: _Claim) -> None:
    claim.stop.set()
    if claim.heartbeat is not None and claim.heartbeat is not threading.current_thread():
        claim.heartbeat.join(timeout=HEARTBEAT_SECONDS)
    if claim.handle is not None:
        unlock_and_close(claim.handle)


def _own_claim(folder: Any) -> _Claim | None:
    with _claims_guard:
        claim = _claims.get(_key(folder))
    return claim if claim is not None and claim.thread == threading.get_ident() else None


def _write_local_note(handle: int, note: str) -> None:
    os.ftruncate(handle, 0)
    os.lseek(handle, 0, os.SEEK_SET)
    os.write(handle, note.encode("utf-8"))


def _start_heartbeat(marker: Any, note: str, claim: _Claim) -> None:
    def beat() -> None:
        while not claim.stop.wait(HEARTBEAT_SECONDS):
            try:
                marker.write_text(note)
            except Exception:  # noqa: BLE001 - a missed beat only lets a retry take over sooner; keep copying
                continue

    claim.heartbeat = threading.Thread(target=beat, name=f"copy heartbeat {marker}", daemon=True)
    claim.heartbeat.start()


def start_copy(folder: Any, source: Any) -> None:
    """Create ``folder`` (if needed) and its marker, held by this process, before any data is copied.

    After ``claim_copy_target`` took over an interrupted copy, the marker it holds is reused. Raises
    CopyInProgressError if another copy created and holds the marker in the meantime.
    """
    folder = to_upath(folder)
    marker = _marker(folder)
    note = _note(source)
    claim = _own_claim(folder)
    if is_local(folder):
        local_path(folder).mkdir(parents=True, exist_ok=True)
        if claim is None:
            handle_file = local_path(marker)
            os.close(os.open(handle_file, os.O_RDWR | os.O_CREAT, 0o644))
            handle = try_lock_existing(handle_file)
            if handle is None:
                raise _running_error(folder, "Starting the copy")
            claim = _Claim(threading.get_ident(), handle)
            _register(folder, claim)
        _write_local_note(claim.handle, note)
        return
    folder.mkdir(parents=True, exist_ok=True)
    if claim is None:
        if supports_conditional_writes(marker):
            try:
                write_if_unchanged(marker, note.encode("utf-8"), None)  # only if no other copy created one
            except ConcurrentChangeError:
                raise _running_error(folder, "Starting the copy") from None
        else:
            marker.write_text(note)
        claim = _Claim(threading.get_ident())
        _register(folder, claim)
    else:
        marker.write_text(note)
    if marker.protocol != "memory":
        _start_heartbeat(marker, note, claim)


def finish_copy(folder: Any) -> None:
    """Remove the marker (still holding it) and release it: the copy in ``folder`` is complete and registered."""
    with _claims_guard:
        claim = _claims.pop(_key(folder), None)
    if claim is not None:
        claim.stop.set()
        if claim.heartbeat is not None:
            claim.heartbeat.join(timeout=HEARTBEAT_SECONDS)
    try:
        remove_path(_marker(folder))
    finally:
        if claim is not None and claim.handle is not None:
            unlock_and_close(claim.handle)


def release_copy(folder: Any) -> None:
    """Let go of ``folder``'s marker without removing it (a failed copy: the folder stays an interrupted copy)."""
    with _claims_guard:
        claim = _claims.pop(_key(folder), None)
    if claim is not None:
        _drop(claim)


# --------------------------------------------------------------------------- replacing an interrupted copy


def _take_over(folder: Any, action: str) -> None:
    """Become the owner of the interrupted copy ``folder`` and delete everything in it except its marker."""
    folder = to_upath(folder)
    marker = _marker(folder)
    if _held_by_another_thread(folder):
        raise _running_error(folder, action)
    own = _own_claim(folder)
    if own is None:
        if is_local(marker):
            handle = try_lock_existing(local_path(marker))
            if handle is None:
                raise _running_error(folder, action)
            _register(folder, _Claim(threading.get_ident(), handle))
        else:
            if marker.protocol != "memory" and _is_running(folder):
                raise _running_error(folder, action)
            if supports_conditional_writes(marker):
                data, version = read_versioned(marker)
                try:  # rewriting the stale marker conditionally: of two retries at once, one takes over
                    write_if_unchanged(marker, data or b"{}", version)
                except ConcurrentChangeError:
                    raise _running_error(folder, action) from None
            _register(folder, _Claim(threading.get_ident()))
    _remove_all_but_marker(folder)


def _remove_all_but_marker(folder: Any) -> None:
    ports.file_transfer().remove_contents(folder, keep=MARKER_NAME)


def reclaim_interrupted_copy(folder: Any, action: str = "Copying the dataset") -> bool:
    """If ``folder`` is an interrupted copy, take it over (emptied, marker held): True; False if it is none.

    Raises CopyInProgressError if the copy there is still running. The next ``start_copy`` reuses the marker.
    """
    if not _has_marker(folder):
        return False
    _take_over(folder, action)
    return True


def claim_copy_target(folder: Any, action: str, exists_ok: bool) -> None:
    """Make ``folder`` free for a copy: absent or empty is fine, an interrupted copy is taken over and emptied.

    A copy still running there raises CopyInProgressError (a FileExistsError); any other content is deleted
    with ``exists_ok`` and refused otherwise with a FileExistsError naming the folder (its files stay
    untouched). ``action`` opens the message (``"Copying layer 'color'"``).
    """
    if mag_folder_is_free(folder):
        return
    if _has_marker(folder):
        _take_over(folder, action)
        return
    if exists_ok:
        remove_path(folder)
        return
    raise FileExistsError(
        f"{action} failed: {folder} already holds files, and they are not an interrupted copy (there is no "
        f"{MARKER_NAME} in it). Move or delete that folder, choose another name, or pass exists_ok=True to "
        "replace it."
    )
