"""Retrying calls that fail with a transient server error (too many requests, bad gateway, ...)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

DEFAULT_NUM_RETRIES = 20
"""How often `call_with_retries` tries by default."""
DEFAULT_BACKOFF_FACTOR = 1.75
"""Growth of the pause between two tries of `call_with_retries`."""

TRANSIENT_ERRORS = ("too many requests", "bad gateway", "gateway timeout", "service unavailable")
"""Lower-case parts of an error message that mark a failure worth retrying."""

ReturnType = TypeVar("ReturnType")
logger = logging.getLogger("daedalus.utils")


def call_with_retries(
    fn: Callable[[], ReturnType],
    num_retries: int = DEFAULT_NUM_RETRIES,
    description: str = "",
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
) -> ReturnType:
    """``fn()``, tried up to ``num_retries`` times while it fails with a transient server error.

    Any other error is raised at once. Between tries it sleeps ``backoff_factor ** (try - 1)`` seconds, scaled by
    a random factor in [0.5, 1.5) so that parallel clients do not retry in lockstep.
    """
    for attempt in range(1, num_retries + 1):
        try:
            return fn()
        except Exception as error:
            if not any(part in str(error).lower() for part in TRANSIENT_ERRORS):
                raise
            if attempt == num_retries:
                logger.warning(f"{description} failed after {num_retries} attempts.")
                raise
            logger.warning(f"{description} attempt {attempt}/{num_retries} failed, retrying...Error was: {error}")
            time.sleep(random.uniform(0.5, 1.5) * backoff_factor ** (attempt - 1))
    raise ValueError(f"num_retries must be at least 1, got {num_retries}")
