"""The ``import-volume`` command: a layer made of an OME-Zarr, precomputed, N5 or zarr volume another tool wrote.

A thin layer over ``daedalus.conversion.import_volume``: the arrays are referenced in place unless ``--copy``.
A source whose metadata cannot be used, or a target in the way, is a usage error (one line, exit 2).
"""

from __future__ import annotations

from typing import Any

import click

from .cli_convert_commands import conversion_errors, shard_shape_of, voxel_size_with_unit
from .cli_options import CATEGORY_NAMES, DATA_FORMAT_NAMES, Vec3IntParam, VoxelSizeParam, unit_names
from .executor_options import executor_from_options, executor_options


@click.command("import-volume")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@click.option(
    "--layer-name", default=None, help="Name of the new layer (default: its category, color or segmentation)."
)
@click.option(
    "--category",
    type=click.Choice(CATEGORY_NAMES),
    default=None,
    help="Layer category (default: segmentation for precomputed segmentations and OME-Zarr labels, else color).",
)
@click.option(
    "--voxel-size",
    type=VoxelSizeParam(),
    default=None,
    help="Voxel size in --unit, x,y,z separated by commas (needed for a plain zarr array; overrides the source's).",
)
@click.option(
    "--unit",
    type=click.Choice(unit_names(), case_sensitive=False),
    default="nanometer",
    show_default=True,
    help="Length unit of --voxel-size.",
)
@click.option(
    "--copy/--reference",
    "copy",
    default=False,
    show_default=True,
    help="Copy the data into TARGET instead of referencing the source's arrays in place.",
)
@click.option(
    "--make-relative/--absolute",
    default=False,
    show_default=True,
    help="Name referenced local arrays relative to TARGET.",
)
@click.option(
    "--data-format",
    type=click.Choice(DATA_FORMAT_NAMES),
    default=None,
    help="Storage format of a copy (default zarr3); --copy only.",
)
@click.option("--chunk-shape", type=Vec3IntParam(), default=None, help="Voxels per chunk of a copy; --copy only.")
@click.option("--shard-shape", type=Vec3IntParam(), default=None, help="Voxels per shard of a copy; --copy only.")
@click.option("--compress/--no-compress", default=True, show_default=True, help="Compress a copy's chunks.")
@executor_options
def import_volume_command(
    source: str,
    target: str,
    layer_name: str | None,
    category: str | None,
    voxel_size: tuple[float, float, float] | None,
    unit: str,
    copy: bool,
    make_relative: bool,
    data_format: str | None,
    chunk_shape: Any,
    shard_shape: Any,
    compress: bool,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Make the volume SOURCE (a folder or URL: OME-Zarr 0.4/0.5, Neuroglancer precomputed, N5, or a zarr array)
    a layer of the dataset TARGET, with the voxel size, offset, mags and voxel type of its metadata.

    TARGET is created, or extended by the layer if it holds a dataset with the same voxel size.
    """
    from daedalus.core.conversion.foreign import import_volume

    if not copy:
        given = [
            name
            for name, value in (
                ("--data-format", data_format),
                ("--chunk-shape", chunk_shape),
                ("--shard-shape", shard_shape),
            )
            if value is not None
        ]
        if given:
            raise click.BadParameter(f"{', '.join(given)} apply to --copy only", param_hint=f"'{given[0]}'")
    if chunk_shape is not None:
        shard_shape = shard_shape_of(chunk_shape, shard_shape, None)
    size = voxel_size_with_unit(voxel_size, unit) if voxel_size is not None else None
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        with conversion_errors():
            layer = import_volume(
                source,
                target,
                layer_name=layer_name,
                category=category,
                copy=copy,
                voxel_size_with_unit=size,
                make_relative=make_relative,
                data_format=data_format,
                chunk_shape=chunk_shape,
                shard_shape=shard_shape,
                compress=compress,
                executor=executor,
            )
    mags = ", ".join(mag.to_layer_name() for mag in sorted(layer.mags))
    how = "Copied" if copy else "Referenced"
    click.echo(f"{how} {source} as layer {layer.name} of {target}")
    click.echo(
        f"{layer.name}: {layer.category} {layer.dtype} {layer.data_format.value} box {layer.bounding_box}, "
        f"mags {mags}, voxel size {layer.dataset.voxel_size_with_unit}"
    )


COMMANDS = (import_volume_command,)
