"""The differential suite's long-lived reference worker: one past its memory limit is replaced before the next
scenario, and the fresh one answers as the old one did."""

from __future__ import annotations

import sys

import pytest


def test_a_worker_past_its_memory_limit_is_replaced_and_answers_the_same(tmp_path) -> None:
    harness = sys.modules["daedalus_differential_harness"]  # loaded by this folder's conftest
    reference_env = sys.modules["daedalus_contract_tests_reference_env"]
    try:
        python = reference_env.reference_python()
    except reference_env.ReferenceUnavailable as error:
        pytest.fail(f"reference unavailable: {error}")
    worker = harness.ReferenceWorker(python)
    try:
        first = worker.run("small_classes:ai_model_category", str(tmp_path), {"value": "em_neurons"})
        assert worker.restarts == 0 and worker.resident_bytes() > 0
        worker.RECYCLE_BYTES = 1  # every worker is past this
        old_pid = worker._process.pid
        second = worker.run("small_classes:ai_model_category", str(tmp_path), {"value": "em_neurons"})
        assert worker.restarts == 1 and worker._process.pid != old_pid
        assert second == first
    finally:
        worker.close()
