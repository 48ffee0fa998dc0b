"""``daedalus info DATASET``: what a dataset holds (layers, voxel types, boxes, mags with layout and size on disk).

Not a command of the reference CLI. ``--json`` prints ``dataset_summary``'s result for scripts.
"""

from __future__ import annotations

import json
from typing import Any

import click

from .cli_options import DatasetPath, opened_dataset, token_option

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_size(size: int | None) -> str:
    """``1536`` -> ``1.5 KiB``; None -> ``unknown``."""
    if size is None:
        return "unknown"
    value = float(size)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _vector(values: list[int]) -> str:
    return ",".join(str(v) for v in values)


def _box_text(box: dict[str, Any]) -> str:
    axes = "".join(box["axes"])
    return f"{axes} {_vector(box['topleft'])} size {_vector(box['size'])}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The text form of a ``dataset_summary``: a header, then per layer one line and a table of its mags."""
    voxel = " x ".join(f"{v:g}" for v in summary["voxel_size"])
    lines = [
        f"Dataset {summary['name']} at {summary['path']}",
        f"  voxel size {voxel} {summary['unit']}, {len(summary['layers'])} layer(s), "
        f"{human_size(summary['size_on_disk'])} on disk",
    ]
    for layer in summary["layers"]:
        channels = f", {layer['num_channels']} channels" if layer["num_channels"] != 1 else ""
        segments = f", largest segment id {layer['largest_segment_id']}" if "largest_segment_id" in layer else ""
        lines.append("")
        lines.append(
            f"Layer {layer['name']}: {layer['category']}, {layer['dtype']}{channels}, {layer['data_format']}, "
            f"box {_box_text(layer['bounding_box'])}{segments}"
        )
        rows = [["  mag", "chunk shape", "shard shape", "compressed", "size on disk", "path"]]
        problems = []
        for mag in layer["mags"]:
            unreadable = "error" in mag
            if unreadable:
                problems.append(f"  mag {mag['mag']} cannot be read: {mag['error']}")
            rows.append(
                [
                    f"  {mag['mag']}",
                    "?" if unreadable else _vector(mag["chunk_shape"]),
                    "?" if unreadable else _vector(mag["shard_shape"]),
                    "?" if unreadable else ("yes" if mag["compressed"] else "no"),
                    human_size(mag["size_on_disk"]),
                    mag["path"] + (" (foreign)" if mag["foreign"] else ""),
                ]
            )
        lines.extend(_table(rows) if layer["mags"] else ["  (no mags)"])
        lines.extend(problems)
    return lines


@click.command("info", short_help="Describe a dataset: layers, mags, chunking, sizes on disk.")
@click.argument("dataset", type=DatasetPath())
@click.option("--json", "as_json", is_flag=True, help="Print the description as one JSON object (for scripts).")
@token_option("Needed for a dataset URL on a WEBKNOSSOS server that is not public.")
def info_command(dataset: str, as_json: bool, token: str | None) -> None:
    """Describe the dataset at DATASET: its layers (category, voxel type, channels, data format, bounding box) and
    per mag the chunk shape, shard shape, compression and size on disk.

    DATASET is a dataset folder, a URL daedalus can open (s3://..., https://.../dataset) or the URL of a dataset on a
    WEBKNOSSOS server. Sizes on disk are measured for local folders and object stores; over plain HTTP they are
    unknown. A mag whose array cannot be read is listed with the reason. With --json the same facts are printed as
    JSON (sizes in bytes, null when unknown).
    """
    from daedalus.core.dataset.summary import dataset_summary

    with opened_dataset(dataset, token, read_only=True) as opened:
        summary = dataset_summary(opened)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for line in summary_lines(summary):
        click.echo(line)
