"""Built-in plugin: registers the executors (sequential, threads, multiprocessing, slurm, dask)."""

from __future__ import annotations

from typing import Any

from daedalus.adapters import local_executors
from daedalus.core.ports import ExecutorUnavailableError

from .hookspecs import hookimpl


@hookimpl
def daedalus_executors() -> dict[str, Any]:
    """Executor factories keyed by the names used with ``get_executor`` and ``--distribution-strategy``."""
    return {
        "sequential": local_executors.SequentialExecutor,
        "threads": local_executors.ThreadExecutor,
        "multiprocessing": local_executors.MultiprocessingExecutor,
        "slurm": slurm_executor,
        "dask": dask_executor,
    }


def slurm_executor(**kwargs: Any) -> Any:
    """A SlurmExecutor (sbatch job arrays); imported on first use so that a missing cloudpickle stays harmless."""
    try:
        from daedalus.adapters.slurm import SlurmExecutor
    except ImportError as error:
        message = f"The slurm executor cannot be loaded ({error}); pip install cloudpickle."
        raise ExecutorUnavailableError(message) from error
    return SlurmExecutor(**kwargs)


def dask_executor(**kwargs: Any) -> Any:
    """A DaskExecutor on a distributed cluster (address from kwargs or $DAEDALUS_DASK_ADDRESS, else local)."""
    from daedalus.adapters.dask_executor import DaskExecutor

    return DaskExecutor(**kwargs)
