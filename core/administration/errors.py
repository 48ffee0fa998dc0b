"""Errors of the administration classes: unknown ids and names, and task creations that (partly) failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from daedalus.core.client.errors import ApiClientError, UnexpectedStatusError


class NotFoundError(UnexpectedStatusError, LookupError, ValueError):
    """The server knows no such user, team, project, task or task type (HTTP 404), or hides it from this token."""


class NoSuchItemError(KeyError, ValueError):
    """No item of that name or id is among those the server listed for the current user."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class TaskCreationError(RuntimeError):
    """The server created none of the requested tasks; ``errors`` holds its reason for each."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


@contextmanager
def not_found_as(what: Callable[[], str], hint: str) -> Iterator[None]:
    """Turn a 404 reply inside the block into a NotFoundError naming ``what()`` was asked and ``hint``."""
    try:
        yield
    except ApiClientError as error:
        if error.status_code != 404:
            raise
        raise NotFoundError(
            error.method,
            error.url,
            error.status_code,
            error.server_message,
            f"{what()} does not exist or is not visible to the current user: {hint}",
        ) from None


class TaskParameterError(ValueError, AssertionError):
    """Task.create or Task.create_from_annotations was called without a dataset or without annotations."""
