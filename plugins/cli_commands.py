"""The built-in CLI commands (click), registered by ``builtin_cli``."""

from __future__ import annotations

import click

from .executor_options import executor_from_options, executor_options


@click.command("demo")
@click.argument("target", type=click.Path(file_okay=False), default="daedalus-demo")
@click.option("--size", default=256, show_default=True, help="Edge length of the synthetic volume in voxels.")
def demo_command(target: str, size: int) -> None:
    """Build a sample dataset (synthetic cells) at TARGET, downsample it and print what was written."""
    from daedalus.demo import run_demo

    run_demo(target, size=size, echo=click.echo)


@click.command("downsample")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False))
@click.option("--layer-name", default=None, help="Downsample only this layer (default: every layer).")
@click.option(
    "--sampling-mode",
    type=click.Choice(["anisotropic", "isotropic", "constant_z"]),
    default="anisotropic",
    show_default=True,
    help="How the mags of the pyramid are chosen.",
)
@click.option("--coarsest-mag", default=None, help="Stop at this mag, e.g. 8 or 8-8-4 (default: computed per layer).")
@click.option(
    "--interpolation-mode",
    default="default",
    show_default=True,
    help="median, mode, nearest, bilinear, bicubic, max, min or default (mode for segmentation, median otherwise).",
)
@executor_options
def downsample_command(
    dataset: str,
    layer_name: str | None,
    sampling_mode: str,
    coarsest_mag: str | None,
    interpolation_mode: str,
    distribution_strategy: str,
    jobs: int | None,
    job_resources: str | None,
) -> None:
    """Add downsampled mags to the layers of the dataset at DATASET."""
    from daedalus import Dataset, Mag

    opened = Dataset.open(dataset)
    mag = None
    if coarsest_mag is not None:
        try:
            mag = Mag(coarsest_mag)
        except (TypeError, ValueError) as error:
            raise click.BadParameter(f"{coarsest_mag!r} is not a mag ({error})", param_hint="--coarsest-mag") from error
    if layer_name is not None and layer_name not in opened.layers:
        raise click.BadParameter(
            f"the dataset {dataset} has no layer {layer_name!r} (it has {', '.join(opened.layers) or 'none'})",
            param_hint="--layer-name",
        )
    with executor_from_options(distribution_strategy, jobs, job_resources) as executor:
        options = {"sampling_mode": sampling_mode, "coarsest_mag": mag, "interpolation_mode": interpolation_mode}
        if layer_name is None:
            opened.downsample(executor=executor, **options)
        else:
            opened.get_layer(layer_name).downsample(executor=executor, **options)
    for layer in [opened.get_layer(layer_name)] if layer_name else opened.layers.values():
        click.echo(f"{layer.name}: mags {', '.join(m.to_layer_name() for m in sorted(layer.mags))}")


COMMANDS = (demo_command, downsample_command)
