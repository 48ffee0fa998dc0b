"""Reusable CLI options choosing an executor (``--distribution-strategy``, ``--jobs``, ``--job-resources``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from .manager import get_plugin_manager

DEFAULT_STRATEGY = "multiprocessing"


def parse_job_resources(text: str) -> dict[str, Any]:
    """``mem=4G,time=1:00:00`` (as the reference CLI takes it) or a JSON object -> a dict; ValueError if neither."""
    text = text.strip()
    if text.startswith(("{", "[", '"')):
        try:
            resources = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{text!r} is not valid JSON ({error})") from None
        if not isinstance(resources, dict):
            raise ValueError(f'expected a JSON object such as \'{{"mem": "1G"}}\', got {text!r}')
        return resources
    resources: dict[str, Any] = {}
    for pair in text.split(","):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(
                f"{text!r} is not a list of resources; use key=value pairs separated by commas, "
                'e.g. mem=4G,time=1:00:00, or a JSON object such as \'{"mem": "4G"}\''
            )
        resources[key.strip()] = value.strip()
    return resources


class JobResources(click.ParamType):
    """A click type for ``--job-resources``: key=value pairs or a JSON object, checked before any work starts."""

    name = "KEY=VALUE,...|JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dict[str, Any]:
        """The resources as a dict; a usage error naming the value otherwise."""
        if isinstance(value, dict):
            return value
        try:
            return parse_job_resources(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def executor_options(command: Callable[..., Any], default_strategy: str = DEFAULT_STRATEGY) -> Callable[..., Any]:
    """Add ``--distribution-strategy``, ``--jobs`` and ``--job-resources`` to a click command.

    ``default_strategy`` is the executor used when the option is not given (multiprocessing, as in the reference).
    """
    names = get_plugin_manager().executor_names()
    options = [
        click.option(
            "--distribution-strategy",
            type=click.Choice(names),
            default=default_strategy if default_strategy in names else names[0],
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
            type=JobResources(),
            default=None,
            help="Resources of each cluster job (slurm): key=value pairs separated by commas, e.g. "
            'mem=10G,time=1:00:00, or a JSON object such as \'{"mem": "10G"}\'.',
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def executor_from_options(
    distribution_strategy: str, jobs: int | None, job_resources: dict[str, Any] | str | None
) -> Any:
    """Build the executor chosen by the options of ``executor_options`` (use it as a context manager)."""
    kwargs: dict[str, Any] = {"max_workers": jobs}
    if isinstance(job_resources, str):
        try:
            job_resources = parse_job_resources(job_resources)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--job-resources") from error
    if job_resources:
        kwargs["job_resources"] = job_resources
    return get_plugin_manager().executor(distribution_strategy, **kwargs)
