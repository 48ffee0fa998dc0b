"""scripts/stop-slurm stops exactly the daemons scripts/start-slurm started, found by their pid files.

Stand-in daemons: copies of ``sleep`` named ``slurmd``/``munged`` (a real SLURM cannot be stopped here without
disturbing the SLURM tests of the same run); the script only looks at pid files and process names.
"""

import shutil
import subprocess
import time
from pathlib import Path

STOP_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stop-slurm"


def _start_named(tmp_path: Path, name: str) -> subprocess.Popen:
    binary = tmp_path / "bin" / name
    binary.parent.mkdir(exist_ok=True)
    shutil.copy(shutil.which("sleep"), binary)
    return subprocess.Popen([str(binary), "300"])


def _wait_gone(process: subprocess.Popen) -> bool:
    for _ in range(100):
        if process.poll() is not None:
            return True
        time.sleep(0.05)
    return False


def test_stop_slurm_stops_the_listed_daemons_and_nothing_else(tmp_path: Path) -> None:
    base = tmp_path / "slurm"
    base.mkdir()
    started = _start_named(tmp_path, "slurmd")
    foreign = _start_named(tmp_path, "munged")  # running before the tests: not listed
    try:
        (base / "slurmd.pid").write_text(f"{started.pid}\n")
        (base / "started-daemons").write_text(f"slurmd {base / 'slurmd.pid'}\n")
        result = subprocess.run(
            ["bash", str(STOP_SCRIPT)], env={"DAEDALUS_SLURM_BASE": str(base), "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert _wait_gone(started), "the listed daemon still runs"
        assert foreign.poll() is None, "a daemon that start-slurm did not start was stopped"
        assert not (base / "started-daemons").exists()
        assert f"stopped slurmd (pid {started.pid})" in result.stderr
    finally:
        for process in (started, foreign):
            process.kill()
            process.wait()


def test_stop_slurm_leaves_a_reused_pid_alone(tmp_path: Path) -> None:
    base = tmp_path / "slurm"
    base.mkdir()
    other = _start_named(tmp_path, "python-worker")  # the pid file's pid now belongs to another program
    try:
        (base / "slurmctld.pid").write_text(f"{other.pid}\n")
        (base / "started-daemons").write_text(f"slurmctld {base / 'slurmctld.pid'}\n")
        result = subprocess.run(
            ["bash", str(STOP_SCRIPT)], env={"DAEDALUS_SLURM_BASE": str(base), "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
