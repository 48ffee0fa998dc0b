"""The built-in CLI commands (click), registered by ``builtin_cli``."""

from __future__ import annotations

from typing import Any

import click
from daedalus.core.sampling.kernels import InterpolationModes

from .cli_options import DatasetPath, MagParam, checked_layer_names, opened_dataset, remote_dataset_options
from .executor_options import executor_from_options, executor_options

INTERPOLATION_MODES = ("default", *(mode.value for mode in InterpolationModes))


@click.command("demo")
@click.argument("target", type=click.Path(file_okay=False), default="daedalus-demo")
@click.option(
    "--size",
    type=click.IntRange(min=16, max=1024),
    default=256,
    show_default=True,
    help="Edge length of the synthetic volume in voxels.",
)
def demo_command(target: str, size: int) -> None:
    """Write a sample dataset (synthetic cells) to TARGET, read it back and print what is on disk.

    \b
    Writes into TARGET (default ./daedalus-demo):
      datasource-properties.json   the dataset's properties
      color/  segmentation/        two layers: zarr3, sharded, zstd, downsampled
      .daedalus-demo.json          a marker listing every file the demo wrote

    TARGET must be new, empty or the output of an earlier `daedalus demo`, which is replaced; any other
    folder is refused and left as it is.
    """
    from daedalus.demo import DemoTargetError, run_demo

    try:
        run_demo(target, size=size, echo=click.echo)
    except DemoTargetError as error:
        raise click.BadParameter(str(error), param_hint="'TARGET'") from error
    except OSError as error:
        reason = f"{error.strerror}: {error.filename}" if error.strerror and error.filename else str(error)
        raise click.ClickException(f"cannot write the demo to {target}: {reason}") from error


@click.command("downsample", short_help="Add coarser mags (a downsampled pyramid) to a dataset.")
@click.argument("target", type=DatasetPath(), metavar="TARGET")
@click.option(
    "--sampling-mode",
    type=click.Choice(["anisotropic", "isotropic", "constant_z"], case_sensitive=False),
    default="anisotropic",
    show_default=True,
    help="How the mags of the pyramid are chosen.",
)
@click.option("--layer-name", default=None, help="Downsample only this layer (default: every layer).")
@click.option(
    "--coarsest-mag",
    type=MagParam(),
    default=None,
    help="Mag to stop at: a number or hyphen-separated numbers, e.g. 8 or 8-8-4 (default: computed per layer).",
)
@click.option(
    "--interpolation-mode",
    type=click.Choice(INTERPOLATION_MODES, case_sensitive=False),
    default="default",
    show_default=True,
    help="How voxels are combined; default is mode for segmentation layers and median otherwise (not an option of "
    "the reference CLI).",
)
@remote_dataset_options
@executor_options
def downsample_command(
    target: str,
    sampling_mode: str,
    layer_name: str | None,
    coarsest_mag: Any,
    interpolation_mode: str,
    token: str | None,
    transfer_mode: str,
    access_mode: str | None,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: dict[str, Any] | None,
) -> None:
    """Add downsampled mags (a pyramid down to the coarsest mag) to the layers of the dataset at TARGET.

    TARGET is the dataset folder holding datasource-properties.json, or a URL to a dataset on a WEBKNOSSOS server:
    then each new mag is written at the storage path the server reserves for it, which must be reachable from here
    (run where the datastore's storage is mounted). Shows a progress bar per mag and prints the mags of each layer.
    """
    with opened_dataset(target, token, access_mode, transfer_mode) as opened:
        names = checked_layer_names(opened, layer_name)
        options = {
            "sampling_mode": sampling_mode.lower(),
            "coarsest_mag": coarsest_mag,
            "interpolation_mode": interpolation_mode.lower(),
        }
        if hasattr(opened, "url"):  # a RemoteDataset: its new mags go to the paths the server reserves
            options["transfer_mode"] = transfer_mode.lower()
        with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
            try:
                if layer_name is None:
                    opened.downsample(executor=executor, **options)
                else:
                    opened.get_layer(layer_name).downsample(executor=executor, **options)
            except RuntimeError as error:
                if getattr(opened, "read_only", False) or hasattr(opened, "url"):
                    raise click.ClickException(str(error)) from error
                raise
        for name in names:
            layer = opened.get_layer(name)
            click.echo(f"{layer.name}: mags {', '.join(m.to_layer_name() for m in sorted(layer.mags))}")


COMMANDS = (demo_command, downsample_command)
