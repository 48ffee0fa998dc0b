"""JsonSource: type and key checks on decoded JSON that raise DatasetPropertiesError naming file and key."""

from __future__ import annotations

import math

from .errors import DatasetPropertiesError
from .names import name_problem


class JsonSource:
    """Where decoded JSON came from; checks keys and types and raises DatasetPropertiesError naming them."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def error(
        self, key: str | None, message: str, error_type: type[DatasetPropertiesError] = DatasetPropertiesError
    ) -> DatasetPropertiesError:
        """A DatasetPropertiesError (or the subclass ``error_type``) for ``key`` of this source."""
        return error_type(message, self.path, key)

    def require(self, obj: dict, key: str, where: str) -> object:
        """``obj[key]``; raise if the key is missing."""
        if key not in obj:
            raise self.error(_join(where, key), "required key is missing.")
        return obj[key]

    def mapping(self, value: object, where: str) -> dict:
        """``value`` if it is a JSON object; raise otherwise."""
        if not isinstance(value, dict):
            raise self.error(where, f"expected a JSON object, got {_kind(value)}.")
        return value

    def array(self, value: object, where: str) -> list:
        """``value`` if it is a JSON array; raise otherwise."""
        if not isinstance(value, list):
            raise self.error(where, f"expected a JSON array, got {_kind(value)}.")
        return value

    def integer(self, value: object, where: str) -> int:
        """``value`` as int if it is a whole number (``2`` or ``2.0``); raise otherwise."""
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise self.error(where, f"expected an integer, got {value!r}.")
        if int(value) != value:
            raise self.error(where, f"expected an integer, got {value!r}.")
        return int(value)

    def integers(self, value: object, where: str, length: int | None = None) -> list[int]:
        """``value`` as a list of ints (of ``length`` entries if given); raise otherwise."""
        items = self.array(value, where)
        if length is not None and len(items) != length:
            raise self.error(where, f"expected {length} integers, got {value!r}.")
        return [self.integer(item, f"{where}[{i}]") for i, item in enumerate(items)]

    def at_least(self, value: int, minimum: int, where: str, fix: str) -> int:
        """``value`` if it is at least ``minimum``; raise naming the value and how to ``fix`` it otherwise."""
        if value < minimum:
            raise self.error(where, f"must be at least {minimum}, got {value!r}; {fix}")
        return value

    def name(
        self, value: object, where: str, what: str, error_type: type[DatasetPropertiesError] = DatasetPropertiesError
    ) -> str:
        """``value`` if it is a string that may name a folder or file inside the dataset (see ``names``)."""
        text = self.string(value, where)
        problem = name_problem(text)
        if problem is not None:
            fix = f"Rename the {what} in the file (and its folder or file on disk)."
            raise self.error(where, f"{text!r} is not a valid {what} name: {problem}. {fix}", error_type)
        return text

    def string(self, value: object, where: str) -> str:
        """``value`` if it is a string; raise otherwise."""
        if not isinstance(value, str):
            raise self.error(where, f"expected a string, got {value!r}.")
        return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", type(None): "null"}.get(type(value), repr(value))
