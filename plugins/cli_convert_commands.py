"""The conversion commands ``convert``, ``convert-raw``, ``convert-zarr`` and ``convert-knossos``.

Each takes the reference CLI's arguments and options and is a thin layer over the Python API: ``Dataset.from_images``
for image stacks, ``daedalus.conversion.convert_raw`` / ``convert_zarr`` / ``convert_knossos`` for the others, then
``Layer.downsample`` unless ``--no-downsample``. A source that cannot be imported, a target that is in the way or a
bad option value is a usage error (one line, exit 2); a failure of the work itself exits with 1.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .cli_commands import INTERPOLATION_MODES
from .cli_options import (
    CATEGORY_NAMES,
    DATA_FORMAT_NAMES,
    DtypeParam,
    FlipAxesParam,
    MagParam,
    RescaleValuesParam,
    Vec3IntParam,
    VoxelSizeParam,
    token_option,
    unit_names,
    url_option,
)
from .executor_options import executor_from_options, executor_options

DEFAULT_WEBKNOSSOS_URL = "https://webknossos.org"
TRANSFER_MODES = ("http", "move+symlink", "symlink", "copy")
SAMPLING_MODES = ("anisotropic", "isotropic", "constant_z")

# --------------------------------------------------------------------------- shared options


def _apply(command: Callable[..., Any], options: list[Any]) -> Callable[..., Any]:
    for option in reversed(options):
        command = option(command)
    return command


def voxel_size_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--voxel-size`` (required) and ``--unit``."""
    return _apply(
        command,
        [
            click.option(
                "--voxel-size",
                type=VoxelSizeParam(),
                required=True,
                help="Size of one source voxel in --unit: x,y,z separated by commas, e.g. 11.24,11.24,25.",
            ),
            click.option(
                "--unit",
                type=click.Choice(unit_names(), case_sensitive=False),
                default="nanometer",
                show_default=True,
                help="Length unit of --voxel-size.",
            ),
        ],
    )


def data_format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data-format``."""
    return click.option(
        "--data-format",
        type=click.Choice(DATA_FORMAT_NAMES),
        default="zarr3",
        show_default=True,
        help="Storage format of the new layer.",
    )(command)


def shape_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--chunk-shape``, ``--shard-shape`` and the deprecated ``--chunks-per-shard``."""
    return _apply(
        command,
        [
            click.option(
                "--chunk-shape",
                type=Vec3IntParam(),
                default="32",
                show_default=True,
                help="Voxels per chunk of the new layer: one number for all axes or x,y,z, e.g. 32 or 32,32,32.",
            ),
            click.option(
                "--shard-shape",
                type=Vec3IntParam(),
                default=None,
                help="Voxels per shard (a multiple of the chunk shape), e.g. 1024 or 1024,1024,1024 "
                "(default: the format's default).",
            ),
            click.option(
                "--chunks-per-shard",
                type=Vec3IntParam(),
                default=None,
                help="Deprecated: give --shard-shape instead. Chunks per shard, e.g. 32 or 32,32,32.",
            ),
        ],
    )


def flip_axes_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--flip-axes``."""
    return click.option(
        "--flip-axes",
        type=FlipAxesParam(),
        default=None,
        help="Axes to reverse, as indices of (c, x, y, z) separated by commas: 1,2,3 flips x, y and z; 1 flips x only.",
    )(command)


def downsample_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--compress``, ``--downsample``, ``--max-mag``, ``--interpolation-mode`` and ``--sampling-mode``."""
    return _apply(
        command,
        [
            click.option(
                "--compress/--no-compress", default=True, show_default=True, help="Compress the chunks written."
            ),
            click.option(
                "--downsample/--no-downsample",
                default=True,
                show_default=True,
                help="Add downsampled mags after the conversion.",
            ),
            click.option(
                "--max-mag",
                type=MagParam(),
                default=None,
                help="Coarsest mag to downsample to: a number or hyphen-separated numbers, e.g. 8 or 8-8-4 "
                "(default: derived from the layer's bounding box).",
            ),
            click.option(
                "--interpolation-mode",
                type=click.Choice(INTERPOLATION_MODES, case_sensitive=False),
                default="default",
                show_default=True,
                help="How voxels are combined when downsampling; default is mode for segmentation layers and median "
                "otherwise.",
            ),
            click.option(
                "--sampling-mode",
                type=click.Choice(SAMPLING_MODES, case_sensitive=False),
                default="anisotropic",
                show_default=True,
                help="How the downsampled mags are chosen.",
            ),
        ],
    )


