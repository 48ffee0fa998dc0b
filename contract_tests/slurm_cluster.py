"""Makes sure a local SLURM cluster answers (starting it with scripts/start-slurm); used by the test fixtures.

A cluster started here is stopped again (scripts/stop-slurm, by the daemons' pids) when the test process exits.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
from pathlib import Path

START_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "start-slurm"
STOP_SCRIPT = START_SCRIPT.with_name("stop-slurm")


def stop_started_cluster() -> None:
    """Stop the daemons scripts/start-slurm started (a no-op when it started none)."""
    subprocess.run(["bash", str(STOP_SCRIPT)], capture_output=True, text=True, timeout=120, check=False)


def _answers() -> bool:
    if shutil.which("sinfo") is None:
        return False
    try:
        completed = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and any(s in completed.stdout for s in ("idle", "mix", "alloc"))


@functools.lru_cache(maxsize=1)
def slurm_unavailable_reason() -> str | None:
    """None when SLURM runs (started here if needed), else why it could not be installed or started."""
    if _answers():
        return None
    atexit.register(stop_started_cluster)  # registered first: a half-started cluster is stopped too
    try:
        completed = subprocess.run(["bash", str(START_SCRIPT)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{START_SCRIPT} could not run: {error}"
    if completed.returncode != 0 or not _answers():
        return f"{START_SCRIPT} could not start SLURM (exit {completed.returncode}): {completed.stderr.strip()[-800:]}"
    return None
