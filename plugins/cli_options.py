"""Option types and options shared by the CLI commands: paths, mags, boxes, vectors, voxel sizes, formats, server.

Values are written as in the reference CLI: a mag ``2`` or ``2-2-1``, a vector ``32`` or ``32,32,32``, a box
``x,y,z,width,height,depth``, a voxel size ``11.24,11.24,25``. A value that does not parse is a usage error (exit 2)
naming the value and the syntax expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

PROPERTIES_NAME = "datasource-properties.json"
DATA_FORMAT_NAMES = ("wkw", "zarr", "zarr3", "neuroglancerPrecomputed", "n5")
"""The ``--data-format`` choices of the reference CLI."""
CATEGORY_NAMES = ("color", "segmentation")


def unit_names() -> tuple[str, ...]:
    """The ``--unit`` choices: every length unit a dataset's voxel size can have."""
    from daedalus.core.properties.length_unit import LengthUnit

    return tuple(unit.value for unit in LengthUnit)


class DatasetPath(click.ParamType):
    """A click type for the folder of a WEBKNOSSOS dataset: it must exist and hold ``datasource-properties.json``.

    URLs (``s3://...``, ``https://...``) are passed on unchecked.
    """

    name = "DATASET"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The path as given; a usage error naming it when it is not a dataset folder."""
        text = str(value)
        if "://" in text:
            return text
        path = Path(text)
        if not path.exists():
            self.fail(f"{path} does not exist; give the folder of a WEBKNOSSOS dataset", param, ctx)
        if not path.is_dir():
            self.fail(
                f"{path} is a file; give the folder of a WEBKNOSSOS dataset (the one holding {PROPERTIES_NAME})",
                param,
                ctx,
            )
        if not (path / PROPERTIES_NAME).is_file():
            self.fail(
                f"{path} has no {PROPERTIES_NAME}, so it is not a WEBKNOSSOS dataset; give the folder holding it",
                param,
                ctx,
            )
        return text

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        """Shell completion: folders."""
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="dir")]


class MagParam(click.ParamType):
    """A click type for a mag: a number or hyphen-separated numbers (``2``, ``8-8-4``)."""

    name = "MAG"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`Mag`; a usage error naming the value when it is not one."""
        from daedalus import Mag

        if isinstance(value, Mag):
            return value
        try:
            return Mag(str(value))
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a mag; use a number or hyphen-separated numbers, e.g. 8 or 8-8-4", param, ctx)


class BoundingBoxParam(click.ParamType):
    """A click type for ``--bbox``: ``x,y,z,width,height,depth`` (six integers, sizes positive), as the reference."""

    name = "BBOX"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`BoundingBox`; a usage error naming the value when it is not one."""
        from daedalus.core.geometry import BoundingBox

        if isinstance(value, BoundingBox):
            return value
        numbers = comma_numbers(value, int)
        if len(numbers) != 6:
            self.fail(
                f"{value!r} is not a bounding box; use x,y,z,width,height,depth (six integers separated by commas, "
                "e.g. 0,0,0,10,10,10)",
                param,
                ctx,
            )
        if min(numbers[3:]) <= 0:
            self.fail(
                f"{value!r} has a width, height or depth below 1; the box must hold at least one voxel", param, ctx
            )
        return BoundingBox(tuple(numbers[:3]), tuple(numbers[3:]))


def token_option(help_text: str) -> Any:
    """``--token`` (env ``WK_TOKEN``): the WEBKNOSSOS token, as in the reference CLI."""
    return click.option(
        "--token",
        envvar="WK_TOKEN",
        default=None,
        show_envvar=True,
        help=f"Authentication token for the WEBKNOSSOS instance (https://webknossos.org/account/token). {help_text}",
    )


def url_option(help_text: str, default: str | None) -> Any:
    """``--webknossos-url`` (env ``WK_URL``) with ``default``, as in the reference CLI."""
    return click.option(
        "--webknossos-url",
        envvar="WK_URL",
        default=default,
        show_default=default is not None,
        show_envvar=True,
        help=help_text,
    )


def comma_numbers(value: Any, kind: type) -> tuple:
    """``"1, 2,3"`` -> ``(1, 2, 3)`` parsed with ``kind`` (int or float); an empty tuple if a part does not parse."""
    try:
        return tuple(kind(part.strip()) for part in str(value).split(","))
    except ValueError:
        return ()


class Vec3IntParam(click.ParamType):
    """A click type for a 3-vector of integers: one number for all axes (``32``) or three (``32,32,16``)."""

    name = "Vec3Int"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`Vec3Int`; a usage error naming the value when it is not one."""
        from daedalus.core.geometry import Vec3Int

        if isinstance(value, Vec3Int):
            return value
        numbers = comma_numbers(value, int)
        if len(numbers) == 1:
            numbers *= 3
        if len(numbers) != 3:
            self.fail(
                f"{value!r} is not a vector; use one integer or three separated by commas, e.g. 32 or 32,32,32",
                param,
                ctx,
            )
        return Vec3Int(numbers)


class Vec2IntParam(click.ParamType):
    """A click type for a pair of integers ``x,y`` (tile counts and sizes of a TIFF export)."""

    name = "PARSE_VEC2INT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A tuple of two ints; a usage error naming the value when it is not one."""
        if isinstance(value, tuple):
            return value
        numbers = comma_numbers(value, int)
        if len(numbers) != 2:
            self.fail(f"{value!r} is not a pair; use two integers separated by a comma, e.g. 2,2", param, ctx)
        return numbers


