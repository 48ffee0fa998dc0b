"""The two tiers of the reliability suite (issue 16) and the table of figures printed at the end of a run.

``python -m pytest tests/reliability`` runs the quick tier (the CI default). ``--reliability-full`` runs the
long tier: more kill trials, more concurrent rounds and more fuzzing examples (minutes). The option is
registered here, so give it together with the ``tests/reliability`` path (or a file in it).

Tests report what they checked through the ``reliability_counts`` fixture (``record(section, **figures)``);
the hostile-input modules are counted by outcome. ``pytest_terminal_summary`` prints both as a table, so the
figures in ``docs/reliability.md`` come from a run, not from counting by hand.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest

FULL_OPTION = "--reliability-full"
FUZZ_EXAMPLES_VARIABLE = "DAEDALUS_RELIABILITY_FUZZ_EXAMPLES"
"""Environment variable the fuzz tests read their ``max_examples`` from (set here from the tier)."""
REPORT_VARIABLE = "DAEDALUS_RELIABILITY_REPORT"
"""If set, the figures of the run are also written to this file as JSON."""

# Modules whose tests feed hostile input (each passing case is a hostile input refused or made harmless).
HOSTILE_MODULES = (
    "test_hostile_properties.py",
    "test_delete_layer.py",
    "test_wkw_headers.py",
    "test_zip_bombs.py",
    "test_internal_errors.py",
    "test_copy_retry.py",
)


@dataclasses.dataclass(frozen=True)
class Trials:
    """How much each part of the suite does in one tier."""

    tier: str
    kill_trials: int  # SIGKILL trials per kind of child (writes per engine, property updates, copies)
    property_rounds: int  # rounds of K processes adding layers / mags at once
    shard_rounds: int  # runs of K writers sharing one shard, per engine
    fuzz_examples: int  # hypothesis examples per fuzz test


QUICK = Trials("quick", kill_trials=2, property_rounds=1, shard_rounds=1, fuzz_examples=40)
FULL = Trials("full", kill_trials=25, property_rounds=5, shard_rounds=6, fuzz_examples=400)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--reliability-full``."""
    parser.addoption(
        FULL_OPTION,
        action="store_true",
        default=False,
        help="run the long tier of the reliability suite (more kill trials, rounds and fuzz examples)",
    )


def _trials(config: pytest.Config) -> Trials:
    return FULL if config.getoption(FULL_OPTION, default=False) else QUICK


class Counts:
    """Figures per section, summed over the tests of a run."""

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.hostile: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, section: str, **figures: int) -> None:
        """Add ``figures`` (name -> count) to ``section``."""
        for name, value in figures.items():
            self.sections[section][name] += int(value)

    def as_dict(self) -> dict:
        """Plain dictionaries, for JSON."""
        return {
            "sections": {k: dict(v) for k, v in sorted(self.sections.items())},
            "hostile": {k: dict(v) for k, v in sorted(self.hostile.items())},
        }


_COUNTS_KEY = pytest.StashKey[Counts]()


def pytest_configure(config: pytest.Config) -> None:
    """Create the run's counters and tell the fuzz tests how many examples this tier runs."""
    config.stash[_COUNTS_KEY] = Counts()
    os.environ[FUZZ_EXAMPLES_VARIABLE] = str(_trials(config).fuzz_examples)


@pytest.fixture(scope="session")
def trials(pytestconfig: pytest.Config) -> Trials:
    """The trial counts of the tier this run uses (quick by default, full with ``--reliability-full``)."""
    return _trials(pytestconfig)


