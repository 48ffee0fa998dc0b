"""Concurrent changes to one dataset's ``datasource-properties.json`` lose nothing (issue 16, defect 3).

K worker processes open the same dataset and, released at the same moment, each add a layer (or a mag to one
layer); afterwards every layer and mag must be in the properties and no folder may be left orphaned. The same
runs on S3 (moto's server on 127.0.0.1, see the ``s3_store`` fixture), where conditional writes replace the
file lock. When all K add the *same* layer name (or the same mag), exactly one wins and the others get the
IndexError the reference raises for an existing layer or mag, and the winner's layer or mag stays intact.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import daedalus as wk

WORKERS = 4
LAYER_ROUNDS = 6
MAG_ROUNDS = 3
SAME_NAME_ROUNDS = 3
MAGS = [1, 2, 4, 8]  # worker i adds MAGS[i]
DTYPES = ["uint8", "uint16", "uint32", "float32"]  # worker i adds the contested layer with DTYPES[i]
CHUNKS = [8, 16, 32, 64]  # worker i adds the contested mag with chunk shape CHUNKS[i] (where settings may vary)
TIMEOUT = 60.0

# One worker process: in each round it signals "ready", waits for the round's "go" file (so that all workers
# start their read-modify-write together), changes the dataset through a freshly opened Dataset, and
# signals "done" (for the same-name modes the done file holds the outcome as JSON). Errors other than the
# IndexError of a taken name end the process with a non-zero status and the traceback on stderr.
WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import daedalus as wk

    dataset_path, index, rounds, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    control = Path(sys.argv[5])
    mags, dtypes, chunks = [1, 2, 4, 8], ["uint8", "uint16", "uint32", "float32"], [8, 16, 32, 64]
    for round_ in range(rounds):
        (control / f"ready-{round_}-{index}").touch()
        deadline = time.monotonic() + 60
        while not (control / f"go-{round_}").exists():
            if time.monotonic() > deadline:
                sys.exit("no go signal")
            time.sleep(0.0005)
        dataset = wk.Dataset.open(dataset_path)
        outcome = {"won": True}
        if mode == "layers":
            dataset.add_layer(f"r{round_}_l{index}", wk.COLOR_CATEGORY, dtype="uint8")
        elif mode == "mags":
            dataset.get_layer(f"color{round_}").add_mag(mags[index])
        elif mode == "same_layer":
            try:
                dataset.add_layer(f"same{round_}", wk.COLOR_CATEGORY, dtype=dtypes[index])
            except IndexError as error:
                seen = dataset.get_layer(f"same{round_}").dtype.name  # the loser now sees the winner's layer
                outcome = {"won": False, "error": type(error).__name__, "message": str(error), "seen": seen}
        else:  # same_mag (chunk shapes differ per worker) or same_mag_same_settings
            chunk = chunks[index] if mode == "same_mag" else 32
            try:
                dataset.get_layer(f"color{round_}").add_mag(1, chunk_shape=chunk, shard_shape=64)
            except (IndexError, FileExistsError) as error:
                outcome = {"won": False, "error": type(error).__name__, "message": str(error)}
        (control / f"done-{round_}-{index}").write_text(json.dumps(outcome))
    """
)


def _wait_for(paths: list[Path], processes: list[subprocess.Popen]) -> None:
    """Wait until every file in ``paths`` exists; fail with the workers' stderr if one of them died."""
    deadline = time.monotonic() + TIMEOUT
    while not all(p.exists() for p in paths):
        for process in processes:
            if process.poll() not in (None, 0):
                pytest.fail(f"a worker failed:\n{process.stderr.read().decode()}")
        if time.monotonic() > deadline:
            missing = [p.name for p in paths if not p.exists()]
            pytest.fail(f"workers did not answer within {TIMEOUT} s: missing {missing}")
        time.sleep(0.001)


def _run_rounds(
    dataset_path: object, control: Path, mode: str, rounds: int, before_round=None, env: dict | None = None
) -> list[list[dict]]:
    """Start WORKERS processes and release them together for each of ``rounds`` rounds.

    Returns the outcome of every worker in every round (``[round][worker]``).
    """
    control.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(dataset_path), str(i), str(rounds), mode, str(control)],
            stderr=subprocess.PIPE,
            env=env,
        )
        for i in range(WORKERS)
    ]
    try:
        for round_ in range(rounds):
            _wait_for([control / f"ready-{round_}-{i}" for i in range(WORKERS)], processes)
            if before_round is not None:
                before_round(round_)
            (control / f"go-{round_}").touch()
            _wait_for([control / f"done-{round_}-{i}" for i in range(WORKERS)], processes)
        for process in processes:
            assert process.wait(timeout=TIMEOUT) == 0, process.stderr.read().decode()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stderr.close()
    # a done file is complete once every worker exited (each writes it before its next round)
    return [[json.loads((control / f"done-{r}-{i}").read_text()) for i in range(WORKERS)] for r in range(rounds)]


