"""Makes sure a local SLURM cluster answers (starting it with scripts/start-slurm); used by the test fixtures."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

START_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "start-slurm"


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
    try:
        completed = subprocess.run(["bash", str(START_SCRIPT)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{START_SCRIPT} could not run: {error}"
    if completed.returncode != 0 or not _answers():
        return f"{START_SCRIPT} could not start SLURM (exit {completed.returncode}): {completed.stderr.strip()[-800:]}"
    return None
