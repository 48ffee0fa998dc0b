"""CLI commands ``export-as-tiff`` and ``export-wkw-as-tiff``: a layer (mag, box) as a stack of TIFF images.

Both take the reference CLI's arguments and options and run :func:`daedalus.export.export_tiff_stack` on the chosen
executor. SOURCE is a dataset folder, a dataset URL (``s3://``, ``https://`` zarr) or a WEBKNOSSOS dataset link
(opened with ``--token`` and ``--access-mode``). Mistakes (unknown layer, mag or mapping, bad box) exit with 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import click

from .cli_options import BoundingBoxParam, DatasetPath, MagParam, Vec2IntParam, token_option
from .executor_options import executor_from_options, executor_options

ACCESS_MODES = ("zarr_streaming", "direct_path", "proxy_path")
DEFAULT_LAYER_NAME = "color"
EXPORT_DEFAULT_STRATEGY = "threads"
DEFAULT_BATCH_SIZE = 32


class PositiveVec2IntParam(Vec2IntParam):
    """A click type for a pair ``x,y`` of positive integers (tile counts and tile sizes)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """A tuple of two positive ints; a usage error naming the value otherwise."""
        pair = super().convert(value, param, ctx)
        if min(pair) < 1:
            self.fail(f"{value!r} has a value below 1; use two positive integers, e.g. 2,2", param, ctx)
        return pair


def _is_webknossos_link(source: str) -> bool:
    from daedalus.core.remote.urls import is_url

    return is_url(source) and "/datasets/" in source


def open_source(source: str, token: str | None, access_mode: str | None, stack: contextlib.ExitStack) -> Any:
    """The dataset SOURCE names: a WEBKNOSSOS link (opened remotely in a context with ``token``) or a path/URL."""
    from daedalus.core.remote.urls import parse_dataset_url

    from daedalus import Dataset, RemoteAccessMode, RemoteDataset, webknossos_context

    if _is_webknossos_link(source):
        try:
            server = parse_dataset_url(source).webknossos_url
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'SOURCE'") from error
        stack.enter_context(webknossos_context(url=server, token=token))
        mode = RemoteAccessMode(access_mode) if access_mode else None
        return RemoteDataset.open(source, access_mode=mode)
    try:
        return Dataset.open(source)
    except FileNotFoundError as error:
        raise click.BadParameter(str(error), param_hint="'SOURCE'") from error


def _choose_mag_view(dataset: Any, source: str, layer_name: str, mag: Any) -> Any:
    """The MagView of ``layer_name`` at ``mag``; usage errors naming what the dataset has instead."""
    if layer_name not in dataset.layers:
        raise click.BadParameter(
            f"the dataset {source} has no layer {layer_name!r} (it has {', '.join(dataset.layers) or 'none'})",
            param_hint="'--layer-name'",
        )
    layer = dataset.get_layer(layer_name)
    if mag not in layer.mags:
        have = ", ".join(m.to_layer_name() for m in sorted(layer.mags)) or "none"
        raise click.BadParameter(
            f"the layer {layer_name!r} has no mag {mag.to_layer_name()} (it has {have})", param_hint="'--mag'"
        )
    return layer.get_mag(mag)


def _check_mapping(mag_view: Any, apply_mapping: str | None) -> None:
    """Usage errors for ``--apply-mapping`` on a color layer or with an unknown attachment name."""
    if apply_mapping is None:
        return
    layer = mag_view.layer
    if layer.category != "segmentation":
        raise click.BadParameter(
            f"a mapping applies to segmentation layers only, but {layer.name!r} is a {layer.category!r} layer",
            param_hint="'--apply-mapping'",
        )
    names = [attachment.name for attachment in layer.attachments.agglomerates]
    if apply_mapping not in names:
        raise click.BadParameter(
            f"the layer {layer.name!r} has no agglomerate attachment {apply_mapping!r} "
            f"(it has {', '.join(names) or 'none'})",
            param_hint="'--apply-mapping'",
        )