def _folders(path: Path) -> set[str]:
    """Names of the visible sub-folders of ``path``."""
    return {p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")}


def test_processes_adding_layers_at_once_lose_no_layer(tmp_path, trials, reliability_counts):
    rounds = LAYER_ROUNDS * trials.property_rounds
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    _run_rounds(path, tmp_path / "control", "layers", rounds)
    expected = {f"r{r}_l{i}" for r in range(rounds) for i in range(WORKERS)}
    recorded = set(wk.Dataset.open(path).layers)
    lost = expected - recorded
    reliability_counts.record(
        "concurrent: K processes add layers", processes=WORKERS, rounds=rounds, updates=len(expected),
        lost_updates=len(lost),
    )  # fmt: skip
    assert not lost, f"lost {len(lost)} of {len(expected)} layers: {sorted(lost)}"
    assert recorded == expected
    assert _folders(path) == expected  # no orphaned layer folder


def test_processes_adding_mags_to_one_layer_at_once_lose_no_mag(tmp_path, trials, reliability_counts):
    rounds = MAG_ROUNDS * trials.property_rounds
    path = tmp_path / "ds"
    dataset = wk.Dataset(path, voxel_size=(1, 1, 1))
    box = wk.BoundingBox((0, 0, 0), (64, 64, 64))

    def add_layer(round_: int) -> None:
        dataset.add_layer(f"color{round_}", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)

    _run_rounds(path, tmp_path / "control", "mags", rounds, before_round=add_layer)
    reopened = wk.Dataset.open(path)
    expected_mags = {wk.Mag(m) for m in MAGS}
    lost = sum(len(expected_mags - set(reopened.get_layer(f"color{r}").mags)) for r in range(rounds))
    reliability_counts.record(
        "concurrent: K processes add mags", processes=WORKERS, rounds=rounds, updates=rounds * len(MAGS),
        lost_updates=lost,
    )  # fmt: skip
    for round_ in range(rounds):
        layer = reopened.get_layer(f"color{round_}")
        assert set(layer.mags) == expected_mags, f"round {round_}: only {sorted(m.to_layer_name() for m in layer.mags)}"
        assert _folders(path / layer.name) == {m.to_layer_name() for m in expected_mags}  # no orphaned mag folder
        layer.get_mag(4).write(np.full((16, 16, 16), 3, dtype="uint8"), absolute_offset=(0, 0, 0))
        assert (layer.get_mag(4).read(absolute_offset=(0, 0, 0), size=(16, 16, 16)) == 3).all()


def test_a_stale_dataset_adding_a_layer_keeps_the_layers_others_added(tmp_path):
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    stale = wk.Dataset.open(path)
    other = wk.Dataset.open(path)
    other.add_layer("theirs", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=5)
    other.add_layer("theirs_too", wk.COLOR_CATEGORY, dtype="uint8").add_mag(1)

    stale.add_layer("mine", wk.COLOR_CATEGORY, dtype="uint16")

    assert set(wk.Dataset.open(path).layers) == {"theirs", "theirs_too", "mine"}
    # The stale object adopted what is on disk: it sees the others' layers, with their mags.
    assert set(stale.layers) == {"theirs", "theirs_too", "mine"}
    assert stale.get_segmentation_layer("theirs").largest_segment_id == 5
    assert list(stale.get_layer("theirs_too").mags) == [wk.Mag(1)]


def test_a_stale_layer_adding_a_mag_keeps_the_mags_and_settings_others_changed(tmp_path):
    path = tmp_path / "ds"
    box = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer("seg", wk.SEGMENTATION_CATEGORY, dtype="uint32", bounding_box=box)
    stale = wk.Dataset.open(path).get_segmentation_layer("seg")
    other = wk.Dataset.open(path).get_segmentation_layer("seg")
    other.add_mag(1)
    other.largest_segment_id = 9

    stale.add_mag(2)

    reopened = wk.Dataset.open(path).get_segmentation_layer("seg")
    assert set(reopened.mags) == {wk.Mag(1), wk.Mag(2)}
    assert reopened.largest_segment_id == 9
    assert set(stale.mags) == {wk.Mag(1), wk.Mag(2)}
    assert stale.largest_segment_id == 9


def test_a_stale_dataset_deleting_a_layer_keeps_the_layers_others_added(tmp_path):
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer("old", wk.COLOR_CATEGORY, dtype="uint8")
    stale = wk.Dataset.open(path)
    wk.Dataset.open(path).add_layer("new", wk.COLOR_CATEGORY, dtype="uint8")

    stale.delete_layer("old")

    assert set(wk.Dataset.open(path).layers) == {"new"}
    assert set(stale.layers) == {"new"}


def test_threads_adding_layers_to_a_memory_dataset_lose_no_layer():
    from concurrent.futures import ThreadPoolExecutor

    path = "memory://concurrent-properties/ds"
    wk.Dataset(path, voxel_size=(1, 1, 1), exist_ok=True)

    def add(index: int) -> None:
        wk.Dataset.open(path).add_layer(f"l{index}", wk.COLOR_CATEGORY, dtype="uint8")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(16)))
    assert set(wk.Dataset.open(path).layers) == {f"l{i}" for i in range(16)}


