"""Built-in plugin: registers the progress bar drawn with rich (imported when a bar is first shown)."""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl


def rich_progress(description: str, total: int) -> Any:
    """A RichProgress bar labelled ``description`` for ``total`` units of work (on standard error)."""
    from daedalus.adapters.rich_progress import RichProgress

    return RichProgress(description, total)


@hookimpl
def daedalus_progress_reporters() -> dict[str, Any]:
    """The rich progress bar, under the name ``rich``."""
    return {"rich": rich_progress}
