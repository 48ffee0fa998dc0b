"""Zarr3Config and Zarr3ArrayInfo: custom zarr3 codecs and chunk key encoding, as values for ``compress=``.

Also the completion of a codec chain into the form stored in ``zarr.json`` (the defaults both engines write).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from .array_info import ArrayInfo

__all__ = ["Zarr3ArrayInfo", "Zarr3Config", "compression_of", "stored_codecs", "with_compress"]

CODEC_NAMES = ("bytes", "gzip", "zstd", "blosc", "crc32c", "transpose")
# codecs that neither compress nor change the meaning of the bytes
_NON_COMPRESSING = frozenset({"transpose", "bytes", "endian", "crc32c", "sharding_indexed"})
_DEFAULT_ZSTD = {"checksum": True, "level": 5}


def _codec(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        raise ValueError(f"Zarr3Config codec {value!r} must be a dict with a 'name' (one of {', '.join(CODEC_NAMES)}).")
    if value["name"] not in CODEC_NAMES:
        raise ValueError(
            f"Zarr3Config codec name {value['name']!r} is not supported; use one of {', '.join(CODEC_NAMES)}."
        )
    configuration = value.get("configuration")
    if configuration is not None and not isinstance(configuration, Mapping):
        raise ValueError(f"Zarr3Config codec {value!r}: 'configuration' must be a dict.")
    codec: dict[str, Any] = {"name": value["name"]}
    if configuration is not None:
        codec["configuration"] = dict(configuration)
    return codec


def _codecs(value: Any) -> tuple[dict[str, Any], ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise ValueError(f"Zarr3Config codecs must be a list of codec dicts, not {value!r}.")
    return tuple(_codec(item) for item in value)


def _chunk_key_encoding(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    separator = (value.get("configuration") or {}).get("separator", "/") if isinstance(value, Mapping) else None
    if not isinstance(value, Mapping) or value.get("name", "default") != "default" or separator not in ("/", "."):
        raise ValueError(
            f"Zarr3Config chunk_key_encoding {value!r} must be "
            "{'name': 'default', 'configuration': {'separator': '/' or '.'}}."
        )
    return {"name": "default", "configuration": {"separator": separator}}


def _stored_codec_chain(value: Any) -> tuple[dict[str, Any], ...]:
    """Any codec chain as read from ``zarr.json`` (names are not restricted: other writers use other codecs)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise ValueError(f"Zarr3ArrayInfo codecs must be a list of codec dicts, not {value!r}.")
    if not all(isinstance(codec, Mapping) and isinstance(codec.get("name"), str) for codec in value):
        raise ValueError(f"Zarr3ArrayInfo codecs {value!r}: every codec must be a dict with a 'name'.")
    return tuple(dict(codec) for codec in value)


def _stored_encoding(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("name", "default"), str):
        raise ValueError(f"Zarr3ArrayInfo chunk_key_encoding {value!r} must be a dict with a 'name'.")
    return dict(value)


def default_codecs(ndim: int, compress: bool) -> tuple[dict[str, Any], ...]:
    """The codecs WEBKNOSSOS writes by default for an array of ``ndim`` stored axes (transpose, bytes[, zstd])."""
    codecs: list[dict[str, Any]] = [
        {"name": "transpose", "configuration": {"order": list(range(ndim - 1, -1, -1))}},
        {"name": "bytes", "configuration": {"endian": "little"}},
    ]
    if compress:
        codecs.append({"name": "zstd", "configuration": dict(_DEFAULT_ZSTD)})
    return tuple(codecs)


@attrs.frozen
class Zarr3Config:
    """Codecs and chunk key encoding of new zarr3 arrays; pass it as ``compress=`` to ``add_mag``, ``rechunk``, ...

    ``codecs`` is the chain inside each chunk (e.g. ``[{"name": "bytes"}, {"name": "zstd",
    "configuration": {"level": 3}}]``); ``None`` (or empty) means the default transpose/bytes/zstd chain.
    ``chunk_key_encoding`` is ``{"name": "default", "configuration": {"separator": "/" or "."}}``.
    """

    codecs: tuple[dict[str, Any], ...] | None = attrs.field(default=None, converter=_codecs, hash=False)
    chunk_key_encoding: dict[str, Any] | None = attrs.field(default=None, converter=_chunk_key_encoding, hash=False)

    @classmethod
    def with_defaults(cls, config: Zarr3Config | bool | None, ndim: int) -> Zarr3Config:
        """``config`` with every unset part filled in: ``True``/``None`` compress with zstd, ``False`` does not."""
        if not isinstance(config, Zarr3Config):
            config = cls(codecs=default_codecs(ndim, config is None or bool(config)))
        codecs = config.codecs or default_codecs(ndim, True)
        encoding = config.chunk_key_encoding or {"name": "default", "configuration": {"separator": "/"}}
        return cls(codecs=codecs, chunk_key_encoding=encoding)

    @property
    def compresses(self) -> bool:
        """Whether the codecs (or the default ones) compress the data."""
        return self.codecs is None or not self.codecs or compression_of(self.codecs)