def test_the_lock_file_is_removed_after_a_change(tmp_path):
    dataset = wk.Dataset(tmp_path / "ds", voxel_size=(1, 1, 1))
    dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8").add_mag(1)
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["color", "datasource-properties.json", "zarr.json"]


# --------------------------------------------------------------------------- on S3 (conditional writes)


def _s3_dataset(s3_store, name: str) -> object:
    """A new empty dataset on the test S3 server (a fresh prefix per test)."""
    path = s3_store.root / f"{name}-{os.getpid()}-{time.monotonic_ns()}"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    return path


def test_processes_adding_layers_to_an_s3_dataset_at_once_lose_no_layer(tmp_path, trials, reliability_counts, s3_store):
    rounds = LAYER_ROUNDS * trials.property_rounds
    path = _s3_dataset(s3_store, "layers")
    _run_rounds(path, tmp_path / "control", "layers", rounds, env=s3_store.environment)
    expected = {f"r{r}_l{i}" for r in range(rounds) for i in range(WORKERS)}
    recorded = set(wk.Dataset.open(path).layers)
    lost = expected - recorded
    reliability_counts.record(
        "concurrent on s3: K processes add layers", processes=WORKERS, rounds=rounds, updates=len(expected),
        lost_updates=len(lost),
    )  # fmt: skip
    assert not lost, f"lost {len(lost)} of {len(expected)} layers on s3: {sorted(lost)}"
    assert recorded == expected


def test_processes_adding_mags_on_s3_at_once_lose_no_mag(tmp_path, trials, reliability_counts, s3_store):
    rounds = MAG_ROUNDS * trials.property_rounds
    path = _s3_dataset(s3_store, "mags")
    dataset = wk.Dataset.open(path)
    box = wk.BoundingBox((0, 0, 0), (64, 64, 64))

    def add_layer(round_: int) -> None:
        dataset.add_layer(f"color{round_}", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)

    _run_rounds(path, tmp_path / "control", "mags", rounds, before_round=add_layer, env=s3_store.environment)
    reopened = wk.Dataset.open(path)
    expected_mags = {wk.Mag(m) for m in MAGS}
    lost = sum(len(expected_mags - set(reopened.get_layer(f"color{r}").mags)) for r in range(rounds))
    reliability_counts.record(
        "concurrent on s3: K processes add mags", processes=WORKERS, rounds=rounds, updates=rounds * len(MAGS),
        lost_updates=lost,
    )  # fmt: skip
    for round_ in range(rounds):
        layer = reopened.get_layer(f"color{round_}")
        assert set(layer.mags) == expected_mags, f"round {round_}: only {sorted(m.to_layer_name() for m in layer.mags)}"
    layer = reopened.get_layer("color0")
    layer.get_mag(2).write(np.full((32, 32, 32), 3, dtype="uint8"), absolute_offset=(0, 0, 0))
    assert (layer.get_mag(2).read(absolute_offset=(0, 0, 0), size=(32, 32, 32)) == 3).all()


