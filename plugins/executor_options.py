"""Reusable CLI options choosing an executor (``--distribution-strategy``, ``--jobs``, ``--job-resources``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from .manager import get_plugin_manager

DEFAULT_STRATEGY = "multiprocessing"


def executor_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--distribution-strategy``, ``--jobs`` and ``--job-resources`` to a click command."""
    names = get_plugin_manager().executor_names()
    options = [
        click.option(
            "--distribution-strategy",
            type=click.Choice(names),
            default=DEFAULT_STRATEGY if DEFAULT_STRATEGY in names else names[0],
            show_default=True,
            help="Executor that runs the chunk tasks.",
        ),
        click.option(
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Maximum number of parallel workers (default: the number of CPUs; for slurm: unlimited).",
        ),
        click.option(
            "--job-resources",
            default=None,
            metavar="JSON",
            help='Per-job resources for cluster executors as JSON, e.g. \'{"mem": "10G", "time": "1:00:00"}\'.',
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def executor_from_options(distribution_strategy: str, jobs: int | None, job_resources: str | None) -> Any:
    """Build the executor chosen by the options of ``executor_options`` (use it as a context manager)."""
    kwargs: dict[str, Any] = {"max_workers": jobs}
    if job_resources:
        try:
            resources = json.loads(job_resources)
        except json.JSONDecodeError as error:
            message = f"not valid JSON ({error}): {job_resources!r}"
            raise click.BadParameter(message, param_hint="--job-resources") from error
        if not isinstance(resources, dict):
            raise click.BadParameter(
                f'expected a JSON object such as \'{{"mem": "1G"}}\', got {job_resources!r}',
                param_hint="--job-resources",
            )
        kwargs["job_resources"] = resources
    return get_plugin_manager().executor(distribution_strategy, **kwargs)
