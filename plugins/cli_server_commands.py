"""The ``upload`` and ``download`` CLI commands: move a dataset between a local folder and a WEBKNOSSOS server.

Both take the reference CLI's arguments and options (``webknossos upload ...`` / ``webknossos download ...``) and run
``Dataset.upload`` / ``RemoteDataset.download`` inside a ``webknossos_context`` built from ``--webknossos-url`` and
``--token`` (or ``WK_URL`` / ``WK_TOKEN``). A mistake on the command line exits with 2, a failure of the server or of
the transfer with 1, each in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_options import PROPERTIES_NAME, BoundingBoxParam, DatasetPath, MagParam, token_option, url_option

DEFAULT_WEBKNOSSOS_URL = "https://webknossos.org"
DEFAULT_UPLOAD_JOBS = 5
TRANSFER_MODES = ("http", "move+symlink", "symlink", "copy")
DOWNLOAD_FORMATS = ("wkw", "zarr", "zarr3")


class PowerOfTwoMagParam(MagParam):
    """A click type for ``--mag`` of a download: a mag whose factors are powers of two (``2``, ``2-2-1``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The :class:`Mag`; a usage error naming the value when it is not a mag of powers of two."""
        mag = super().convert(value, param, ctx)
        if any(factor & (factor - 1) for factor in mag.to_list()):
            self.fail(f"{value!r} is not a mag WEBKNOSSOS stores; every factor must be a power of two", param, ctx)
        return mag


def _server_failure(error: Exception) -> click.ClickException:
    """The one-line failure (exit code 1) for an error the server or the transfer reported."""
    return click.ClickException(str(error) or type(error).__name__)


def _same_server(first: str, second: str) -> bool:
    return first.rstrip("/").lower() == second.rstrip("/").lower()


def _check_download_target(target: str) -> None:
    """Refuse, before any request, a TARGET that is a file or already holds a dataset (local paths only)."""
    if "://" in target:
        return
    path = Path(target)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{path} is a file; give a folder for the downloaded dataset", param_hint="'TARGET'")
    if (path / PROPERTIES_NAME).exists():
        raise click.BadParameter(
            f"{path} already holds a dataset ({PROPERTIES_NAME}); choose another folder or remove it first",
            param_hint="'TARGET'",
        )


def _download_server(url: str, webknossos_url: str | None, ctx: click.Context) -> str:
    """The server to download from: the one the dataset URL names, else ``--webknossos-url`` / ``WK_URL``."""
    from daedalus.core.remote.urls import is_url, parse_dataset_url

    if not is_url(url):
        return webknossos_url or DEFAULT_WEBKNOSSOS_URL
    if "/annotations/" in url:
        raise click.BadParameter(
            f"{url} is an annotation URL; daedalus downloads datasets only (use Annotation.download in Python)",
            param_hint="'--url'",
        )
    try:
        server = parse_dataset_url(url).webknossos_url
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--url'") from error
    given = ctx.get_parameter_source("webknossos_url") == click.core.ParameterSource.COMMANDLINE
    if given and webknossos_url and not _same_server(server, webknossos_url):
        raise click.BadParameter(
            f"the dataset URL names the server {server}, --webknossos-url names {webknossos_url}; give one of them",
            param_hint="'--webknossos-url'",
        )
    return server


@click.command("download")
@click.argument("target", metavar="TARGET")
@click.option(
    "--url",
    required=True,
    help="URL of the dataset (e.g. https://webknossos.org/datasets/<organization>/<name>/view, with ?token=... for "
    "a sharing token); daedalus also takes a dataset name, looked up on --webknossos-url.",
)
@token_option("Public datasets need none.")
@url_option(
    "WEBKNOSSOS instance to look a dataset name up on (not an option of the reference CLI; a dataset URL names its "
    f"server itself) [default: {DEFAULT_WEBKNOSSOS_URL}].",
    None,
)
@click.option(
    "--bbox",
    type=BoundingBoxParam(),
    default=None,
    help="Bounding box to download: x,y,z,width,height,depth in Mag(1) voxels, e.g. 0,0,0,10,10,10 "
    "(default: each layer's box).",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    help="Layer to download; repeat for several: --layer color --layer segmentation (default: all).",
)
@click.option(
    "--mag",
    "mags",
    type=PowerOfTwoMagParam(),
    multiple=True,
    help="Mag to download: a number or hyphen-separated numbers, e.g. 2 or 2-2-1; repeat for several: "
    "--mag 1 --mag 2 (default: all).",
)
@click.option(
    "--data-format",
    type=click.Choice(DOWNLOAD_FORMATS, case_sensitive=False),
    default=None,
    help="Data format of the downloaded layers [default: zarr3].",
)
@click.pass_context
def download_command(
    ctx: click.Context,
    target: str,
    url: str,
    token: str | None,
    webknossos_url: str | None,
    bbox: Any,
    layers: tuple[str, ...],
    mags: tuple[Any, ...],
    data_format: str | None,
) -> None:
    """Download a dataset from a WEBKNOSSOS server into the folder TARGET.

    TARGET must not hold a dataset yet. --bbox, --layer and --mag choose a part of the dataset; every mag is copied
    with a progress bar, then each layer's box and mags are printed.
    """
    from daedalus.core.client.context import webknossos_context
    from daedalus.core.client.errors import ApiClientError
    from daedalus.core.remote import RemoteDataset
    from daedalus.core.remote.download import DownloadError

    server = _download_server(url, webknossos_url, ctx)
    _check_download_target(target)
    with webknossos_context(url=server, token=token):
        try:
            remote = RemoteDataset.open(url)
            dataset = remote.download(
                bbox=bbox,
                layers=list(layers) or None,
                mags=list(mags) or None,
                data_format=data_format.lower() if data_format else None,
                path=target,
            )
        except IndexError as error:  # a --layer the dataset does not have
            raise click.BadParameter(str(error), param_hint="'--layer'") from error
        except FileExistsError as error:
            raise click.BadParameter(str(error), param_hint="'TARGET'") from error
        except (ApiClientError, DownloadError, FileNotFoundError) as error:
            raise _server_failure(error) from error
    click.echo(f"Downloaded {remote.url} to {target}")
    for layer in dataset.layers.values():
        mag_names = ", ".join(mag.to_layer_name() for mag in sorted(layer.mags))
        click.echo(f"{layer.name}: {layer.dtype} box {layer.bounding_box}, mags {mag_names}")


def _remote_folder(path: str) -> Any:
    """The server's dataset folder at ``path`` (``Datasets/mySubfolder``); a usage error when there is none."""
    from daedalus.core.remote import RemoteFolder

    try:
        return RemoteFolder.get_by_path(path)
    except KeyError as error:
        raise click.BadParameter(error.args[0] if error.args else str(error), param_hint="'--folder'") from error


@click.command("upload")
@click.argument("source", type=DatasetPath(), metavar="SOURCE")
@click.option(
    "--dataset-name",
    default=None,
    help="Name of the dataset on WEBKNOSSOS (default: the local dataset's name).",
)
@click.option(
    "--folder",
    default=None,
    help="WEBKNOSSOS dataset folder to put the dataset in, as a path separated by '/', e.g. Datasets/mySubfolder "
    "(the folders of the dataset dashboard; default: the root folder).",
)
@click.option(
    "--transfer-mode",
    type=click.Choice(TRANSFER_MODES, case_sensitive=False),
    default="http",
    show_default=True,
    help="How the files reach the datastore; daedalus supports http only (the other modes need direct access to "
    "the datastore's file system).",
)
@url_option("URL of the WEBKNOSSOS instance.", DEFAULT_WEBKNOSSOS_URL)
@token_option("Required.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=DEFAULT_UPLOAD_JOBS,
    show_default=True,
    help="Number of chunks sent in parallel.",
)
def upload_command(
    source: str,
    dataset_name: str | None,
    folder: str | None,
    transfer_mode: str,
    webknossos_url: str,
    token: str | None,
    jobs: int,
) -> None:
    """Upload the dataset at SOURCE (the folder holding datasource-properties.json) to a WEBKNOSSOS server.

    Shows the progress of the chunks sent, then prints the new dataset's URL and id.
    """
    from daedalus.core.client.context import webknossos_context
    from daedalus.core.client.errors import ApiClientError
    from daedalus.core.dataset import Dataset
    from daedalus.core.remote.upload import UploadError

    if transfer_mode.lower() != "http":
        raise click.BadParameter(
            f"{transfer_mode!r} needs direct access to the datastore's file system, which daedalus does not "
            "support; use --transfer-mode http",
            param_hint="'--transfer-mode'",
        )
    if not token:
        raise click.BadParameter(
            "uploading needs a token: pass --token or set WK_TOKEN (see https://webknossos.org/account/token)",
            param_hint="'--token'",
        )
    dataset = Dataset.open(source)
    with webknossos_context(url=webknossos_url, token=token):
        try:
            remote_folder = None if folder is None else _remote_folder(folder)
            remote = dataset.upload(new_dataset_name=dataset_name, folder=remote_folder, jobs=jobs)
        except (ApiClientError, UploadError, ValueError) as error:
            raise _server_failure(error) from error
    click.echo(f"Uploaded {source} as {dataset_name or dataset.name}: {remote.url}")
    click.echo(f"dataset id: {remote.dataset_id}")


COMMANDS = (download_command, upload_command)