def test_a_conditional_write_refused_by_s3_is_merged_again(s3_store, monkeypatch):
    """Another writer saves between this writer's read and its write: S3 answers 412, the change is re-merged."""
    from daedalus.core.properties import updates

    path = _s3_dataset(s3_store, "retry")
    mine, other = wk.Dataset.open(path), wk.Dataset.open(path)
    reads = []
    real_read = updates.read_versioned

    def read_then_let_another_writer_save(file):
        result = real_read(file)
        reads.append(result[1])
        if len(reads) == 1:  # after this writer's first read, before its write
            other.add_layer("theirs", wk.COLOR_CATEGORY, dtype="uint16")
        return result

    monkeypatch.setattr(updates, "read_versioned", read_then_let_another_writer_save)
    mine.add_layer("mine", wk.COLOR_CATEGORY, dtype="uint8")

    assert len(reads) == 3  # mine: read, (theirs: read, write), mine: write refused, read again, write
    assert reads[0] != reads[2], "the second read must see the other writer's version"
    reopened = wk.Dataset.open(path)
    assert set(reopened.layers) == {"mine", "theirs"}
    assert reopened.get_layer("theirs").dtype == np.dtype("uint16")
    assert set(mine.layers) == {"mine", "theirs"}


def test_a_writer_that_is_always_overtaken_on_s3_gives_up_with_a_clear_error(s3_store, monkeypatch):
    """Another writer saves after every read of this one: after the bounded number of refused writes (real 412
    answers of the server) the change fails with a RuntimeError, and nothing of it was written."""
    from daedalus.core.properties import updates

    monkeypatch.setattr(updates, "CONDITIONAL_WRITE_ATTEMPTS", 3)
    path = _s3_dataset(s3_store, "give-up")
    mine, other = wk.Dataset.open(path), wk.Dataset.open(path)
    real_read = updates.read_versioned
    overtaken = []

    def read_then_overtake(file):
        result = real_read(file)
        if len(overtaken) < 3 and not getattr(read_then_overtake, "busy", False):
            read_then_overtake.busy = True
            try:
                other.add_layer(f"theirs{len(overtaken)}", wk.COLOR_CATEGORY, dtype="uint8")
                overtaken.append(True)
            finally:
                read_then_overtake.busy = False
        return result

    monkeypatch.setattr(updates, "read_versioned", read_then_overtake)
    with pytest.raises(RuntimeError, match=r"changed it 3 times in a row.*Nothing of this change was saved"):
        mine.add_layer("mine", wk.COLOR_CATEGORY, dtype="uint8")

    assert set(wk.Dataset.open(path).layers) == {"theirs0", "theirs1", "theirs2"}


def test_a_new_properties_file_on_s3_is_not_overwritten_by_a_second_creator(s3_store):
    """Two writers create the same dataset: the second one's write (If-None-Match: *) merges into the first's."""
    from daedalus.core.properties import conditional_writes

    path = s3_store.root / f"created-{os.getpid()}-{time.monotonic_ns()}" / "datasource-properties.json"
    conditional_writes.write_if_unchanged(path, b'{"first": 1}', None)
    with pytest.raises(conditional_writes.ConcurrentChangeError, match="changed by another writer"):
        conditional_writes.write_if_unchanged(path, b'{"second": 2}', None)
    data, version = conditional_writes.read_versioned(path)
    assert data == b'{"first": 1}'
    with pytest.raises(conditional_writes.ConcurrentChangeError):
        conditional_writes.write_if_unchanged(path, b'{"third": 3}', '"0123456789abcdef0123456789abcdef"')
    conditional_writes.write_if_unchanged(path, b'{"fourth": 4}', version)
    assert conditional_writes.read_versioned(path)[0] == b'{"fourth": 4}'


class _NoConditionalWrites(http.server.BaseHTTPRequestHandler):
    """A stand-in for an S3-compatible server without conditional writes (a fake: every server that runs here
    implements them): forwards to the test S3 server, but answers a PUT carrying If-Match or If-None-Match with
    501 NotImplemented, as such servers do."""

    protocol_version = "HTTP/1.1"  # answers botocore's "Expect: 100-continue"
    upstream = ("127.0.0.1", 0)

    def log_message(self, *args) -> None:
        pass

    def _body(self) -> bytes:
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _forward(self) -> None:
        body = self._body()
        if self.command == "PUT" and ("If-Match" in self.headers or "If-None-Match" in self.headers):
            payload = (
                b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>'
                b"<Message>A header you provided implies functionality that is not implemented</Message></Error>"
            )
            self.send_response(501)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            skipped = ("connection", "keep-alive", "transfer-encoding", "expect")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skipped}
            if body:
                headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        finally:
            connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815 - http.server's naming


