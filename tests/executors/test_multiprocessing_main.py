"""The multiprocessing executor runs functions defined in ``__main__``: from ``python -`` and unguarded scripts."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import daedalus as wk

    class Point:
        def __init__(self, value):
            self.value = value

    def square(value):
        return value * value

    offset = 100
    with wk.get_executor("multiprocessing", max_workers=2) as executor:
        print(sorted(executor.map_unordered(square, [1, 2, 3])))
        print(list(executor.map(lambda value: value + offset, [1, 2])))
        print(executor.submit(square, 7).result())
        print([point.value for point in executor.map(Point, [5, 6])])
    """
)
EXPECTED = ["[1, 4, 9]", "[101, 102]", "49", "[5, 6]"]


def test_functions_defined_in_main_run_from_stdin() -> None:
    completed = subprocess.run(
        [sys.executable, "-"], input=SCRIPT, capture_output=True, text=True, timeout=120, cwd="/"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split("\n")[:4] == EXPECTED


def test_a_script_without_main_guard_is_not_rerun_in_the_workers(tmp_path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT)
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split("\n")[:4] == EXPECTED
    assert completed.stdout.count("[1, 4, 9]") == 1
