"""SlurmExecutor: each batch of tasks is one sbatch job array; a background thread polls squeue and result files."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from pathlib import Path
from typing import Any

from daedalus.core.ports import ExecutorUnavailableError

from . import jobfiles

JOB_DIR_ENV = "DAEDALUS_SLURM_JOB_DIR"
SQUEUE_PATIENCE_SECONDS = 120.0
_ENDED_STATES = {
    "BOOT_FAIL",
    "CANCELLED",
    "COMPLETED",
    "DEADLINE",
    "FAILED",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "REVOKED",
    "SPECIAL_EXIT",
    "TIMEOUT",
}


class SlurmJobError(RuntimeError):
    """A SLURM task ended (failed, cancelled, killed, timed out) without writing a result."""


class RemoteTraceback(Exception):
    """Carries the traceback text of an exception raised on a SLURM node (set as ``__cause__``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Task:
    """One array task: its future, batch folder, index and when it was last seen without a result."""

    def __init__(self, future: Future, batch: Path, job_id: str, index: int) -> None:
        self.future, self.batch, self.job_id, self.index = future, batch, job_id, index
        self.ended_since: float | None = None
        self.state = "PENDING"

    @property
    def name(self) -> str:
        return f"{self.job_id}_{self.index}"


def _sbatch_options(resources: dict[str, Any]) -> list[str]:
    """``{"mem": "1G", "cpus_per_task": 1}`` -> ``["--mem=1G", "--cpus-per-task=1"]`` (True -> a bare flag)."""
    options = []
    for key, value in resources.items():
        flag = "--" + str(key).replace("_", "-")
        if value is True:
            options.append(flag)
        elif value is not None and value is not False:
            options.append(f"{flag}={value}")
    return options


def _exit_code(job: str) -> str:
    """The job's exit code (return code:signal) from ``scontrol show job``, or ``""`` if SLURM forgot the job."""
    try:
        shown = subprocess.run(["scontrol", "-o", "show", "job", job], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for field in shown.stdout.split():
        if field.startswith("ExitCode="):
            return f" (exit code {field.split('=', 1)[1]}, as return code:signal)"
    return ""


class SlurmExecutor(Executor):
    """Runs tasks on a SLURM cluster as job arrays; futures resolve from result files in a job folder.

    ``max_workers`` caps how many tasks of one array run at once; ``job_resources`` become sbatch options
    (``{"mem": "1G", "time": "0:10:00", "cpus_per_task": 1}``); ``job_dir`` (or ``$DAEDALUS_SLURM_JOB_DIR``)
    holds inputs, results and per-task logs (default: ``.daedalus-slurm-jobs`` in the working directory).
    """

    def __init__(
        self,
        max_workers: int | None = None,
        *,
        job_resources: dict[str, Any] | None = None,
        job_dir: str | os.PathLike[str] | None = None,
        job_name: str = "daedalus",
        additional_setup_lines: Iterable[str] = (),
        poll_interval: float = 0.5,
        result_grace_seconds: float = 3.0,
        python: str = sys.executable,
        **_: Any,
    ) -> None:
        missing = [tool for tool in ("sbatch", "squeue", "scancel") if shutil.which(tool) is None]
        if missing:
            raise ExecutorUnavailableError(
                f"The slurm executor needs the SLURM commands {', '.join(missing)} on PATH; install SLURM "
                "(for a local test cluster run scripts/start-slurm) or choose another executor."
            )
        self.max_workers = max_workers
        self.job_resources = dict(job_resources or {})
        root = job_dir or os.environ.get(JOB_DIR_ENV) or Path.cwd() / ".daedalus-slurm-jobs"
        self.job_dir = Path(root).resolve()
        self.job_name = job_name
        self.additional_setup_lines = list(additional_setup_lines)
        self.poll_interval = poll_interval
        self.result_grace_seconds = result_grace_seconds
        self.python = python
        self._tasks: list[_Task] = []
        self._lock = threading.Lock()
        self._shutdown = False
        self._poller: threading.Thread | None = None
        self._wake = threading.Event()

    # ------------------------------------------------------------------ submitting

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` as a one-task job array."""
        return self._submit_batch(fn, [(args, kwargs)])[0]

    def map_to_futures(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> list[Future]:
        """Run ``fn(arg)`` for every argument as one job array; futures come back in argument order."""
        return self._submit_batch(fn, [((arg,), {}) for arg in args])

    def map_unordered(self, fn: Callable[..., Any], args: Iterable[Any], **_: Any) -> Iterator[Any]:
        """Yield ``fn(arg)`` results in the order the tasks finish."""
        for future in as_completed(self.map_to_futures(fn, args)):
            yield future.result()

    def map(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        """Like ``concurrent.futures.Executor.map``, submitted as a single job array."""
        futures = self._submit_batch(fn, [(call, {}) for call in zip(*iterables)])
        deadline = None if timeout is None else time.monotonic() + timeout

        def results() -> Iterator[Any]:
            for future in futures:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                yield future.result(remaining)

        return results()

    def _submit_batch(
        self, fn: Callable[..., Any], calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> list[Future]:
        if self._shutdown:
            raise RuntimeError("cannot submit to a SlurmExecutor after shutdown")
        if not calls:
            return []
        batch = self.job_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        jobfiles.write_batch(batch, fn, calls)
        script = self._write_script(batch, len(calls))
        completed = subprocess.run(["sbatch", "--parsable", str(script)], capture_output=True, text=True)
        if completed.returncode != 0:
            raise SlurmJobError(
                f"sbatch refused the job script {script} (exit code {completed.returncode}): "
                f"{completed.stderr.strip() or completed.stdout.strip()}. Check the job_resources {self.job_resources}."
            )
        job_id = completed.stdout.strip().split(";")[0]
        futures = []
        with self._lock:
            for index in range(len(calls)):
                future: Future = Future()
                future.job_id = f"{job_id}_{index}"  # type: ignore[attr-defined]
                future.log_paths = jobfiles.log_paths(batch, job_id, index)  # type: ignore[attr-defined]
                self._tasks.append(_Task(future, batch, job_id, index))
                futures.append(future)
            self._start_poller()
        return futures

    def _write_script(self, batch: Path, count: int) -> Path:
        array = f"0-{count - 1}" + (f"%{self.max_workers}" if self.max_workers else "")
        lines = [
            "#!/bin/bash",
            f"#SBATCH --job-name={self.job_name}",
            f"#SBATCH --array={array}",
            f"#SBATCH --output={batch / 'logs' / '%A_%a.out'}",
            f"#SBATCH --error={batch / 'logs' / '%A_%a.err'}",
            f"#SBATCH --chdir={Path.cwd()}",
            *(f"#SBATCH {option}" for option in _sbatch_options(self.job_resources)),
            *self.additional_setup_lines,
            f'exec "{self.python}" -m daedalus.adapters.slurm.worker "{batch}" "$SLURM_ARRAY_TASK_ID"',
            "",
        ]
        path = batch / jobfiles.SCRIPT_FILE
        jobfiles.write_atomically(path, "\n".join(lines).encode())
        return path

    # ------------------------------------------------------------------ polling

    def _start_poller(self) -> None:
        if self._poller is None or not self._poller.is_alive():
            self._poller = threading.Thread(target=self._poll_forever, name="daedalus-slurm-poller", daemon=True)
            self._poller.start()

    def _poll_forever(self) -> None:
        silent_since: float | None = None
        while True:
            with self._lock:
                tasks = list(self._tasks)
            if not tasks:
                if self._shutdown:
                    return
                self._wake.wait(self.poll_interval)
                self._wake.clear()
                continue
            states = self._queue_states({t.job_id for t in tasks})
            if states is not None:
                silent_since = None
            elif silent_since is None:
                silent_since = time.monotonic()
            silent_for = 0.0 if silent_since is None else time.monotonic() - silent_since
            done = [t for t in tasks if self._update_safely(t, states, silent_for)]
            with self._lock:
                self._tasks = [t for t in self._tasks if t not in done]
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _queue_states(self, job_ids: set[str]) -> dict[str, str] | None:
        """``{"12_3": "RUNNING", ...}`` from squeue (all states), or None when squeue fails."""
        command = ["squeue", "-h", "-r", "--states=all", "-o", "%i|%T", "-j", ",".join(sorted(job_ids))]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if completed.returncode != 0:
            # squeue fails for ids it no longer knows; an empty answer then means "gone"
            return {} if "Invalid job id" in completed.stderr else None
        states = {}
        for line in completed.stdout.splitlines():
            name, _, state = line.strip().partition("|")
            states[name] = state.split()[0] if state else ""
        return states

    def _update_safely(self, task: _Task, states: dict[str, str] | None, silent_for: float) -> bool:
        """``_update``, but an unexpected error (e.g. an unreadable result file) fails the task, not the poller."""
        try:
            return self._update(task, states, silent_for)
        except Exception as error:  # noqa: BLE001 - the future must settle whatever happens
            if not task.future.done():
                message = f"Reading the outcome of SLURM job {task.name} (batch folder {task.batch}) failed: {error!r}"
                task.future.set_exception(SlurmJobError(message))
            return True

    def _update(self, task: _Task, states: dict[str, str] | None, silent_for: float) -> bool:
        """Resolve ``task`` if it has ended; returns whether it is done."""
        future = task.future
        if future.cancelled():
            self._scancel([task.name])
            with contextlib.suppress(RuntimeError):  # already notified when shutdown cancelled it
                future.set_running_or_notify_cancel()  # lets as_completed/wait see the cancellation
            return True
        outcome = jobfiles.read_outcome(task.batch, task.index)
        if outcome is not None:
            self._resolve(task, outcome)
            return True
        if states is None:
            if silent_for > SQUEUE_PATIENCE_SECONDS:
                self._fail(task, f"could not be watched: squeue has not answered for {SQUEUE_PATIENCE_SECONDS:.0f} s")
                return True
            return False
        state = states.get(task.name)
        if state == "RUNNING" and future.running() is False and not future.done():
            if not future.set_running_or_notify_cancel():
                self._scancel([task.name])
                return True
        ended = state is None or state in _ENDED_STATES
        if not ended:
            task.state = state or task.state
            task.ended_since = None
            return False
        task.state = state or "gone from the queue"
        now = time.monotonic()
        if task.ended_since is None:
            task.ended_since = now
            return False
        if now - task.ended_since < self.result_grace_seconds:
            return False
        self._fail(task, f"ended with state {task.state}")
        return True

    def _resolve(self, task: _Task, outcome: tuple[bool, Any, str]) -> None:
        succeeded, value, remote_traceback = outcome
        if task.future.done():
            return
        if succeeded:
            task.future.set_result(value)
            return
        note = f"Raised in SLURM job {task.name}; remote traceback:\n{remote_traceback}"
        value.__cause__ = RemoteTraceback(note)
        if hasattr(value, "add_note"):
            value.add_note(note)
        task.future.set_exception(value)

    def _fail(self, task: _Task, what: str) -> None:
        if task.future.done():
            return
        out, err = jobfiles.log_paths(task.batch, task.job_id, task.index)
        task.future.set_exception(
            SlurmJobError(
                f"SLURM job {task.name} {what}{_exit_code(task.name)} without writing a result "
                f"(batch folder {task.batch}).\n"
                f"--- tail of {err} ---\n{jobfiles.tail(err)}\n--- tail of {out} ---\n{jobfiles.tail(out)}"
            )
        )

    def _scancel(self, names: list[str]) -> None:
        if names:
            subprocess.run(["scancel", *names], capture_output=True, text=True)

    # ------------------------------------------------------------------ lifecycle

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; with ``cancel_futures`` scancel every unfinished task; with ``wait`` block until done."""
        self._shutdown = True
        if cancel_futures:
            with self._lock:
                tasks, self._tasks = list(self._tasks), []
            self._scancel(sorted({t.job_id for t in tasks}))
            for task in tasks:
                if task.future.cancel():
                    task.future.set_running_or_notify_cancel()
                elif not task.future.done():
                    task.future.set_exception(SlurmJobError(f"SLURM job {task.name} was cancelled at shutdown"))
        self._wake.set()
        if wait and self._poller is not None:
            self._poller.join()
