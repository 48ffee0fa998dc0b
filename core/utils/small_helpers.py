"""Small helpers of the reference's ``webknossos.utils``: names, counts, timers, deprecation warnings, CLI flags."""

from __future__ import annotations

import argparse
import calendar
import inspect
import logging
import time
import warnings
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

logger = logging.getLogger("daedalus.utils")
times: dict[str, float] = {}
"""Start times of the running `time_start` timers, by identifier."""


def snake_to_camel_case(snake_case_name: str) -> str:
    """``"voxel_size_unit"`` -> ``"voxelSizeUnit"`` (empty parts from leading or double underscores vanish)."""
    parts = [part for part in snake_case_name.split("_") if part]
    if not parts:
        return ""
    first = parts[0] if not snake_case_name.startswith("_") else parts[0].capitalize()
    return first + "".join(part.capitalize() for part in parts[1:])


def count_defined_values(values: Iterable[Any]) -> int:
    """How many of ``values`` are not None."""
    return sum(value is not None for value in values)


def time_since_epoch_in_ms() -> int:
    """The current UTC time in whole milliseconds since the epoch, rounded down to the second (as WEBKNOSSOS)."""
    return calendar.timegm(datetime.now(timezone.utc).utctimetuple()) * 1000


def time_start(identifier: str) -> None:
    """Start the timer ``identifier`` (see `time_stop`)."""
    times[identifier] = time.perf_counter()


def time_stop(identifier: str) -> None:
    """Stop the timer ``identifier`` and log how long it ran (KeyError if it was never started)."""
    started = times.pop(identifier)
    logger.debug(f"{identifier} took {time.perf_counter() - started:.8f}s")


def warn_deprecated(deprecated_item: str, alternative_item: str) -> None:
    """Issue a DeprecationWarning that ``deprecated_item`` should be replaced by ``alternative_item``."""
    try:
        caller = inspect.currentframe().f_back.f_back  # the code that called the deprecated item
        where = f" (see {caller.f_code.co_filename}:{caller.f_lineno})"
    except AttributeError:  # no frames (an interpreter without them) or too few
        where = ""
    warnings.warn(
        f"[DEPRECATION] `{deprecated_item}` is deprecated, please use `{alternative_item}` instead{where}",
        DeprecationWarning,
        stacklevel=3,
    )


def setup_warnings() -> None:
    """Show daedalus' DeprecationWarnings (Python hides them outside ``__main__`` by default)."""
    warnings.filterwarnings("default", category=DeprecationWarning, module="daedalus")


def add_verbose_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--verbose`` flag (``args.verbose``, default False) to an argparse parser."""
    parser.add_argument("--verbose", help="Verbose output", dest="verbose", action="store_true")
    parser.set_defaults(verbose=False)