def compression_of(codecs: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a codec chain holds a compressing codec (anything but transpose, bytes and crc32c)."""
    return any(codec["name"] not in _NON_COMPRESSING for codec in codecs)


@attrs.frozen
class Zarr3ArrayInfo(ArrayInfo):
    """An ArrayInfo of a zarr3 array that also names its chunk codecs and chunk key encoding.

    ``codecs`` is the chain inside each chunk (inside the shard when sharded), as stored in ``zarr.json``;
    ``compression_mode`` and ``chunk_key_separator`` follow from ``codecs`` and ``chunk_key_encoding``.
    """

    codecs: tuple[dict[str, Any], ...] = attrs.field(default=(), converter=_stored_codec_chain, hash=False)
    chunk_key_encoding: dict[str, Any] | None = attrs.field(default=None, converter=_stored_encoding, hash=False)

    def __attrs_post_init__(self) -> None:
        encoding = self.chunk_key_encoding
        if encoding is None:
            encoding = {"name": "default", "configuration": {"separator": self.chunk_key_separator}}
            object.__setattr__(self, "chunk_key_encoding", encoding)
        elif encoding.get("name", "default") == "default":  # stored in its full form, separator included
            separator = (encoding.get("configuration") or {}).get("separator", "/")
            object.__setattr__(self, "chunk_key_separator", separator)
            object.__setattr__(
                self, "chunk_key_encoding", {"name": "default", "configuration": {"separator": separator}}
            )
        if self.codecs:
            object.__setattr__(self, "compression_mode", compression_of(self.codecs))

    @classmethod
    def from_array_info(cls, array_info: ArrayInfo) -> Zarr3ArrayInfo:
        """``array_info`` as a Zarr3ArrayInfo (its own codecs if it is one, else the default chain)."""
        if isinstance(array_info, Zarr3ArrayInfo):
            return array_info
        return _as_zarr3(array_info, Zarr3Config(codecs=None))

    @property
    def zarr3_config(self) -> Zarr3Config:
        """The codecs and chunk key encoding of this array as a Zarr3Config."""
        return Zarr3Config(codecs=self.codecs, chunk_key_encoding=self.chunk_key_encoding)


def _stored_ndim(info: ArrayInfo) -> int:
    return len(info.dimension_names) - (0 if info.has_channel_axis else 1)


def with_compress(info: ArrayInfo, compress: Any) -> ArrayInfo:
    """``info`` with the compression ``compress`` (a bool, or a Zarr3Config for zarr3 arrays, which makes it a
    Zarr3ArrayInfo with the configured codecs completed for its voxel type)."""
    if not isinstance(compress, Zarr3Config):
        return attrs.evolve(info, compression_mode=bool(compress))
    if str(info.data_format) != "zarr3":
        data_format = getattr(info.data_format, "value", info.data_format)
        raise ValueError(
            f"compress=Zarr3Config(...) works only for zarr3 arrays, not data format {data_format!r}; "
            "pass compress=True or False."
        )
    return _as_zarr3(info, compress)


def _as_zarr3(info: ArrayInfo, compress: Zarr3Config) -> Zarr3ArrayInfo:
    ndim = _stored_ndim(info)
    config = Zarr3Config.with_defaults(compress, ndim)
    fields = {f.name: getattr(info, f.name) for f in attrs.fields(ArrayInfo)}
    fields["codecs"] = stored_codecs(config.codecs or (), info.voxel_type, ndim)
    fields["chunk_key_encoding"] = config.chunk_key_encoding
    fields["compression_mode"] = compression_of(fields["codecs"])
    return Zarr3ArrayInfo(**fields)


def stored_codecs(codecs: Sequence[Mapping[str, Any]], voxel_type: Any, ndim: int) -> tuple[dict[str, Any], ...]:
    """The chunk codec chain as stored in ``zarr.json``: a bytes codec added when missing, every configuration
    completed with its defaults (bytes endian, zstd level 3 without checksum, gzip level 6, blosc lz4 level 5)."""
    itemsize = np.dtype(voxel_type).itemsize
    completed: list[dict[str, Any]] = []
    for codec in codecs:
        name, configuration = codec["name"], dict(codec.get("configuration") or {})
        if name == "transpose":
            order = [int(axis) for axis in configuration.get("order", [])]
            if sorted(order) != list(range(ndim)):
                raise ValueError(
                    f"Zarr3Config transpose order {configuration.get('order')!r} must be a permutation of "
                    f"0..{ndim - 1} (the array has {ndim} stored axes)."
                )
            configuration = {"order": order}
        elif name == "bytes":
            configuration = {"endian": configuration.get("endian", "little")} if itemsize > 1 else {}
        elif name == "zstd":
            configuration = {"checksum": False, "level": 3, **configuration}
        elif name == "gzip":
            configuration = {"level": 6, **configuration}
        elif name == "blosc":
            shuffle = "shuffle" if itemsize > 1 else "bitshuffle"
            defaults = {"blocksize": 0, "clevel": 5, "cname": "lz4", "shuffle": shuffle, "typesize": itemsize}
            configuration = {**defaults, **configuration}
        completed.append({"configuration": configuration, "name": name} if configuration else {"name": name})
    if not any(codec["name"] == "bytes" for codec in completed):
        position = sum(1 for codec in completed if codec["name"] == "transpose")
        bytes_codec: dict[str, Any] = {"name": "bytes"}
        if itemsize > 1:
            bytes_codec["configuration"] = {"endian": "little"}
        completed.insert(position, bytes_codec)
    return tuple(completed)
