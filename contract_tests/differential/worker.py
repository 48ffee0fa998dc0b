"""The reference side of the differential suite: runs scenarios with ``webknossos`` as requests arrive on stdin.

Started once per test session inside the reference venv. Each request is one JSON line
``{"scenario": "module:function", "tmp": "...", "params": {...}}``; each answer is one JSON line with the
observation. Whatever the reference prints goes to stderr, so stdout carries only answers.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

answers = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # the reference's own prints must not corrupt the answers
sys.stdout = sys.stderr

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # import-time notices (missing optional readers) are not observations
    import webknossos
    from observe import observe

ROOTS = [os.path.dirname(os.path.abspath(webknossos.__file__)) + os.sep]

answers.write(json.dumps({"ready": True}) + "\n")
for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = observe(webknossos, request["scenario"], request["tmp"], request["params"], ROOTS)
    except BaseException as error:  # a scenario that cannot even be loaded is reported, never kills the worker
        answer = {"fatal": f"{type(error).__name__}: {error}"}
    answers.write(json.dumps(answer, default=repr) + "\n")
