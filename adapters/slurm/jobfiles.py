"""The files one batch of SLURM tasks shares between submitter and workers: inputs, results and logs."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import cloudpickle

FUNCTION_FILE = "function.pickle"
SCRIPT_FILE = "job.sh"


def input_path(batch: Path, index: int) -> Path:
    """Where the pickled ``(args, kwargs)`` of task ``index`` lie."""
    return batch / f"input_{index}.pickle"


def output_path(batch: Path, index: int) -> Path:
    """Where task ``index`` writes its pickled outcome."""
    return batch / f"output_{index}.pickle"


def log_paths(batch: Path, job_id: str, index: int) -> tuple[Path, Path]:
    """The stdout and stderr files of array task ``job_id_index`` (sbatch's ``%A_%a`` pattern)."""
    return batch / "logs" / f"{job_id}_{index}.out", batch / "logs" / f"{job_id}_{index}.err"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path`` and rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_batch(batch: Path, fn: Any, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    """Write the function once and every task's arguments (cloudpickle, so lambdas and ``__main__`` work)."""
    (batch / "logs").mkdir(parents=True, exist_ok=True)
    write_atomically(batch / FUNCTION_FILE, cloudpickle.dumps(fn))
    for index, call in enumerate(calls):
        write_atomically(input_path(batch, index), cloudpickle.dumps(call))


def read_outcome(batch: Path, index: int) -> tuple[bool, Any, str] | None:
    """``(succeeded, value_or_exception, remote_traceback)`` of a finished task, or None if not written yet."""
    path = output_path(batch, index)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return pickle.loads(data)


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log file {path})"
    return "\n".join(text.splitlines()[-lines:]) or f"({path} is empty)"