def overwrite_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--overwrite-existing``."""
    return click.option(
        "--overwrite-existing/--no-overwrite-existing",
        default=False,
        help="Delete TARGET first if it exists. Its whole content is lost.",
    )(command)


# --------------------------------------------------------------------------- helpers


def voxel_size_with_unit(voxel_size: tuple[float, float, float], unit: str) -> Any:
    """The VoxelSize of ``--voxel-size`` and ``--unit``."""
    from daedalus.core.properties import VoxelSize

    return VoxelSize(voxel_size, unit.lower())


def shard_shape_of(chunk_shape: Any, shard_shape: Any, chunks_per_shard: Any) -> Any:
    """The shard shape from ``--shard-shape`` or the deprecated ``--chunks-per-shard`` (which warns)."""
    if chunks_per_shard is None:
        if shard_shape is not None and any(s % c for s, c in zip(shard_shape, chunk_shape)):
            raise click.BadParameter(
                f"{','.join(map(str, shard_shape))} is not a multiple of the chunk shape "
                f"{','.join(map(str, chunk_shape))}",
                param_hint="'--shard-shape'",
            )
        return shard_shape
    if shard_shape is not None:
        raise click.BadParameter(
            "give --shard-shape or the deprecated --chunks-per-shard, not both", param_hint="'--chunks-per-shard'"
        )
    click.echo(
        "Warning: --chunks-per-shard is deprecated; use --shard-shape "
        f"{','.join(str(v) for v in chunk_shape * chunks_per_shard)} instead.",
        err=True,
    )
    return chunk_shape * chunks_per_shard


def _is_inside(inner: Path, outer: Path) -> bool:
    try:
        inner.resolve().relative_to(outer.resolve())
    except ValueError:
        return False
    return True


def prepare_target(target: str, sources: list[str], overwrite_existing: bool) -> None:
    """Delete TARGET for ``--overwrite-existing`` (refusing when a source lies inside it)."""
    if not overwrite_existing or "://" in target:
        if overwrite_existing:
            raise click.BadParameter(
                "--overwrite-existing deletes local folders only; delete the remote target yourself",
                param_hint="'--overwrite-existing'",
            )
        return
    path = Path(target)
    if not path.exists() and not path.is_symlink():
        return
    for source in sources:
        if "://" not in source and _is_inside(Path(source), path):
            raise click.BadParameter(
                f"--overwrite-existing would delete {path}, which holds the source {source}; choose another TARGET",
                param_hint="'TARGET'",
            )
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def check_new_target(target: str) -> None:
    """Refuse a TARGET that exists and is not empty (for ``convert``, which creates a new dataset)."""
    if "://" in target:
        return
    path = Path(target)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise click.BadParameter(
            f"{path} exists and is not empty; choose a new folder or pass --overwrite-existing to replace it",
            param_hint="'TARGET'",
        )


@contextmanager
def conversion_errors() -> Iterator[None]:
    """Turn the errors of a bad source or of a target in the way into usage errors (exit 2)."""
    from daedalus.core.conversion import ConversionInputError
    from daedalus.core.dataset.image_errors import ImageConversionError
    from daedalus.core.errors import DatasetMismatchError, LayerExistsError

    try:
        yield
    except (ConversionInputError, ImageConversionError) as error:
        raise click.BadParameter(str(error), param_hint="'SOURCE'") from error
    except (LayerExistsError, DatasetMismatchError, FileExistsError) as error:
        message = error.args[0] if error.args else str(error)
        raise click.BadParameter(
            f"{message} (pass --overwrite-existing to replace TARGET)", param_hint="'TARGET'"
        ) from error


@contextmanager
def batch_size_errors() -> Iterator[None]:
    """Turn the images import's refusal of ``batch_size`` into a usage error of ``--batch-size`` (exit 2)."""
    try:
        yield
    except ValueError as error:
        if str(error).startswith("batch_size="):
            raise click.BadParameter(str(error), param_hint="'--batch-size'") from error
        raise


def downsample_layer(layer: Any, options: dict[str, Any], executor: Any) -> None:
    """Add the downsampled mags chosen by the downsample options to ``layer``."""
    layer.downsample(
        coarsest_mag=options["max_mag"],
        interpolation_mode=options["interpolation_mode"].lower(),
        sampling_mode=options["sampling_mode"].lower(),
        compress=options["compress"],
        executor=executor,
    )