def _export_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and options of both export commands, in the reference's order."""
    options = [
        click.argument("source", type=DatasetPath()),
        click.argument("target", type=click.Path(file_okay=False)),
        click.option(
            "--layer-name",
            default=DEFAULT_LAYER_NAME,
            show_default=True,
            help="The layer to export (color or segmentation).",
        ),
        click.option(
            "--bbox",
            type=BoundingBoxParam(),
            default=None,
            help="Mag(1) box to export as x,y,z,width,height,depth (default: the layer's box). Parts outside the "
            "data are written as 0.",
        ),
        click.option(
            "--mag",
            type=MagParam(),
            default="1",
            show_default=True,
            help="The mag to export: a number or hyphen-separated numbers, e.g. 2 or 2-2-1.",
        ),
        click.option("--name", default=None, help="Prefix of the file names: NAME_000000.tiff, ..."),
        click.option(
            "--downsample",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Shrink every image by this factor in x and y (bilinear).",
        ),
        click.option(
            "--apply-mapping",
            default=None,
            help="Name of an agglomerate attachment of the segmentation layer: segment ids are replaced by their "
            "agglomerate ids before the export.",
        ),
        click.option(
            "--tiles-per-dimension",
            type=PositiveVec2IntParam(),
            default=None,
            help="Cut every slice into this many tiles along x and y, e.g. 4,4 (files SLICE/ROW/COLUMN.tiff). "
            "Wins over --tile-size.",
        ),
        click.option(
            "--tile-size",
            type=PositiveVec2IntParam(),
            default=None,
            help="Cut every slice into tiles of this width and height, e.g. 512,512 (edge tiles padded with 0).",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(min=1),
            default=DEFAULT_BATCH_SIZE,
            show_default=True,
            help="Number of z-slices one task reads at once.",
        ),
    ]
    command = click.option(
        "--access-mode",
        type=click.Choice(ACCESS_MODES),
        default=None,
        help="How the data of a WEBKNOSSOS dataset link is read (default: zarr_streaming).",
    )(command)
    command = token_option("Used when SOURCE is a WEBKNOSSOS dataset link.")(command)
    # Threads by default: decoding and TIFF encoding release the GIL, so threads use every core without the
    # start-up of worker processes (the output is the same; docs/divergences.md).
    command = executor_options(command, default_strategy=EXPORT_DEFAULT_STRATEGY)
    for option in reversed(options):
        command = option(command)
    return command


def run_export(
    source: str,
    target: str,
    layer_name: str,
    bbox: Any,
    mag: Any,
    name: str | None,
    downsample: int,
    apply_mapping: str | None,
    tiles_per_dimension: tuple[int, int] | None,
    tile_size: tuple[int, int] | None,
    batch_size: int,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
    token: str | None,
    access_mode: str | None,
) -> None:
    """Open SOURCE, check the options against it, export and print one line naming what was written."""
    from daedalus.core.errors import InvalidArgumentError

    from daedalus.export import export_tiff_stack

    with contextlib.ExitStack() as stack:
        dataset = open_source(source, token, access_mode, stack)
        mag_view = _choose_mag_view(dataset, source, layer_name, mag)
        _check_mapping(mag_view, apply_mapping)
        with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
            try:
                stack_info = export_tiff_stack(
                    mag_view,
                    target,
                    bbox=bbox,
                    name=name,
                    downsample=downsample,
                    mapping=apply_mapping,
                    tile_size=tile_size,
                    tiles_per_dimension=tiles_per_dimension,
                    batch_size=batch_size,
                    executor=executor,
                )
            except InvalidArgumentError as error:
                raise click.UsageError(str(error)) from error
    width, height = stack_info.image_size
    click.echo(
        f"Wrote {stack_info.num_files} TIFF files ({width}x{height} pixels, {stack_info.dtype}) to {stack_info.target}"
    )


@click.command("export-as-tiff")
@_export_options
def export_as_tiff_command(**options: Any) -> None:
    """Export a layer of the dataset SOURCE to TIFF images in the folder TARGET (one per z-slice, or tiles).

    Files are 000000.tiff, 000001.tiff, ... (NAME_000000.tiff with --name), numbered by Mag(1) slice from the
    first slice of the box; with tiles, SLICE/ROW/COLUMN.tiff (rows and columns from 1).
    """
    run_export(**options)


@click.command("export-wkw-as-tiff")
@_export_options
def export_wkw_as_tiff_command(**options: Any) -> None:
    """Export a layer of the dataset SOURCE to TIFF images in TARGET (the same as export-as-tiff)."""
    run_export(**options)


COMMANDS = (export_as_tiff_command, export_wkw_as_tiff_command)