def test_a_store_without_conditional_writes_gets_plain_writes_and_a_warning(s3_store):
    import threading
    from urllib.parse import urlsplit

    from daedalus.core.properties import conditional_writes
    from upath import UPath

    endpoint = urlsplit(s3_store.root.storage_options["endpoint_url"])
    handler = type("Proxy", (_NoConditionalWrites,), {"upstream": (endpoint.hostname, endpoint.port)})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        root = UPath(
            f"s3://{s3_store.root.path.strip('/')}",
            endpoint_url=f"http://127.0.0.1:{proxy.server_address[1]}",
            key="testing",
            secret="testing",
        )
        conditional_writes._warned_stores.clear()
        with pytest.warns(RuntimeWarning, match="does not support conditional writes.*may overwrite each other"):
            dataset = wk.Dataset(root / f"plain-{time.monotonic_ns()}", voxel_size=(1, 1, 1))
            dataset.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8")
        assert set(wk.Dataset.open(dataset.path).layers) == {"color"}
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


# --------------------------------------------------------------------------- the same name at once


def _check_one_winner(outcomes: list[list[dict]], expected_error: tuple[str, ...]) -> list[int]:
    """Exactly one worker per round won; the others failed with an error named in ``expected_error``.

    Returns the winner of each round.
    """
    winners = []
    for round_, results in enumerate(outcomes):
        won = [i for i, result in enumerate(results) if result["won"]]
        assert len(won) == 1, f"round {round_}: {len(won)} winners: {results}"
        for result in results:
            if not result["won"]:
                assert result["error"] in expected_error, f"round {round_}: {result}"
        winners.append(won[0])
    return winners


@pytest.mark.parametrize("store", ["local", "s3"])
def test_processes_adding_one_layer_name_at_once_give_one_winner(tmp_path, trials, reliability_counts, store, request):
    rounds = SAME_NAME_ROUNDS * trials.property_rounds
    if store == "s3":
        s3_store = request.getfixturevalue("s3_store")
        path, env = _s3_dataset(s3_store, "same-layer"), s3_store.environment
    else:
        path, env = tmp_path / "ds", None
        wk.Dataset(path, voxel_size=(1, 1, 1))
    outcomes = _run_rounds(path, tmp_path / "control", "same_layer", rounds, env=env)
    # LayerExistsError: the loser opened the dataset after the winner saved; LayerNameTakenError: during
    winners = _check_one_winner(outcomes, ("LayerNameTakenError", "LayerExistsError"))
    reopened = wk.Dataset.open(path)
    for round_, winner in enumerate(winners):
        layer = reopened.get_layer(f"same{round_}")
        assert layer.dtype == np.dtype(DTYPES[winner]), f"round {round_}: the winner's layer was replaced"
        for result in outcomes[round_]:
            if not result["won"]:
                assert f"'same{round_}'" in result["message"] and "already has it" in result["message"]
                assert result["seen"] == DTYPES[winner]  # the loser adopted the winner's layer
    assert set(reopened.layers) == {f"same{r}" for r in range(rounds)}
    losers = sum(not result["won"] for results in outcomes for result in results)
    reliability_counts.record(
        f"same name: K processes add one layer ({store})", rounds=rounds, winners=len(winners), refused=losers,
        intact=len(winners),  # rounds whose winner's layer passed the checks above
    )  # fmt: skip


