"""The dataset commands of the reference CLI: ``check-equality``, ``compress``, ``copy-dataset``, ``merge-fallback``,
``upsample`` (plus daedalus' ``info``).

Each takes the reference's arguments and options and is a thin layer over the Python API: ``compare_datasets``,
``MagView.compress``, ``Dataset.copy_dataset``, ``Annotation.merge_fallback_layer``, ``Layer.upsample``. A mistake on
the command line (a layer, mag or path that is not there) exits with 2 before any work starts; long work shows a
progress bar per mag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_info_command import info_command
from .cli_options import (
    DATA_FORMAT_NAMES,
    PROPERTIES_NAME,
    DatasetPath,
    MagParam,
    Vec3IntParam,
    checked_layer_names,
    opened_dataset,
    remote_dataset_options,
)
from .executor_options import executor_from_options, executor_options

SAMPLING_MODES = ("anisotropic", "isotropic", "constant_z")


def _mag_names(layer: Any) -> str:
    return ", ".join(mag.to_layer_name() for mag in sorted(layer.mags))


def _echo_mags(dataset: Any, layer_names: list[str]) -> None:
    for name in layer_names:
        click.echo(f"{name}: mags {_mag_names(dataset.get_layer(name))}")


def _cannot_write(dataset: Any, error: RuntimeError) -> click.ClickException:
    """The one-line failure (exit 1) for a refused change to a remote or read-only dataset."""
    return click.ClickException(str(error) or f"the dataset {dataset.path} cannot be changed")


def _is_remote_or_read_only(dataset: Any) -> bool:
    return bool(getattr(dataset, "read_only", False)) or hasattr(dataset, "url")


# --------------------------------------------------------------------------- check-equality


@click.command("check-equality", short_help="Check whether two WEBKNOSSOS datasets hold the same data.")
@click.argument("source", type=DatasetPath(), metavar="SOURCE")
@click.argument("target", type=DatasetPath(), metavar="TARGET")
@click.option("--layer-name", default=None, help="Compare only this layer (default: every layer).")
@executor_options
def check_equality_command(
    source: str,
    target: str,
    layer_name: str | None,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Check whether the WEBKNOSSOS datasets SOURCE and TARGET hold the same data.

    Compares the layer names, and per layer the bounding box, the mags and the voxel values of every mag (not the
    voxel type, chunking, compression or data format). Prints one line saying whether they are equal and exits with
    0 when they are, 1 when they are not (naming the first difference).
    """
    from daedalus.core.dataset.equality import compare_datasets

    from daedalus import Dataset

    first, second = Dataset.open(source, read_only=True), Dataset.open(target, read_only=True)
    if layer_name is not None and layer_name not in first.layers and layer_name not in second.layers:
        layers = sorted(set(first.layers) | set(second.layers))
        raise click.BadParameter(
            f"neither {source} nor {target} has a layer {layer_name!r} (they have {', '.join(layers) or 'none'})",
            param_hint="--layer-name",
        )
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        result = compare_datasets(first, second, layer_name=layer_name, executor=executor)
    if not result.equal:
        click.echo(f"The datasets are not equal: {result.difference}")
        raise click.exceptions.Exit(1)
    layers = ", ".join(result.layer_names)
    click.echo(f"The datasets {source} and {target} are equal (with regard to the layers: {layers})")


# --------------------------------------------------------------------------- compress


def _mags_to_compress(dataset: Any, layer_names: list[str], mags: tuple[Any, ...]) -> list[Any]:
    """The mag views to work on; a usage error naming the layer and its mags when a --mag is missing."""
    chosen = []
    for name in layer_names:
        layer = dataset.get_layer(name)
        for mag in mags:
            if mag not in layer.mags:
                raise click.BadParameter(
                    f"layer {name!r} has no mag {mag.to_layer_name()} (its mags: {_mag_names(layer)})",
                    param_hint="--mag",
                )
        chosen.extend((layer, layer.get_mag(mag)) for mag in (mags or sorted(layer.mags)))
    return chosen


