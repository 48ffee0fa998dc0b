"""Run the reference package ``webknossos`` in its own cached virtual environment."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:  # POSIX only; on other platforms the lock degrades to a no-op.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

REFERENCE_PACKAGE = "webknossos"
REFERENCE_VERSION = "4.3.3"
# The readers the CLI and image comparisons need (TIFF, MRC, compressed TIFF codecs, fastremap for mappings),
# and s3fs for datasets on S3 (the differential s3 scenarios).
REFERENCE_EXTRAS = "tifffile,imagecodecs,mrcfile,fastremap,s3"
REFERENCE_REQUIREMENT = f"{REFERENCE_PACKAGE}[{REFERENCE_EXTRAS}]=={REFERENCE_VERSION}"
# webknossos 4.3.3 declares ``Requires-Python: >=3.10,<3.15``.
SUPPORTED_PYTHON = ((3, 10), (3, 15))

ENV_VENV = "DAEDALUS_REFERENCE_VENV"
"""Environment variable: where the reference venv lives (default under ``~/.cache/daedalus``)."""
ENV_PYTHON = "DAEDALUS_REFERENCE_PYTHON"
"""Environment variable: base interpreter used to create the venv (default: a supported one on PATH)."""
ENV_REQUIRE = "DAEDALUS_REQUIRE_REFERENCE"
"""Environment variable: when set to 1, an unavailable reference fails tests instead of skipping them."""

MARKER_NAME = ".daedalus-reference-complete.json"
LOCK_SUFFIX = ".lock"
INSTALL_TIMEOUT_S = 1800.0
DEFAULT_RUN_TIMEOUT_S = 600.0

# The reference's own environment must not see daedalus' import paths.
_SCRUBBED_ENV_VARS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")

_failure: str | None = None  # creation failure remembered for this process (no retry per test)


class ReferenceUnavailable(RuntimeError):
    """The reference venv could not be created (e.g. no network); tests should skip."""


class ReferenceScriptError(RuntimeError):
    """A snippet run with the reference package exited with a non-zero status or timed out."""

    def __init__(self, message: str, stdout: str = "", stderr: str = "", returncode: int | None = None):
        super().__init__(message)
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode


def _venv_link() -> Path:
    """The stable name of the venv: a symlink to the build of the current requirement (never resolved here)."""
    configured = os.environ.get(ENV_VENV)
    if configured:
        return Path(os.path.abspath(Path(configured).expanduser()))
    return Path.home() / ".cache" / "daedalus" / f"reference-venv-{REFERENCE_PACKAGE}-{REFERENCE_VERSION}"


def venv_dir() -> Path:
    """Return the directory of the reference venv (``$DAEDALUS_REFERENCE_VENV`` or the default), resolved."""
    return _venv_link().resolve()


def _build_dir(link: Path) -> Path:
    """The directory one requirement is installed into; the link's target once it is complete."""
    digest = hashlib.sha1(REFERENCE_REQUIREMENT.encode()).hexdigest()[:10]
    return link.with_name(f"{link.name}-{digest}")


def _venv_python(venv: Path) -> Path:
    if os.name == "nt":  # pragma: no cover - Windows
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _marker(venv: Path) -> Path:
    return venv / MARKER_NAME


def require_reference() -> bool:
    """Whether ``$DAEDALUS_REQUIRE_REFERENCE`` asks to fail instead of skip when the reference is missing."""
    return os.environ.get(ENV_REQUIRE, "").strip().lower() in {"1", "true", "yes"}