@pytest.mark.parametrize("store", ["local", "s3"])
def test_processes_adding_one_mag_at_once_give_one_winner(tmp_path, trials, reliability_counts, store, request):
    """Locally the add is exclusive (the properties lock covers creating the array), so the workers may use
    different storage settings and the winner's array must be the one on disk. On S3 a loser can see the
    winner's files before their properties entry (then it gets FileExistsError) and could overwrite an array
    created a moment earlier with other settings, so the workers there use the same settings."""
    rounds = SAME_NAME_ROUNDS * trials.property_rounds
    box = wk.BoundingBox((0, 0, 0), (64, 64, 64))
    if store == "s3":
        s3_store = request.getfixturevalue("s3_store")
        path, env, mode = _s3_dataset(s3_store, "same-mag"), s3_store.environment, "same_mag_same_settings"
        expected_errors: tuple[str, ...] = ("MagTakenError", "IndexError", "FileExistsError")
    else:
        path, env, mode = tmp_path / "ds", None, "same_mag"
        wk.Dataset(path, voxel_size=(1, 1, 1))
        expected_errors = ("MagTakenError", "IndexError")  # IndexError: opened after the winner saved
    dataset = wk.Dataset.open(path)

    def add_layer(round_: int) -> None:
        dataset.add_layer(f"color{round_}", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)

    outcomes = _run_rounds(path, tmp_path / "control", mode, rounds, before_round=add_layer, env=env)
    winners = _check_one_winner(outcomes, expected_errors)
    reopened = wk.Dataset.open(path)
    for round_, winner in enumerate(winners):
        mag = reopened.get_layer(f"color{round_}").get_mag(1)
        if mode == "same_mag":
            assert mag.info.chunk_shape == wk.Vec3Int.full(CHUNKS[winner]), f"round {round_}: not the winner's array"
        data = np.full((64, 64, 64), round_ + 1, dtype="uint8")
        mag.write(data, absolute_offset=(0, 0, 0))
        np.testing.assert_array_equal(wk.Dataset.open(path).get_layer(f"color{round_}").get_mag(1).read()[0], data)
    losers = sum(not result["won"] for results in outcomes for result in results)
    reliability_counts.record(
        f"same name: K processes add one mag ({store})", rounds=rounds, winners=len(winners), refused=losers,
        intact=len(winners),  # rounds whose winner's mag passed the checks above
    )  # fmt: skip


def test_a_stale_dataset_adding_a_layer_another_added_gets_index_error_and_keeps_theirs(tmp_path):
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    stale = wk.Dataset.open(path)
    wk.Dataset.open(path).add_layer("x", wk.SEGMENTATION_CATEGORY, dtype="uint32", largest_segment_id=7)

    with pytest.raises(IndexError, match=r"Adding layer 'x' failed: the dataset at .* already has it"):
        stale.add_layer("x", wk.COLOR_CATEGORY, dtype="uint8")

    reopened = wk.Dataset.open(path)
    assert reopened.get_segmentation_layer("x").largest_segment_id == 7
    assert stale.get_segmentation_layer("x").largest_segment_id == 7  # the stale object now shows theirs
    assert sorted(p.name for p in (path / "x").iterdir()) == []


def test_a_stale_layer_adding_a_mag_another_added_gets_index_error_and_keeps_theirs(tmp_path):
    path = tmp_path / "ds"
    box = wk.BoundingBox((0, 0, 0), (32, 32, 32))
    wk.Dataset(path, voxel_size=(1, 1, 1)).add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=box)
    stale = wk.Dataset.open(path).get_layer("color")
    theirs = wk.Dataset.open(path).get_layer("color").add_mag(1, chunk_shape=8, shard_shape=16)
    theirs.write(np.full((32, 32, 32), 9, dtype="uint8"), absolute_offset=(0, 0, 0))

    with pytest.raises(IndexError, match=r"Adding mag 1 to layer 'color' failed: it exists"):
        stale.add_mag(1, chunk_shape=32, shard_shape=32)

    mag = wk.Dataset.open(path).get_layer("color").get_mag(1)
    assert mag.info.chunk_shape == wk.Vec3Int.full(8)
    assert (mag.read() == 9).all()
    assert list(stale.mags) == [wk.Mag(1)]


def test_a_stale_dataset_referencing_a_layer_another_added_gets_index_error(tmp_path):
    """add_layer_as_ref creates no files: the merge itself finds that the name was taken meanwhile."""
    source = wk.Dataset(tmp_path / "source", voxel_size=(1, 1, 1))
    source.add_layer("color", wk.COLOR_CATEGORY, dtype="uint8", bounding_box=wk.BoundingBox((0, 0, 0), (8, 8, 8)))
    source.get_layer("color").add_mag(1)
    path = tmp_path / "ds"
    wk.Dataset(path, voxel_size=(1, 1, 1))
    stale = wk.Dataset.open(path)
    wk.Dataset.open(path).add_layer("color", wk.SEGMENTATION_CATEGORY, dtype="uint32")

    with pytest.raises(IndexError, match="another process added it meanwhile"):
        stale.add_layer_as_ref(source.get_layer("color"))

    assert wk.Dataset.open(path).get_layer("color").category == wk.SEGMENTATION_CATEGORY
    assert stale.get_layer("color").category == wk.SEGMENTATION_CATEGORY