@pytest.fixture(scope="session")
def reliability_counts(pytestconfig: pytest.Config) -> Counts:
    """The run's counters; ``record(section, **figures)`` adds to the summary table."""
    return pytestconfig.stash[_COUNTS_KEY]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the outcomes of the hostile-input tests (one per hostile case)."""
    module = report.nodeid.split("::")[0].rsplit("/", 1)[-1]
    if module not in HOSTILE_MODULES:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        counts = _CURRENT_COUNTS[0] if _CURRENT_COUNTS else None
        if counts is not None:
            counts.hostile[module][report.outcome] += 1


_CURRENT_COUNTS: list[Counts] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Make the counters reachable from ``pytest_runtest_logreport`` (which gets no config)."""
    _CURRENT_COUNTS[:] = [session.config.stash[_COUNTS_KEY]]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the figures of the run as a table (and write them as JSON if ``DAEDALUS_RELIABILITY_REPORT``)."""
    counts = config.stash.get(_COUNTS_KEY, None)
    if counts is None or not (counts.sections or counts.hostile):
        return
    tier = _trials(config)
    write = terminalreporter.write_line
    terminalreporter.section(f"reliability figures ({tier.tier} tier)")
    write(f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    write(f"command: {' '.join(['python -m pytest', *sys.argv[1:]])}")
    write(f"tier: {dataclasses.asdict(tier)}")
    columns = sorted({name for figures in counts.sections.values() for name in figures})
    widths = [max([len("section"), *(len(s) for s in counts.sections)])] + [max(len(c), 6) for c in columns]
    header = [("section", widths[0])] + list(zip(columns, widths[1:]))
    write("  ".join(name.ljust(width) for name, width in header))
    for section, figures in sorted(counts.sections.items()):
        cells = [section.ljust(widths[0])] + [
            (str(figures[c]) if c in figures else "-").rjust(w) for c, w in zip(columns, widths[1:])
        ]
        write("  ".join(cells))
    if counts.hostile:
        write("")
        write("hostile cases (each passing test: a hostile input refused or made harmless)")
        total = defaultdict(int)
        for module, outcomes in sorted(counts.hostile.items()):
            write(f"  {module:32} " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
            for k, v in outcomes.items():
                total[k] += v
        write(f"  {'total':32} " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    target = os.environ.get(REPORT_VARIABLE)
    if target:
        data = {"tier": dataclasses.asdict(tier), "exitstatus": int(exitstatus), **counts.as_dict()}
        Path(target).write_text(json.dumps(data, indent=2) + "\n")


S3_BUCKET = "daedalus-reliability"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclasses.dataclass(frozen=True)
class S3Store:
    """A running S3 server on 127.0.0.1: the bucket's root path and the environment child processes need."""

    root: object  # UPath("s3://daedalus-reliability", endpoint_url=...)
    environment: dict[str, str]  # os.environ plus AWS_ENDPOINT_URL and test credentials


@pytest.fixture(scope="session")
def s3_store():
    """moto's S3 server on 127.0.0.1, answering one request at a time (a real HTTP S3 API, not a mock of s3fs).

    moto honours ``If-Match`` / ``If-None-Match`` on PutObject (HTTP 412 PreconditionFailed), but its threaded
    server checks the condition and stores the object in two steps without a lock, so two conditional PUTs
    handled at once can both pass (AWS S3 checks atomically). Serving requests one after the other makes
    every check atomic, as on S3. The server runs until the end of the session.
    """
    moto_server = pytest.importorskip("moto.moto_server.werkzeug_app", reason="moto[server] is needed for S3")
    pytest.importorskip("s3fs", reason="s3fs is needed for s3:// paths")
    from upath import UPath
    from werkzeug.serving import make_server

    saved = {key: os.environ.get(key) for key in S3_CREDENTIALS}
    os.environ.update(S3_CREDENTIALS)

    class QuietHandler(moto_server.MotoRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            pass

    app = moto_server.DomainDispatcherApplication(moto_server.create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="serial-moto-s3", daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    root = UPath(f"s3://{S3_BUCKET}", endpoint_url=endpoint, key="testing", secret="testing")
    root.fs.mkdir(S3_BUCKET)
    environment = dict(os.environ, AWS_ENDPOINT_URL=endpoint, **S3_CREDENTIALS)
    try:
        yield S3Store(root, environment)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
