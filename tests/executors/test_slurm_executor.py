"""The slurm executor against a real one-node SLURM cluster: results, remote errors, cancellation, resources."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from daedalus.adapters.slurm import SlurmJobError

import daedalus as wk


def _wait_until_running(job_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run(["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True).stdout
        if "RUNNING" in state:
            return
        time.sleep(0.2)
    raise AssertionError(f"SLURM job {job_id} did not start within {timeout} s")


def test_submit_and_map_run_as_slurm_jobs(slurm_executor, tmp_path) -> None:
    future = slurm_executor.submit(pow, 3, 4)
    assert list(slurm_executor.map(divmod, [7, 9, 11], [2, 4, 3])) == [(3, 1), (2, 1), (3, 2)]
    assert future.result(timeout=60) == 81
    job_id, _, index = future.job_id.partition("_")
    stdout, stderr = future.log_paths
    assert index == "0" and stdout.exists() and stderr.exists()
    assert stdout.parent.parent.parent == tmp_path / "jobs"


def test_a_raising_task_surfaces_its_exception_with_the_remote_traceback(slurm_executor) -> None:
    future = slurm_executor.submit(int, "twelve")
    with pytest.raises(ValueError, match="twelve") as caught:
        future.result(timeout=60)
    cause = caught.value.__cause__
    assert cause is not None and f"SLURM job {future.job_id}" in str(cause)
    assert "Traceback (most recent call last)" in str(cause) and "worker.py" in str(cause)


def test_a_cancelled_job_is_reported_promptly(slurm_executor) -> None:
    future = slurm_executor.submit(time.sleep, 120)
    job_id = future.job_id.split("_")[0]
    _wait_until_running(job_id)
    started = time.monotonic()
    subprocess.run(["scancel", job_id], check=True)
    error = future.exception(timeout=30)
    assert isinstance(error, SlurmJobError)
    assert future.job_id in str(error) and "CANCELLED" in str(error)
    assert time.monotonic() - started < 30


def test_a_killed_worker_is_reported_instead_of_hanging(slurm_executor) -> None:
    future = slurm_executor.submit(os.abort)  # the worker process dies by SIGABRT before writing a result
    error = future.exception(timeout=60)
    assert isinstance(error, SlurmJobError)
    assert future.job_id in str(error) and "without writing a result" in str(error)


def test_job_resources_reach_sbatch(slurm_cluster, tmp_path) -> None:
    resources = {"mem": "100M", "time": "0:05:00", "cpus_per_task": 1}
    with wk.get_executor("slurm", job_dir=tmp_path, job_resources=resources, poll_interval=0.2) as executor:
        future = executor.submit(time.sleep, 60)
        job_id = future.job_id.split("_")[0]
        shown = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True).stdout
        script = next(tmp_path.glob("*/job.sh")).read_text()
        executor.shutdown(wait=True, cancel_futures=True)
    assert "--mem=100M" in script and "--time=0:05:00" in script and "--cpus-per-task=1" in script
    assert "TimeLimit=00:05:00" in shown and "MinMemoryNode=100M" in shown
    assert future.cancelled() or isinstance(future.exception(timeout=0), SlurmJobError)


def test_shutdown_with_cancel_futures_cancels_the_jobs(slurm_cluster, tmp_path) -> None:
    executor = wk.get_executor("slurm", job_dir=tmp_path, poll_interval=0.2)
    futures = executor.map_to_futures(time.sleep, [120, 120])
    job_id = futures[0].job_id.split("_")[0]
    executor.shutdown(wait=True, cancel_futures=True)
    assert all(f.done() for f in futures)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = subprocess.run(["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True).stdout
        if "RUNNING" not in states and "PENDING" not in states:
            break
        time.sleep(0.2)
    assert "RUNNING" not in states and "PENDING" not in states
    with pytest.raises(RuntimeError):
        executor.submit(abs, -1)
