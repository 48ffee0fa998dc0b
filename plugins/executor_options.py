"""Reusable CLI options choosing an executor (``--distribution-strategy``, ``--jobs``, ``--job-resources``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from daedalus.core.default_executor import (
    DEFAULT_EXECUTOR,
    ENV_VAR,
    SEQUENTIAL,
    default_executor_name,
    using_default_executor,
)

from .manager import get_plugin_manager

DEFAULT_STRATEGY = None
"""Without ``--distribution-strategy``: the library's default executor (see ``daedalus.core.default_executor``)."""
_LOCAL_POOLS = ("threads", "multiprocessing")


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


def executor_options(
    command: Callable[..., Any], default_strategy: str | None = DEFAULT_STRATEGY
) -> Callable[..., Any]:
    """Add ``--distribution-strategy``, ``--jobs`` and ``--job-resources`` to a click command.

    ``default_strategy`` is the executor used when the option is not given; None: the library's default executor
    (threads on every usable core unless $DAEDALUS_DEFAULT_EXECUTOR names another).
    """
    names = get_plugin_manager().executor_names()
    if default_strategy is None:
        strategy_default: dict[str, Any] = {"default": None}
        shown = f"${ENV_VAR}, else {DEFAULT_EXECUTOR} on every usable core"
    else:
        strategy_default = {
            "default": default_strategy if default_strategy in names else names[0],
            "show_default": True,
        }
        shown = ""
    options = [
        click.option(
            "--distribution-strategy",
            type=click.Choice(names),
            help="Executor that runs the chunk tasks" + (f" (default: {shown})." if shown else "."),
            **strategy_default,
        ),
        click.option(
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Maximum number of parallel workers (default: the usable CPUs; for slurm: unlimited); "
            "--jobs 1 runs the tasks one after another in this process.",
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
    distribution_strategy: str | None, jobs: int | None, job_resources: dict[str, Any] | str | None
) -> Any:
    """The executor chosen by the options of ``executor_options``, as a context manager yielding it.

    It yields None (the library's default executor does the work) when neither a strategy nor ``--jobs`` is
    given, and None with the default set to sequential for ``sequential`` or ``--jobs 1`` on a local pool:
    every task then runs in turn in this thread.
    """
    if isinstance(job_resources, str):
        try:
            job_resources = parse_job_resources(job_resources)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--job-resources") from error
    if distribution_strategy is None and jobs is None:
        return _library_default(None)
    name = distribution_strategy or default_executor_name()
    if name == SEQUENTIAL or (jobs == 1 and name in _LOCAL_POOLS):
        return _library_default(SEQUENTIAL)
    kwargs: dict[str, Any] = {"max_workers": jobs}
    if job_resources:
        kwargs["job_resources"] = job_resources
    return get_plugin_manager().executor(name, **kwargs)


@contextmanager
def _library_default(name: str | None) -> Iterator[None]:
    """Yield None (no executor object) with ``name`` as the default executor inside (None: leave it as it is)."""
    if name is None:
        yield None
        return
    with using_default_executor(name):
        yield None
