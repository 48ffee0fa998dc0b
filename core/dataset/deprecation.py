"""DeprecationWarning helper for API names kept for compatibility."""

from __future__ import annotations

import warnings


def deprecated(old: str, new: str) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (pointing at the caller's caller)."""
    warnings.warn(f"{old} is deprecated; use {new} instead.", DeprecationWarning, stacklevel=3)
