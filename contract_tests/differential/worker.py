"""The reference side of the differential suite: runs scenarios with ``webknossos`` as requests arrive on stdin.

Started once per test session inside the reference venv. Each request is one JSON line
``{"scenario": "module:function", "tmp": "...", "params": {...}}``; each answer is one JSON line with the
observation, including the reference classes the run exercised (``touched``, for the class coverage check).
Whatever the reference prints goes to stderr, so stdout carries only answers.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    """Answer requests until stdin closes (only in the process started by the harness, never in its children)."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the reference's own prints must not corrupt the answers
    sys.stdout = sys.stderr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # import-time notices (missing optional readers) are not observations
        import webknossos
        from observe import observe

    roots = [os.path.dirname(os.path.abspath(webknossos.__file__)) + os.sep]
    _consume_once_only_notices(webknossos)

    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = observe(webknossos, request["scenario"], request["tmp"], request["params"], roots, "webknossos")
            if answer.get("error"):  # the reference is a black box: its traceback (source lines) is not reported
                answer["error"].pop("where", None)
        except BaseException as error:  # a scenario that cannot even be loaded is reported, never kills the worker
            answer = {"fatal": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer, default=repr) + "\n")


def _consume_once_only_notices(wk) -> None:
    """Trigger the reference's once-per-process notices (e.g. "[INFO] Downsampling uses the numpy implementation")
    before the first scenario, so whether a scenario sees them does not depend on the scenarios run before it."""
    import tempfile

    import numpy as np

    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = wk.Dataset(Path(folder) / "warm-up", voxel_size=(1, 1, 1))
        for category in ("color", "segmentation"):
            layer = dataset.add_layer(category, category, dtype="uint8", data_format="zarr")
            layer.add_mag(1).write(np.ones((4, 4, 4), "uint8"), allow_resize=True)
            with wk.utils.get_executor("sequential") as executor:
                layer.downsample_mag(wk.Mag(1), wk.Mag(2), executor=executor)


# Guarded: the reference's multiprocessing executors spawn children that import this file as ``__mp_main__``;
# they must not read the harness' requests from the inherited stdin.
if __name__ == "__main__":
    main()