@click.command("compress", short_help="Compress the mags of a WEBKNOSSOS dataset in place.")
@click.argument("target", type=DatasetPath(), metavar="TARGET")
@click.option("--layer-name", default=None, help="Compress only this layer (default: every layer).")
@click.option(
    "--mag",
    "mags",
    type=MagParam(),
    multiple=True,
    help="Mag to compress: a number or hyphen-separated numbers, e.g. 2 or 2-2-2; repeat for several: --mag 1 --mag 2 "
    "(default: every mag).",
)
@executor_options
def compress_command(
    target: str,
    layer_name: str | None,
    mags: tuple[Any, ...],
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Compress the mags of the WEBKNOSSOS dataset at TARGET in place.

    Each mag is rewritten compressed next to the old one, then swapped in; the voxels stay the same. Mags that are
    compressed already, and mags stored outside the dataset (foreign), are skipped with a note.
    """
    from daedalus import Dataset

    dataset = Dataset.open(target)
    chosen = _mags_to_compress(dataset, checked_layer_names(dataset, layer_name), mags)
    compressed = 0
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        for layer, mag_view in chosen:
            label = f"{layer.name}/{mag_view.mag.to_layer_name()}"
            if layer.is_mag_view_foreign(mag_view):
                click.echo(f"Skipping {label}: it is stored outside the dataset ({mag_view.path}).")
            elif mag_view.info.compression_mode:
                click.echo(f"Skipping {label}: it is compressed already.")
            else:
                mag_view.compress(executor=executor)
                compressed += 1
    click.echo(f"Compressed {compressed} mag{'s' if compressed != 1 else ''} of {target}.")


# --------------------------------------------------------------------------- copy-dataset


def _check_copy_target(target: str, exists_ok: bool) -> None:
    """Refuse, before any work, a local TARGET that is a file or holds a dataset (unless --exists-ok)."""
    if "://" in target:
        return
    path = Path(target)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{path} is a file; give a folder for the copy", param_hint="'TARGET'")
    if not exists_ok and path.is_dir() and any(path.iterdir()):
        holds = f"a dataset ({PROPERTIES_NAME})" if (path / PROPERTIES_NAME).exists() else "files"
        raise click.BadParameter(
            f"{path} already holds {holds}; choose another folder, or pass --exists-ok to copy into it",
            param_hint="'TARGET'",
        )


@click.command("copy-dataset", short_help="Copy a WEBKNOSSOS dataset, optionally to another format.")
@click.argument("source", type=DatasetPath(), metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@click.option(
    "--data-format",
    type=click.Choice(DATA_FORMAT_NAMES, case_sensitive=False),
    default=None,
    help="Data format of the copy (default: each layer's own).",
)
@click.option(
    "--chunk-shape",
    type=Vec3IntParam(),
    default=None,
    help="Voxels per chunk in the copy, e.g. 32 or 32,32,32 (default: each mag's own).",
)
@click.option(
    "--shard-shape",
    type=Vec3IntParam(),
    default=None,
    help="Voxels per shard in the copy, e.g. 1024 or 1024,1024,1024 (default: each mag's own).",
)
@click.option(
    "--exists-ok/--no-exists-ok",
    default=False,
    show_default=True,
    help="Whether to copy into a folder that holds a dataset already (its layers are replaced).",
)
@executor_options
def copy_dataset_command(
    source: str,
    target: str,
    data_format: str | None,
    chunk_shape: Any,
    shard_shape: Any,
    exists_ok: bool,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Copy the WEBKNOSSOS dataset at SOURCE to TARGET, optionally in another data format or chunk/shard shape.

    SOURCE and TARGET may be local folders or URLs (s3://..., https://... for reading). The compression of each mag
    is kept. Prints the layers of the copy afterwards.
    """
    from daedalus import Dataset

    _check_copy_target(target, exists_ok)
    fmt = {name.lower(): name for name in DATA_FORMAT_NAMES}[data_format.lower()] if data_format else None
    dataset = Dataset.open(source, read_only=True)
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        copy = dataset.copy_dataset(
            target,
            data_format=fmt,
            chunk_shape=chunk_shape,
            shard_shape=shard_shape,
            exists_ok=exists_ok,
            executor=executor,
        )
    click.echo(f"Copied {source} to {target}")
    for layer in copy.layers.values():
        click.echo(f"{layer.name}: {layer.data_format}, mags {_mag_names(layer)}")


# --------------------------------------------------------------------------- merge-fallback


def _volume_layer_to_merge(annotation: Any, path: str, volume_layer_name: str | None) -> Any:
    """The volume layer named (or the only one); a usage error naming the choices otherwise."""
    names = list(annotation.get_volume_layer_names())
    if not names:
        raise click.BadParameter(f"{path} has no volume layer to merge", param_hint="'SOURCE_ANNOTATION'")
    if volume_layer_name is None:
        if len(names) > 1:
            raise click.BadParameter(
                f"{path} has several volume layers ({', '.join(names)}); choose one with --volume-layer-name",
                param_hint="--volume-layer-name",
            )
        volume_layer_name = names[0]
    if volume_layer_name not in names:
        raise click.BadParameter(
            f"{path} has no volume layer {volume_layer_name!r} (it has {', '.join(names)})",
            param_hint="--volume-layer-name",
        )
    volume = annotation.get_volume_layer(volume_layer_name)
    if volume.fallback_layer_name is None:
        raise click.BadParameter(
            f"the volume layer {volume_layer_name!r} of {path} has no fallback layer, so there is nothing to merge "
            "it into",
            param_hint="--volume-layer-name" if len(names) > 1 else "'SOURCE_ANNOTATION'",
        )
    return volume


@click.command("merge-fallback", short_help="Merge a volume annotation with its fallback layer.")
@click.argument("target", type=click.Path(file_okay=False), metavar="TARGET")
@click.argument("source_annotation", type=click.Path(exists=True, dir_okay=False), metavar="SOURCE_ANNOTATION")
@click.argument("dataset_directory", type=click.Path(exists=True, file_okay=False), metavar="DATASET_DIRECTORY")
@click.option(
    "--volume-layer-name",
    default=None,
    help="Volume layer of the annotation to merge (needed when it has several).",
)
@executor_options
def merge_fallback_command(
    target: str,
    source_annotation: str,
    dataset_directory: str,
    volume_layer_name: str | None,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Merge a volume annotation with the segmentation layer it was made on (its fallback layer) into a new dataset.

    \b
    TARGET             new dataset folder for the result (must not hold files yet)
    SOURCE_ANNOTATION  the annotation zip downloaded from WEBKNOSSOS
    DATASET_DIRECTORY  the dataset holding the fallback layer, or (as in the reference) the folder holding that
                       dataset under its name

    The fallback layer is copied to TARGET, then every annotated (non-zero) voxel of the volume layer is written
    over it, in every mag both have.
    """
    from daedalus.core.annotation.merge import fallback_dataset_path

    from daedalus import Annotation

    target_path = Path(target)
    if target_path.is_dir() and any(target_path.iterdir()):
        raise click.BadParameter(f"{target_path} already holds files; choose a new folder", param_hint="'TARGET'")
    annotation = Annotation.load(source_annotation)
    volume = _volume_layer_to_merge(annotation, source_annotation, volume_layer_name)
    try:
        fallback_path = fallback_dataset_path(dataset_directory, annotation.dataset_name)
    except FileNotFoundError as error:
        raise click.BadParameter(str(error), param_hint="'DATASET_DIRECTORY'") from error
    from daedalus import Dataset

    fallback = Dataset.open(fallback_path, read_only=True)
    checked_layer_names(fallback, volume.fallback_layer_name, option="'DATASET_DIRECTORY'")
    click.echo(
        f"Merging volume layer {volume.name!r} of {source_annotation} into a copy of layer "
        f"{volume.fallback_layer_name!r} of {fallback_path}"
    )
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        annotation.merge_fallback_layer(target, fallback_path, volume_layer_name=volume.name, executor=executor)
    merged = Dataset.open(target)
    _echo_mags(merged, list(merged.layers))


# --------------------------------------------------------------------------- upsample


@click.command("upsample", short_help="Add finer mags to a dataset by upsampling a coarser one.")
@click.argument("source", type=DatasetPath(), metavar="SOURCE")
@click.option(
    "--sampling-mode",
    type=click.Choice(SAMPLING_MODES, case_sensitive=False),
    default="anisotropic",
    show_default=True,
    help="How the mags between --from-mag and Mag 1 are chosen.",
)
@click.option(
    "--from-mag",
    type=MagParam(),
    required=True,
    help="Mag to upsample from: a number or hyphen-separated numbers, e.g. 2 or 2-2-2.",
)
@click.option("--layer-name", default=None, help="Upsample only this layer (default: every layer).")
@remote_dataset_options
@executor_options
def upsample_command(
    source: str,
    sampling_mode: str,
    from_mag: Any,
    layer_name: str | None,
    token: str | None,
    transfer_mode: str,
    access_mode: str | None,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Add finer mags, down to Mag 1, to the layers of the dataset at SOURCE by upsampling --from-mag.

    SOURCE is the folder holding datasource-properties.json, or a URL to a dataset on a WEBKNOSSOS server: then each
    new mag is written at the storage path the server reserves for it, which must be reachable from here. Prints the
    mags of each layer afterwards.
    """
    with opened_dataset(source, token, access_mode, transfer_mode) as dataset:
        names = checked_layer_names(dataset, layer_name)
        for name in names:
            layer = dataset.get_layer(name)
            if from_mag not in layer.mags:
                raise click.BadParameter(
                    f"layer {name!r} has no mag {from_mag.to_layer_name()} (its mags: {_mag_names(layer)})",
                    param_hint="--from-mag",
                )
        remote = {"transfer_mode": transfer_mode.lower()} if hasattr(dataset, "url") else {}
        with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
            try:
                for name in names:
                    dataset.get_layer(name).upsample(
                        from_mag=from_mag, sampling_mode=sampling_mode.lower(), executor=executor, **remote
                    )
            except RuntimeError as error:
                if _is_remote_or_read_only(dataset):
                    raise _cannot_write(dataset, error) from error
                raise
        _echo_mags(dataset, names)


COMMANDS = (
    check_equality_command,
    compress_command,
    copy_dataset_command,
    merge_fallback_command,
    upsample_command,
    info_command,
)
