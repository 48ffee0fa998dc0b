"""Runs one task of a SLURM job array: ``python -m daedalus.adapters.slurm.worker BATCH_DIR [INDEX]``.

The outcome (result, or the exception with its traceback string) is pickled to the batch folder.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from pathlib import Path

import cloudpickle

from .jobfiles import FUNCTION_FILE, input_path, output_path, write_atomically


def _encode_failure(error: BaseException) -> bytes:
    """Pickle the exception itself when possible, else a RuntimeError carrying its text."""
    remote_traceback = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        return cloudpickle.dumps((False, error, remote_traceback))
    except Exception:  # noqa: BLE001 - an unpicklable exception is reported by its text
        substitute = RuntimeError(f"{type(error).__name__}: {error}")
        return pickle.dumps((False, substitute, remote_traceback))


def run_task(batch: Path, index: int) -> bool:
    """Run task ``index`` of ``batch`` and write its outcome; returns whether it succeeded."""
    try:
        fn = cloudpickle.loads((batch / FUNCTION_FILE).read_bytes())
        args, kwargs = cloudpickle.loads(input_path(batch, index).read_bytes())
        result = fn(*args, **kwargs)
        try:
            data = cloudpickle.dumps((True, result, ""))
        except Exception as error:  # noqa: BLE001 - report an unpicklable result as the task's failure
            raise TypeError(f"The result of task {index} ({type(result).__name__}) cannot be pickled") from error
    except BaseException as error:  # noqa: BLE001 - the submitter re-raises it
        write_atomically(output_path(batch, index), _encode_failure(error))
        return False
    write_atomically(output_path(batch, index), data)
    return True


def main(argv: list[str]) -> int:
    """Entry point: the batch folder, and the task index (default: ``$SLURM_ARRAY_TASK_ID``)."""
    if not argv:
        print("usage: python -m daedalus.adapters.slurm.worker BATCH_DIR [INDEX]", file=sys.stderr)
        return 2
    index = int(argv[1]) if len(argv) > 1 else int(os.environ["SLURM_ARRAY_TASK_ID"])
    return 0 if run_task(Path(argv[0]), index) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
