"""Contract suite of the progress port: every factory of ``daedalus_progress_reporters`` and the silent default.

A reporter is a context manager; ``advance`` may be called any number of times, also beyond ``total``, and an
exception inside the block passes through unchanged.
"""

from __future__ import annotations

import pytest

from daedalus.core.ports import ProgressReporter, SilentProgress

from .adapters import progress_params


@pytest.fixture(params=[*progress_params(), pytest.param(lambda description, total: SilentProgress(), id="silent")])
def make_progress(request):
    return request.param


def test_reporter_implements_the_port(make_progress) -> None:
    assert isinstance(make_progress("Downsampling", 4), ProgressReporter)


def test_advances_through_the_work(make_progress) -> None:
    with make_progress("Copying layer color", 3) as progress:
        for _ in range(3):
            progress.advance()
        progress.advance(2)  # more than announced: shown or ignored, never an error


def test_errors_inside_the_block_pass_through(make_progress) -> None:
    with pytest.raises(KeyError, match="boom"):
        with make_progress("Compressing", 2) as progress:
            progress.advance()
            raise KeyError("boom")


def test_zero_total_is_accepted(make_progress) -> None:
    with make_progress("Nothing to do", 0):
        pass