def _is_complete(venv: Path) -> bool:
    marker = _marker(venv)
    if not marker.is_file() or not _venv_python(venv).exists():
        return False
    try:
        content = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return content.get("requirement") == REFERENCE_REQUIREMENT


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def _base_python() -> str:
    """Pick a base interpreter whose version webknossos 4.3.3 supports."""
    configured = os.environ.get(ENV_PYTHON)
    if configured:
        return configured
    low, high = SUPPORTED_PYTHON
    candidates = [sys.executable]
    for minor in range(high[1] - 1, low[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            candidates.append(found)
    for candidate in candidates:
        version = _python_version(candidate)
        if version is not None and low <= version < high:
            return candidate
    raise ReferenceUnavailable(
        f"no Python interpreter in [{low[0]}.{low[1]}, {high[0]}.{high[1]}) found for "
        f"{REFERENCE_REQUIREMENT}; set ${ENV_PYTHON} to one"
    )


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run_install_step(cmd: Sequence[str], what: str, timeout: float) -> None:
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, env=_clean_env(), check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReferenceUnavailable(f"{what} timed out after {timeout:.0f}s: {' '.join(cmd)}") from exc
    except OSError as exc:
        raise ReferenceUnavailable(f"{what} could not start: {exc}") from exc
    if proc.returncode != 0:
        raise ReferenceUnavailable(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout (tail) ---\n{_tail(proc.stdout)}\n--- stderr (tail) ---\n{_tail(proc.stderr)}"
        )


def _create(venv: Path) -> None:
    if venv.exists():  # an interrupted or outdated install: start from scratch
        shutil.rmtree(venv)
    base = _base_python()
    started = time.monotonic()
    _run_install_step([base, "-m", "venv", str(venv)], "creating the reference venv", 300)
    python = str(_venv_python(venv))
    _run_install_step(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", REFERENCE_REQUIREMENT],
        f"pip install {REFERENCE_REQUIREMENT}",
        INSTALL_TIMEOUT_S,
    )
    _run_install_step(
        [python, "-W", "ignore", "-c", f"import {REFERENCE_PACKAGE}"],
        f"importing {REFERENCE_PACKAGE} in the reference venv",
        300,
    )
    info: dict[str, Any] = {
        "requirement": REFERENCE_REQUIREMENT,
        "base_python": base,
        "python_version": ".".join(map(str, _python_version(python) or ())),
        "install_seconds": round(time.monotonic() - started, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = _marker(venv).with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2))
    tmp.replace(_marker(venv))  # atomic: the marker exists only after a complete install


def reference_python() -> Path:
    """Return the interpreter of the reference venv, creating it once (cached, lock-guarded).

    The venv lives at ``$DAEDALUS_REFERENCE_VENV`` or
    ``~/.cache/daedalus/reference-venv-webknossos-4.3.3`` and has ``webknossos==4.3.3`` installed
    with pip. A marker file is written only after a successful install, so an interrupted install is
    detected and redone. Parallel processes serialise on a lock file next to the venv. A changed
    requirement is built into a new directory and the venv's name is then switched to it atomically,
    so processes still running the previous build keep working.

    Raises:
        ReferenceUnavailable: if the venv cannot be created (e.g. the package index is unreachable).
    """
    global _failure
    link = _venv_link()
    if _is_complete(link):
        return _venv_python(link.resolve())
    if _failure is not None:
        raise ReferenceUnavailable(_failure)
    try:
        with file_lock(link.with_name(link.name + LOCK_SUFFIX)):
            if not _is_complete(link):  # another process may have finished it while we waited
                _build_and_swap(link)
    except ReferenceUnavailable as exc:
        _failure = f"reference package {REFERENCE_REQUIREMENT} unavailable at {link}: {exc}"
        raise ReferenceUnavailable(_failure) from exc
    except OSError as exc:
        _failure = f"reference package {REFERENCE_REQUIREMENT} unavailable at {link}: {exc}"
        raise ReferenceUnavailable(_failure) from exc
    return _venv_python(link.resolve())


def _build_and_swap(link: Path) -> None:
    """Install the current requirement next to ``link`` (unless done before) and point ``link`` at it atomically."""
    target = _build_dir(link)
    if not _is_complete(target):
        _create(target)
    previous: Path | None = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():  # a venv built before builds were swapped in: move it aside
        previous = link.with_name(f"{link.name}-replaced-{int(time.time())}")
        link.rename(previous)
    staged = link.with_name(link.name + ".swap")
    staged.unlink(missing_ok=True)
    os.symlink(target.name, staged)
    os.replace(staged, link)
    _remove_stale_builds(link, keep={target, previous})


def _remove_stale_builds(link: Path, keep: set[Path | None]) -> None:
    """Delete older builds next to ``link``; the previous one stays for processes that may still run it."""
    pattern = re.compile(rf"{re.escape(link.name)}-([0-9a-f]{{10}}|replaced-\d+)")
    for sibling in link.parent.iterdir():
        if pattern.fullmatch(sibling.name) and sibling not in keep and not sibling.is_symlink() and sibling.is_dir():
            shutil.rmtree(sibling, ignore_errors=True)


def install_info() -> dict[str, Any]:
    """Return the contents of the completion marker of an installed reference venv (empty if none)."""
    try:
        return json.loads(_marker(venv_dir()).read_text())
    except (OSError, ValueError):
        return {}


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV_VARS}
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
    if extra:
        env.update(extra)
    return env


def run_reference(
    script: str,
    *args: str | os.PathLike[str],
    timeout: float = DEFAULT_RUN_TIMEOUT_S,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the Python snippet ``script`` with the reference venv's interpreter.

    ``args`` become ``sys.argv[1:]`` of the snippet. The snippet runs in a scrubbed environment
    (no ``PYTHONPATH``, no user site) from a temporary directory, so it can only import the reference
    package and its dependencies, never daedalus.

    Raises:
        ReferenceUnavailable: if the venv cannot be created.
        ReferenceScriptError: if the snippet fails or times out; the message holds stdout and stderr.
    """
    python = reference_python()
    with tempfile.TemporaryDirectory(prefix="daedalus-reference-") as tmp:
        script_path = Path(tmp) / "reference_snippet.py"
        script_path.write_text(script)
        cmd = [str(python), str(script_path), *map(str, args)]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=str(cwd) if cwd is not None else tmp,
                env=_clean_env(env),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            raise ReferenceScriptError(
                f"reference snippet timed out after {timeout}s\n--- stdout ---\n{out}\n--- stderr ---\n{err}",
                out,
                err,
            ) from exc
    if proc.returncode != 0:
        raise ReferenceScriptError(
            f"reference snippet failed (exit {proc.returncode})\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}",
            proc.stdout,
            proc.stderr,
            proc.returncode,
        )
    return proc


def run_reference_json(script: str, *args: str | os.PathLike[str], timeout: float = DEFAULT_RUN_TIMEOUT_S) -> Any:
    """Run ``script`` like `run_reference` and parse the last non-empty line of its stdout as JSON."""
    proc = run_reference(script, *args, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise ReferenceScriptError("reference snippet printed no JSON", proc.stdout, proc.stderr, 0)
    try:
        return json.loads(lines[-1])
    except ValueError as exc:
        raise ReferenceScriptError(
            f"reference snippet's last line is not JSON: {lines[-1]!r}\n--- stderr ---\n{proc.stderr}",
            proc.stdout,
            proc.stderr,
            0,
        ) from exc


if __name__ == "__main__":  # ``python contract_tests/reference_env.py`` prepares the venv up front
    try:
        print(reference_python())
        print(json.dumps(install_info(), indent=2))
    except ReferenceUnavailable as error:
        print(f"SKIP: {error}", file=sys.stderr)
        sys.exit(1)