def report(source: str, target: str, layers: list[Any]) -> None:
    """Print what was written: one line per layer with dtype, box and mags."""
    click.echo(f"Converted {source} into {target}")
    for layer in layers:
        mags = ", ".join(mag.to_layer_name() for mag in sorted(layer.mags))
        click.echo(f"{layer.name}: {layer.category} {layer.dtype} box {layer.bounding_box}, mags {mags}")


# --------------------------------------------------------------------------- convert-raw


@click.command("convert-raw")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@click.option(
    "--shape",
    type=Vec3IntParam(),
    required=True,
    help="Size of the raw volume in voxels, x,y,z separated by commas, e.g. 1024,1024,512.",
)
@voxel_size_options
@click.option(
    "--dtype", type=DtypeParam(), default="uint8", show_default=True, help="Voxel type of the new layer, e.g. uint16."
)
@click.option(
    "--source-dtype",
    type=DtypeParam(),
    default=None,
    help="Voxel type stored in the raw file, e.g. uint16 (default: --dtype).",
)
@click.option(
    "--order",
    type=click.Choice(["C", "F"]),
    default="F",
    show_default=True,
    help="Voxel order of the file, axes x, y, z: F (Fortran order, x varies fastest) or C (C order, z fastest).",
)
@click.option("--layer-name", default="color", show_default=True, help="Name of the new (color) layer.")
@click.option(
    "--rescale-min-max",
    type=RescaleValuesParam(),
    default=None,
    help="Map the source values min..max linearly to 0..the largest value of --dtype (1.0 for floats), e.g. "
    "0.2,0.8; integer results outside that range are clipped.",
)
@data_format_option
@shape_options
@flip_axes_option
@downsample_options
@overwrite_option
@executor_options
def convert_raw_command(
    source: str,
    target: str,
    shape: Any,
    voxel_size: tuple[float, float, float],
    unit: str,
    dtype: Any,
    source_dtype: Any,
    order: str,
    layer_name: str,
    rescale_min_max: tuple[float, float] | None,
    data_format: str,
    chunk_shape: Any,
    shard_shape: Any,
    chunks_per_shard: Any,
    flip_axes: tuple[int, ...] | None,
    overwrite_existing: bool,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
    **downsampling: Any,
) -> None:
    """Convert the raw binary volume SOURCE (voxels only, no header) into a layer of the dataset at TARGET.

    TARGET is created, or extended by the layer if it holds a dataset with the same voxel size.
    """
    from daedalus.core.conversion import convert_raw

    shard = shard_shape_of(chunk_shape, shard_shape, chunks_per_shard)
    _convert_one_layer(
        source,
        target,
        overwrite_existing,
        (distribution_strategy, jobs, job_resources),
        downsampling,
        lambda executor: convert_raw(
            source,
            target,
            shape=shape,
            layer_name=layer_name,
            source_dtype=source_dtype,
            target_dtype=dtype,
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard,
            order=order,
            voxel_size_with_unit=voxel_size_with_unit(voxel_size, unit),
            flip_axes=flip_axes,
            compress=downsampling["compress"],
            rescale_min_max=rescale_min_max,
            executor=executor,
        ),
    )


def _convert_one_layer(
    source: str,
    target: str,
    overwrite_existing: bool,
    executor_choice: tuple[str, int | None, dict[str, Any] | None],
    downsampling: dict[str, Any],
    convert: Any,
) -> None:
    """Prepare TARGET, run ``convert(executor)`` (it returns the new mag view), downsample if asked, report."""
    prepare_target(target, [source], overwrite_existing)
    with executor_from_options(*executor_choice) as executor:
        with conversion_errors():
            mag_view = convert(executor)
        if downsampling["downsample"]:
            downsample_layer(mag_view.layer, downsampling, executor)
    report(source, target, [mag_view.layer])


# --------------------------------------------------------------------------- convert-zarr


