"""daedalus.utils helpers of the reference's webknossos.utils: paths, metadata types, retries, timers, warnings."""

from __future__ import annotations

import argparse
import logging
import threading
import warnings
from pathlib import Path

import pytest
from daedalus.core.utils import retries
from upath import UPath

import daedalus.utils as u


def test_remote_local_and_writable_paths_are_told_apart() -> None:
    paths = [Path("/a"), UPath("s3://b/x"), UPath("memory://x"), UPath("http://h/y"), UPath("/tmp"), UPath("file:///t")]
    assert [u.is_remote_path(p) for p in paths] == [False, True, True, True, False, False]
    assert [u.is_fs_path(p) for p in paths] == [False, False, False, False, True, False]
    assert [u.is_writable_path(p) for p in paths] == [True, True, True, False, True, True]
    assert u.is_writable_path(UPath("https://h/y")) is False
    assert u.safe_is_relative_to(Path("/a/b"), Path("/a")) and not u.safe_is_relative_to(UPath("s3://b/x"), Path("/a"))
    assert u.strip_trailing_slash(UPath("s3://bucket/a/")) == UPath("s3://bucket/a")


def test_paths_are_written_relative_to_the_dataset_and_read_back(tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    assert u.dump_path(dataset / "color" / "1", dataset) == "./color/1"
    assert u.dump_path(dataset / ".." / "ds" / "color", dataset) == "./color"
    assert u.dump_path(tmp_path / "other" / "1", dataset) == str(tmp_path / "other" / "1")
    assert u.dump_path(UPath("s3://bucket/mag"), dataset) == "s3://bucket/mag"
    assert u.enrich_path("./color/1", UPath(dataset)) == UPath(dataset / "color" / "1")
    assert u.enrich_path("/abs/color", UPath(dataset)) == UPath("/abs/color")
    assert str(u.enrich_path("s3://bucket/c", UPath(dataset))) == "s3://bucket/c"
    assert u.cheap_resolve(UPath("s3://bucket/x")) == UPath("s3://bucket/x")


def test_trees_are_copied_moved_and_removed(tmp_path: Path) -> None:
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "f.txt").write_text("x")
    (tmp_path / "a" / "sub" / "g.txt").write_text("y")
    (tmp_path / "a" / "skip.tmp").write_text("z")
    u.copytree(UPath(tmp_path / "a"), UPath(tmp_path / "b"), ignore="skip.tmp", threads=2)
    assert sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*")) == [
        "f.txt",
        "sub",
        "sub/g.txt",
    ]
    u.copytree(UPath(tmp_path / "b"), UPath("memory://daedalus-utils-test/b"))
    assert UPath("memory://daedalus-utils-test/b/sub/g.txt").read_text() == "y"
    u.rmtree(UPath("memory://daedalus-utils-test"))
    assert not UPath("memory://daedalus-utils-test/b").exists()
    u.movetree(UPath(tmp_path / "b"), UPath(tmp_path / "c"))
    assert not (tmp_path / "b").exists() and (tmp_path / "c" / "sub" / "g.txt").read_text() == "y"
    with pytest.raises(AssertionError, match="only supported for local paths"):
        u.movetree(UPath("memory://x"), UPath(tmp_path / "d"))
    u.rmtree(UPath(tmp_path / "c"))
    u.rmtree(UPath(tmp_path / "missing"))
    assert not (tmp_path / "c").exists()


def test_metadata_values_have_webknossos_types() -> None:
    assert [u.infer_metadata_type(v) for v in ("a", 1, 1.5, True, ["a", "b"], [])] == [
        "string",
        "number",
        "number",
        "number",
        "string[]",
        "string[]",
    ]
    with pytest.raises(ValueError, match="only str type is allowed"):
        u.infer_metadata_type([1, 2])
    with pytest.raises(ValueError, match="Unsupported metadata type"):
        u.infer_metadata_type({"a": 1})
    assert [u.parse_metadata_value(v, t) for v, t in [("1", "number"), ("1.5", "number"), (["a"], "string[]")]] == [
        1,
        1.5,
        ["a"],
    ]
    with pytest.raises(ValueError, match="Unknown metadata type boolean"):
        u.parse_metadata_value("True", "boolean")


def test_calls_are_retried_only_on_transient_server_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", pauses.append)  # no waiting in the test; the pauses are recorded
    attempts = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("503 Service Unavailable")
        return "ok"

    assert u.call_with_retries(flaky, num_retries=5, description="upload", backoff_factor=2.0) == "ok"
    assert len(attempts) == 3 and len(pauses) == 2 and 0.5 <= pauses[0] < 1.5 and 1.0 <= pauses[1] < 3.0
    with pytest.raises(ValueError, match="bad"):
        u.call_with_retries(lambda: (_ for _ in ()).throw(ValueError("bad")), num_retries=5)
    assert len(pauses) == 2  # not retried
    failing = []
    with pytest.raises(RuntimeError, match="Too Many Requests"):
        u.call_with_retries(lambda: failing.append(1) or (_ for _ in ()).throw(RuntimeError("Too Many Requests")), 3)
    assert len(failing) == 3
    assert (u.DEFAULT_NUM_RETRIES, u.DEFAULT_BACKOFF_FACTOR) == (20, 1.75)


def test_small_helpers(caplog: pytest.LogCaptureFixture) -> None:
    assert u.snake_to_camel_case("voxel_size_unit") == "voxelSizeUnit" and u.snake_to_camel_case("_abc__d") == "AbcD"
    assert u.count_defined_values([None, 0, False, None, "x"]) == 3
    assert u.time_since_epoch_in_ms() % 1000 == 0
    with caplog.at_level(logging.DEBUG, logger="daedalus.utils"):
        u.time_start("step")
        u.time_stop("step")
    assert any("step took" in record.message for record in caplog.records)
    with pytest.raises(KeyError):
        u.time_stop("never started")
    with pytest.warns(DeprecationWarning, match=r"\[DEPRECATION\] `old` is deprecated, please use `new` instead"):
        u.warn_deprecated("old", "new")
    parser = argparse.ArgumentParser()
    u.add_verbose_flag(parser)
    assert parser.parse_args([]).verbose is False and parser.parse_args(["--verbose"]).verbose is True
    with warnings.catch_warnings():
        u.setup_warnings()
        assert any(f[0] == "default" and f[2] is DeprecationWarning for f in warnings.filters)


def test_executor_helpers_wrap_without_shutting_down_and_collect_results() -> None:
    with u.get_executor("threads", max_workers=2) as executor:
        with u.wrap_executor(executor) as wrapped:
            assert wrapped is executor
        futures = [executor.submit(pow, 2, n) for n in range(4)]
        assert sorted(u.wait_and_ensure_success(futures, executor, None)) == [1, 2, 4, 8]
        with pytest.warns(DeprecationWarning, match="get_executor_for_args"):
            with u.get_executor_for_args(None, executor) as given:
                assert given is executor
        failing = [executor.submit(lambda: 1 / 0)]
        with pytest.raises(ZeroDivisionError):
            u.wait_and_ensure_success(failing, executor)
    assert u.is_rich_progress_disabled() is False
    seen = []
    thread = threading.Thread(target=lambda: seen.append(u.is_rich_progress_disabled()))
    thread.start()
    thread.join()
    assert seen == [True]
    assert u.get_rich_progress().columns[0].startswith("[progress.description]")


def test_daedalus_does_not_ask_the_package_index_for_new_versions() -> None:
    assert u.get_latest_version_from_pypi() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u.check_version_in_background(u.current_version)
