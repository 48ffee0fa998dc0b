"""Fixtures of the differential suite: the reference worker (one per session) and the summary table."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


harness = _load("daedalus_differential_harness", HERE / "harness.py")
observe = _load("daedalus_differential_observe", HERE / "observe.py")
reference_env = sys.modules.get("daedalus_contract_tests_reference_env") or _load(
    "daedalus_contract_tests_reference_env", HERE.parent / "reference_env.py"
)
class_coverage = _load("daedalus_differential_class_coverage", HERE / "class_coverage.py")
SESSION_FILES = class_coverage.SessionFiles()
"""What this session ran of each test file (for the class coverage record)."""


@pytest.fixture(scope="session")
def differential(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A :class:`harness.Differential` comparing daedalus with webknossos 4.3.3 (skips if the venv can't be built)."""
    import daedalus

    try:
        python = reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        if reference_env.require_reference():
            pytest.fail(f"reference unavailable: {error}")
        pytest.skip(f"the differential suite needs the reference venv, which could not be built: {error}")
    worker = harness.ReferenceWorker(python)
    SESSION_FILES.worker_started = True
    try:
        yield harness.Differential(daedalus, worker, observe, tmp_path_factory.mktemp("differential"))
    finally:
        worker.close()


S3_BUCKET = "daedalus-differential"
S3_CREDENTIALS = {"key": "testing", "secret": "testing"}


_MOTO_SERVER = """
import sys
from moto.moto_server import werkzeug_app
from werkzeug.serving import make_server


class QuietHandler(werkzeug_app.MotoRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="session")
def s3() -> Iterator[dict]:
    """moto's S3 server on 127.0.0.1 (a real HTTP S3 API) with one bucket, for both sides of the s3 scenarios.

    The server runs in a process of its own (requests of both sides never wait for this process' GIL) and is
    stopped at the end of the session. Yields what the scenarios build their ``s3://`` UPaths from (endpoint,
    bucket, key, secret): the reference honours only storage options given with the path (not
    ``AWS_ENDPOINT_URL``), so both sides get them so. Skips (with the reason) when moto's server, s3fs
    (daedalus' side) or s3fs in the reference venv is missing.
    """
    pytest.importorskip("moto.moto_server.werkzeug_app", reason="moto[server] is needed for S3")
    pytest.importorskip("s3fs", reason="s3fs is needed for s3:// paths")
    from upath import UPath

    try:
        python = reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        pytest.skip(f"the s3 scenarios need the reference venv, which could not be built: {error}")
    probe = subprocess.run([str(python), "-c", "import s3fs"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"s3fs is missing in the reference venv {python} (REFERENCE_EXTRAS needs 's3')")

    server = subprocess.Popen(
        [sys.executable, "-c", _MOTO_SERVER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    saved = os.environ.get("AWS_EC2_METADATA_DISABLED")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"  # never ask a cloud metadata service for credentials
    try:
        port = server.stdout.readline().strip()
        if not port.isdigit():
            pytest.fail(f"moto's S3 server did not start (exit code {server.poll()})")
        endpoint = f"http://127.0.0.1:{port}"
        UPath(f"s3://{S3_BUCKET}", endpoint_url=endpoint, **S3_CREDENTIALS).fs.mkdir(S3_BUCKET)
        yield {"endpoint_url": endpoint, "bucket": S3_BUCKET, **S3_CREDENTIALS}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        if saved is None:
            os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
        else:
            os.environ["AWS_EC2_METADATA_DISABLED"] = saved


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the table of the differential runs of this session (scenarios run, equal, divergent by kind)."""
    if not harness.TALLY.runs:
        return
    terminalreporter.section("differential suite: daedalus vs webknossos 4.3.3")
    for line in harness.TALLY.table():
        terminalreporter.write_line(line)


# ---------------------------------------------------------------------------------------------------- class coverage


def coverage_record() -> object:
    """The class coverage record of the installed reference (``class_coverage.Record``)."""
    key = reference_env.REFERENCE_REQUIREMENT + json.dumps(reference_env.install_info(), sort_keys=True)
    return class_coverage.Record(class_coverage.record_path(key))


def store_session_coverage() -> object:
    """Put what this session's scenarios touched into the record (if the reference ran) and return the record.

    Sessions running at once (scripts/pytest-shards) each add their files' entries: the record is re-read and
    written under a lock, so one session's entries never overwrite another's.
    """
    if not getattr(SESSION_FILES, "worker_started", False):
        return coverage_record()
    path = coverage_record().path
    with reference_env.file_lock(path.with_name(path.name + ".lock")):
        record = coverage_record()
        SESSION_FILES.store(record, harness.TALLY.touched, harness.TALLY.test_files)
        record.save()
    return record


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Run the class coverage check after every scenario of the session (it reads what they touched)."""
    items.sort(key=lambda item: SESSION_FILES.file_of(item.nodeid) == "test_class_coverage.py")


def pytest_deselected(items: list) -> None:
    """A test file with deselected tests did not run completely."""
    SESSION_FILES.deselected.update(SESSION_FILES.file_of(item.nodeid) for item in items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Count the tests collected per file (a file named with ``::`` runs only in part)."""
    for item in session.items:
        SESSION_FILES.collected[SESSION_FILES.file_of(item.nodeid)] += 1
    SESSION_FILES.deselected.update(SESSION_FILES.file_of(arg) for arg in session.config.args if "::" in arg)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count finished (passed or skipped) and failed tests per file."""
    name = SESSION_FILES.file_of(report.nodeid)
    if report.failed:
        SESSION_FILES.failed.add(name)
    elif report.when == "call" or (report.when == "setup" and report.skipped):
        SESSION_FILES.finished[name] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record the classes this session's scenarios touched (see class_coverage.py)."""
    store_session_coverage()


@pytest.fixture
def session_coverage() -> object:
    """``session_coverage()`` stores what this session's scenarios touched so far and returns the record (for
    test_class_coverage.py, which runs after every other test of the session)."""
    return store_session_coverage