@click.command("convert-zarr")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@voxel_size_options
@click.option("--layer-name", default="color", show_default=True, help="Name of the new layer.")
@click.option(
    "--is-segmentation-layer/--no-is-segmentation-layer",
    default=False,
    show_default=True,
    help="Make the new layer a segmentation layer (its largest segment id is computed).",
)
@data_format_option
@shape_options
@flip_axes_option
@downsample_options
@overwrite_option
@executor_options
def convert_zarr_command(
    source: str,
    target: str,
    voxel_size: tuple[float, float, float],
    unit: str,
    layer_name: str,
    is_segmentation_layer: bool,
    data_format: str,
    chunk_shape: Any,
    shard_shape: Any,
    chunks_per_shard: Any,
    flip_axes: tuple[int, ...] | None,
    overwrite_existing: bool,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
    **downsampling: Any,
) -> None:
    """Convert the zarr array SOURCE (zarr v3 or v2; x,y,z or c,x,y,z) into a layer of the dataset at TARGET.

    The array's dimension names, when it has them, say which axis is which. TARGET is created, or extended by the
    layer if it holds a dataset with the same voxel size.
    """
    from daedalus.core.conversion import convert_zarr

    shard = shard_shape_of(chunk_shape, shard_shape, chunks_per_shard)
    _convert_one_layer(
        source,
        target,
        overwrite_existing,
        (distribution_strategy, jobs, job_resources),
        downsampling,
        lambda executor: convert_zarr(
            source,
            target,
            layer_name=layer_name,
            data_format=data_format,
            chunk_shape=chunk_shape,
            shard_shape=shard,
            is_segmentation_layer=is_segmentation_layer,
            voxel_size_with_unit=voxel_size_with_unit(voxel_size, unit),
            flip_axes=flip_axes,
            compress=downsampling["compress"],
            executor=executor,
        ),
    )


# --------------------------------------------------------------------------- convert-knossos