class VoxelSizeParam(click.ParamType):
    """A click type for ``--voxel-size``: three positive numbers separated by commas (``11.24,11.24,25``)."""

    name = "VoxelSize"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A tuple of three floats; a usage error naming the value when it is not a voxel size."""
        if isinstance(value, tuple):
            return value
        numbers = comma_numbers(value, float)
        if len(numbers) != 3:
            self.fail(
                f"{value!r} is not a voxel size; use three numbers separated by commas, e.g. 11.0,11.0,20.0", param, ctx
            )
        if min(numbers) <= 0:
            self.fail(f"{value!r} has a size that is not positive; every voxel size must be above 0", param, ctx)
        return numbers


TRANSFER_MODE_NAMES = ("http", "move+symlink", "symlink", "copy")
"""The ``--transfer-mode`` choices of the reference CLI."""
ACCESS_MODE_NAMES = ("zarr_streaming", "direct_path", "proxy_path")
"""The ``--access-mode`` choices of the reference CLI."""


def is_webknossos_dataset_url(text: str) -> bool:
    """Whether ``text`` is the URL of a dataset on a WEBKNOSSOS server (``https://.../datasets/...``)."""
    return text.startswith(("http://", "https://")) and "/datasets/" in text


def remote_dataset_options(command: Any) -> Any:
    """Add the reference CLI's "WEBKNOSSOS context" options: ``--token``, ``--transfer-mode``, ``--access-mode``."""
    options = [
        token_option("Needed when the dataset is a URL to a dataset on a WEBKNOSSOS server that is not public."),
        click.option(
            "--transfer-mode",
            type=click.Choice(TRANSFER_MODE_NAMES, case_sensitive=False),
            default="http",
            show_default=True,
            help="For a dataset on a WEBKNOSSOS server: how new mags reach it. daedalus writes them at the storage "
            "path the server reserves, in every mode, so the datastore's storage must be reachable from here; a mode "
            "other than http also reads the dataset through its storage paths (--access-mode direct_path).",
        ),
        click.option(
            "--access-mode",
            type=click.Choice(ACCESS_MODE_NAMES, case_sensitive=False),
            default=None,
            help="How the data of a dataset on a WEBKNOSSOS server is read (default: direct_path when --transfer-mode "
            "is not http, else what the server offers).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextmanager
def opened_dataset(
    target: str,
    token: str | None = None,
    access_mode: str | None = None,
    transfer_mode: str = "http",
    read_only: bool = False,
) -> Iterator[Any]:
    """Open a command's dataset: a local folder or fsspec URL as a Dataset; a WEBKNOSSOS dataset URL as a
    RemoteDataset, inside a context with ``token`` for the server the URL names."""
    from daedalus import Dataset

    if not is_webknossos_dataset_url(target):
        yield Dataset.open(target, read_only=read_only)
        return
    from daedalus.core.client.context import webknossos_context
    from daedalus.core.remote import RemoteAccessMode, RemoteDataset
    from daedalus.core.remote.urls import parse_dataset_url

    try:
        server = parse_dataset_url(target).webknossos_url
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'TARGET'") from error
    if access_mode is None and transfer_mode.lower() != "http":
        access_mode = "direct_path"
    mode = RemoteAccessMode(access_mode.lower()) if access_mode else None
    with webknossos_context(url=server, token=token):
        yield RemoteDataset.open(target, access_mode=mode, read_only=read_only)


def checked_layer_names(dataset: Any, layer_name: str | None, option: str = "--layer-name") -> list[str]:
    """The layers a command works on: ``layer_name`` (a usage error naming the layers there when the dataset lacks
    it) or every layer."""
    if layer_name is None:
        return list(dataset.layers)
    if layer_name not in dataset.layers:
        raise click.BadParameter(
            f"the dataset {dataset.path} has no layer {layer_name!r} (it has {', '.join(dataset.layers) or 'none'})",
            param_hint=option,
        )
    return [layer_name]


class DtypeParam(click.ParamType):
    """A click type for a numeric voxel type such as ``uint8``, ``uint16``, ``uint32``, ``float32``."""

    name = "DTYPE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The numpy dtype; a usage error naming the value when it is not a numeric type."""
        import numpy as np

        try:
            dtype = np.dtype(str(value))
        except TypeError:
            dtype = None
        if dtype is None or dtype.kind not in "uif":
            self.fail(f"{value!r} is not a voxel type; use e.g. uint8, uint16, uint32, int16 or float32", param, ctx)
        return dtype


class FlipAxesParam(click.ParamType):
    """A click type for ``--flip-axes``: indices into (c, x, y, z) separated by commas, each at most once.

    ``1,2,3`` flips x, y and z (as in the reference); daedalus also takes fewer indices, e.g. ``1`` for x only.
    """

    name = "AXES"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A sorted tuple of distinct indices in 0..3; a usage error naming the value otherwise."""
        if isinstance(value, tuple):
            return value
        axes = comma_numbers(value, int)
        if not axes or any(not 0 <= axis <= 3 for axis in axes) or len(set(axes)) != len(axes):
            self.fail(
                f"{value!r} is not a list of axes; use distinct indices of (c, x, y, z) separated by commas: "
                "1 for x, 2 for y, 3 for z, 0 for the channels (e.g. 1,3 flips x and z)",
                param,
                ctx,
            )
        return tuple(sorted(axes))


class RescaleValuesParam(click.ParamType):
    """A click type for ``--rescale-min-max``: two numbers ``min,max`` with min below max (``0.2,0.8``)."""

    name = "MIN,MAX"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A tuple (min, max) of floats; a usage error naming the value otherwise."""
        if isinstance(value, tuple):
            return value
        numbers = comma_numbers(value, float)
        if len(numbers) != 2 or not numbers[0] < numbers[1]:
            self.fail(
                f"{value!r} is not a value range; use two numbers min,max with min < max, e.g. 0.2,0.8", param, ctx
            )
        return numbers
