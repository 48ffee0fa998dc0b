"""SLURM executor: runs tasks as sbatch job arrays, with results passed through files in a job folder."""

from .executor import SlurmExecutor, SlurmJobError

__all__ = ["SlurmExecutor", "SlurmJobError"]