@click.command("convert-knossos")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@click.option("--layer-name", default="color", show_default=True, help="Name of the new (color) layer.")
@voxel_size_options
@click.option(
    "--dtype", type=DtypeParam(), default="uint8", show_default=True, help="Voxel type of the cubes, e.g. uint16."
)
@data_format_option
@shape_options
@click.option(
    "--mag",
    type=MagParam(),
    default="1",
    show_default=True,
    help="Mag of the cubes (the mag the new layer gets): a number or hyphen-separated numbers, e.g. 2 or 2-2-1.",
)
@executor_options
def convert_knossos_command(
    source: str,
    target: str,
    layer_name: str,
    voxel_size: tuple[float, float, float],
    unit: str,
    dtype: Any,
    data_format: str,
    chunk_shape: Any,
    shard_shape: Any,
    chunks_per_shard: Any,
    mag: Any,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Convert one magnification of a KNOSSOS cube dataset into a layer of the dataset at TARGET.

    SOURCE is the magnification folder holding x*/y*/z*/*.raw cubes of 128³ voxels (e.g. .../mag1). TARGET is
    created, or extended by the layer if it holds a dataset with the same voxel size.
    """
    from daedalus.core.conversion import convert_knossos

    shard = shard_shape_of(chunk_shape, shard_shape, chunks_per_shard)
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        with conversion_errors():
            mag_view = convert_knossos(
                source,
                target,
                layer_name=layer_name,
                dtype=dtype,
                voxel_size_with_unit=voxel_size_with_unit(voxel_size, unit),
                data_format=data_format,
                chunk_shape=chunk_shape,
                shard_shape=shard,
                mag=mag,
                executor=executor,
            )
    report(source, target, [mag_view.layer])


# --------------------------------------------------------------------------- convert (image stacks)


def _upload(dataset: Any, name: str, webknossos_url: str, token: str, folder: str | None) -> Any:
    from daedalus.core.client.context import webknossos_context
    from daedalus.core.client.errors import ApiClientError
    from daedalus.core.remote import RemoteFolder
    from daedalus.core.remote.upload import UploadError

    with webknossos_context(url=webknossos_url, token=token):
        try:
            remote_folder = None
            if folder is not None:
                try:
                    remote_folder = RemoteFolder.get_by_path(folder)
                except KeyError as error:
                    message = error.args[0] if error.args else str(error)
                    raise click.BadParameter(message, param_hint="'--folder'") from error
            return dataset.upload(new_dataset_name=name, folder=remote_folder)
        except (ApiClientError, UploadError) as error:
            raise click.ClickException(str(error) or type(error).__name__) from error


def _check_upload_options(target: str | None, upload: bool, token: str | None, transfer_mode: str) -> None:
    if upload:
        if target is not None:
            raise click.BadParameter(
                "with --upload the dataset is written to a temporary folder and uploaded; give no TARGET",
                param_hint="'TARGET'",
            )
        if not token:
            raise click.BadParameter(
                "--upload needs a token: pass --token or set WK_TOKEN (see https://webknossos.org/account/token)",
                param_hint="'--token'",
            )
        if transfer_mode.lower() != "http":
            raise click.BadParameter(
                f"{transfer_mode!r} needs direct access to the datastore's file system, which daedalus does not "
                "support; use --transfer-mode http",
                param_hint="'--transfer-mode'",
            )
    elif target is None:
        raise click.BadParameter("give TARGET, the folder for the new dataset, or --upload", param_hint="'TARGET'")


@click.command("convert")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="[TARGET]", required=False)
@voxel_size_options
@click.option(
    "--layer-name",
    default=None,
    help="Name of the layer if one is created; with several layers, the prefix of their names "
    "(default: derived from the files).",
)
@click.option("--category", type=click.Choice(CATEGORY_NAMES), default=None, help="Category of the new layers.")
@data_format_option
@click.option(
    "--name",
    default=None,
    help="Name of the dataset (default: the last part of TARGET; with --upload, the name of SOURCE).",
)
@shape_options
@downsample_options
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Slices read and written per task (a multiple of the shard depth, or of the chunk depth with "
    "--no-compress; default: one shard).",
)
@overwrite_option
@click.option(
    "--upload/--no-upload",
    default=False,
    show_default=True,
    help="Write the dataset to a temporary folder and upload it to WEBKNOSSOS (needs --token; give no TARGET).",
)
@url_option("URL of the WEBKNOSSOS instance for --upload.", DEFAULT_WEBKNOSSOS_URL)
@token_option("Needed for --upload.")
@click.option(
    "--folder",
    default=None,
    help="WEBKNOSSOS folder for --upload, as a path separated by '/', e.g. Datasets/mySubfolder (default: the root).",
)
@click.option(
    "--transfer-mode",
    type=click.Choice(TRANSFER_MODES, case_sensitive=False),
    default="http",
    show_default=True,
    help="How --upload sends the files; daedalus supports http only.",
)
@executor_options
def convert_command(
    source: str,
    target: str | None,
    voxel_size: tuple[float, float, float],
    unit: str,
    layer_name: str | None,
    category: str | None,
    data_format: str,
    name: str | None,
    chunk_shape: Any,
    shard_shape: Any,
    chunks_per_shard: Any,
    batch_size: int | None,
    overwrite_existing: bool,
    upload: bool,
    webknossos_url: str,
    token: str | None,
    folder: str | None,
    transfer_mode: str,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
    **downsampling: Any,
) -> None:
    """Convert the image stack SOURCE (a folder of TIFF, PNG, JPEG or MRC files, or one file) into a dataset.

    Files are grouped into layers by folder (or one layer per 3-d file) and stacked along z in natural name order.
    The dataset is written to TARGET, or with --upload to a temporary folder that is uploaded to WEBKNOSSOS.
    """
    import tempfile

    from daedalus.core.dataset import Dataset

    _check_upload_options(target, upload, token, transfer_mode)
    shard = shard_shape_of(chunk_shape, shard_shape, chunks_per_shard)
    if not Path(source).exists() and "://" not in source:
        raise click.BadParameter(
            f"{source} does not exist; give a folder of images or an image file", param_hint="'SOURCE'"
        )
    with tempfile.TemporaryDirectory(prefix="daedalus-convert-") as scratch:
        if upload:
            source_path = Path(source).resolve()
            dataset_name = name or (source_path.name if source_path.is_dir() else source_path.stem)
            output = str(Path(scratch) / dataset_name)
        else:
            assert target is not None
            dataset_name, output = name, target
            prepare_target(target, [source], overwrite_existing)
            check_new_target(target)
        with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
            with conversion_errors(), batch_size_errors():
                dataset = Dataset.from_images(
                    source,
                    output,
                    name=dataset_name,
                    voxel_size_with_unit=voxel_size_with_unit(voxel_size, unit),
                    layer_name=layer_name,
                    layer_category=category,
                    data_format=data_format,
                    chunk_shape=chunk_shape,
                    shard_shape=shard,
                    compress=downsampling["compress"],
                    batch_size=batch_size,
                    executor=executor,
                )
            if downsampling["downsample"]:
                for layer in dataset.layers.values():
                    downsample_layer(layer, downsampling, executor)
        if upload:
            assert token is not None
            remote = _upload(dataset, dataset_name, webknossos_url, token, folder)
            click.echo(f"Uploaded {source} as {dataset_name}: {remote.url}")
            click.echo(f"dataset id: {remote.dataset_id}")
            return
    report(source, output, list(dataset.layers.values()))


COMMANDS = (convert_command, convert_raw_command, convert_zarr_command, convert_knossos_command)
