"""Parsing and validating the 16-byte WKW header (of ``header.wkw`` and of every ``x{i}.wkw`` file).

The ``wkw`` library trusts its headers: a ``header.wkw`` claiming 2^12 blocks per file axis makes it allocate
a 512 GiB block table and abort the process. Every header is therefore checked here before the library
sees it. Layout (little endian), as the ``wkw`` library writes it:

======  ======================================================================================
bytes   field
======  ======================================================================================
0-2     magic ``b"WKW"``
3       version, always 1
4       low nibble: log2 of the block edge in voxels; high nibble: log2 of the file edge in blocks
5       block type: 1 raw, 2 LZ4, 3 LZ4HC
6       voxel type: 1 uint8, 2 uint16, 3 uint32, 4 uint64, 5 float32, 6 float64, 7 int8, 8 int16,
        9 int32, 10 int64
7       bytes per voxel (all channels): number of channels times the voxel type's size
8-15    data offset: 0 in ``header.wkw``; in a data file 16 (raw) or 16 + 8 * blocks (compressed,
        the block table follows the header)
======  ======================================================================================

The size limits (``MAX_BLOCK_LEN_LOG2``, ``MAX_FILE_LEN_LOG2``, ``MAX_BLOCK_BYTES``) lie far above what
WEBKNOSSOS and the ``wkw`` library write (32³ blocks, 1 to 32 blocks per file axis) and keep the memory the
library allocates per file (block table, one decompressed block) below a few hundred MiB.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np
from daedalus.core.errors import ArrayException

__all__ = [
    "HEADER_BYTES",
    "MAX_BLOCK_BYTES",
    "MAX_BLOCK_LEN_LOG2",
    "MAX_FILE_LEN_LOG2",
    "WkwHeaderError",
    "WkwHeaderFields",
    "check_data_file",
    "parse_header",
    "read_header_file",
]

HEADER_BYTES = 16
"""Size of a WKW header (``header.wkw`` is exactly this; data files start with one)."""
MAX_BLOCK_LEN_LOG2 = 7
"""Largest accepted log2 of the block edge (128 voxels; WEBKNOSSOS writes 5, i.e. 32)."""
MAX_FILE_LEN_LOG2 = 7
"""Largest accepted log2 of the file edge in blocks (128; the block table then has 16 MiB)."""
MAX_BLOCK_BYTES = 256 * 1024**2
"""Largest accepted size of one decompressed block (edge³ times bytes per voxel)."""

_MAGIC = b"WKW"
_VERSION = 1
_RAW, _LZ4, _LZ4HC = 1, 2, 3
_BLOCK_TYPES = {_RAW: "raw", _LZ4: "LZ4", _LZ4HC: "LZ4HC"}
_VOXEL_TYPES = {
    1: np.dtype("uint8"),
    2: np.dtype("uint16"),
    3: np.dtype("uint32"),
    4: np.dtype("uint64"),
    5: np.dtype("float32"),
    6: np.dtype("float64"),
    7: np.dtype("int8"),
    8: np.dtype("int16"),
    9: np.dtype("int32"),
    10: np.dtype("int64"),
}
_TABLE_ENTRY_BYTES = 8


class WkwHeaderError(ValueError, ArrayException):
    """A WKW header (``header.wkw`` or a data file's) is malformed, implausible or does not fit its file."""


class WkwHeaderFields(NamedTuple):
    """The decoded fields of a valid WKW header."""

    version: int
    block_len_log2: int
    file_len_log2: int
    block_type: int
    voxel_type: np.dtype
    voxel_size: int
    data_offset: int

    @property
    def block_len(self) -> int:
        """Block edge in voxels."""
        return 1 << self.block_len_log2

    @property
    def file_len(self) -> int:
        """File edge in blocks."""
        return 1 << self.file_len_log2

    @property
    def blocks_per_file(self) -> int:
        """Blocks in one data file (``file_len³``)."""
        return 1 << (3 * self.file_len_log2)

    @property
    def num_channels(self) -> int:
        """Channels per voxel."""
        return self.voxel_size // self.voxel_type.itemsize

    @property
    def compressed(self) -> bool:
        """Whether blocks are LZ4 / LZ4HC compressed."""
        return self.block_type in (_LZ4, _LZ4HC)

    def data_file_offset(self) -> int:
        """The data offset a data file of this header has: after the header and, when compressed, the block table."""
        return HEADER_BYTES + (self.blocks_per_file * _TABLE_ENTRY_BYTES if self.compressed else 0)

    def raw_file_bytes(self) -> int:
        """Size of a raw (uncompressed) data file of this header."""
        voxels = 1 << (3 * (self.block_len_log2 + self.file_len_log2))
        return self.data_file_offset() + voxels * self.voxel_size


def _refuse(file: object, field: str, problem: str, fix: str) -> WkwHeaderError:
    return WkwHeaderError(f"Invalid WKW header in {file}: {field} {problem}. {fix}")


_RESTORE = "The file is corrupt or was not written by a WKW writer; restore it from a backup or re-export the data."


def parse_header(data: bytes, file: object, *, in_data_file: bool = False) -> WkwHeaderFields:
    """Decode and validate the first 16 bytes of ``data`` (read from ``file``, named in errors).

    ``in_data_file`` selects which data offsets are valid: 0 (or a data file's offset) in ``header.wkw``,
    exactly the data file's offset in an ``x{i}.wkw`` file. Raises WkwHeaderError naming the field.
    """
    if len(data) < HEADER_BYTES:
        raise _refuse(file, "length", f"is {len(data)} bytes, a WKW header has {HEADER_BYTES}", _RESTORE)
    magic, version, lengths, block_type, voxel_code, voxel_size, data_offset = struct.unpack(
        "<3sBBBBBQ", bytes(data[:HEADER_BYTES])
    )
    if magic != _MAGIC:
        raise _refuse(file, "magic", f"is {magic!r}, not {_MAGIC!r}", _RESTORE)
    if version != _VERSION:
        raise _refuse(file, "version", f"is {version}; only WKW version {_VERSION} exists", _RESTORE)
    block_len_log2, file_len_log2 = lengths & 0x0F, lengths >> 4
    if block_len_log2 > MAX_BLOCK_LEN_LOG2:
        raise _refuse(
            file,
            "block length (byte 4, low nibble)",
            f"claims 2^{block_len_log2} voxels per block edge, more than the limit 2^{MAX_BLOCK_LEN_LOG2}",
            _RESTORE,
        )
    if file_len_log2 > MAX_FILE_LEN_LOG2:
        raise _refuse(
            file,
            "file length (byte 4, high nibble)",
            f"claims 2^{file_len_log2} blocks per file edge, more than the limit 2^{MAX_FILE_LEN_LOG2} "
            f"(its block table alone would take {(1 << 3 * file_len_log2) * _TABLE_ENTRY_BYTES} bytes)",
            _RESTORE,
        )
    if block_type not in _BLOCK_TYPES:
        raise _refuse(file, "block type (byte 5)", f"is {block_type}; valid are 1 (raw), 2 (LZ4), 3 (LZ4HC)", _RESTORE)
    voxel_type = _VOXEL_TYPES.get(voxel_code)
    if voxel_type is None:
        raise _refuse(file, "voxel type (byte 6)", f"is {voxel_code}; valid are 1 to 10", _RESTORE)
    if voxel_size == 0 or voxel_size % voxel_type.itemsize:
        raise _refuse(
            file,
            "voxel size (byte 7)",
            f"is {voxel_size} bytes, not a positive multiple of the {voxel_type} size {voxel_type.itemsize}",
            _RESTORE,
        )
    block_bytes = (1 << 3 * block_len_log2) * voxel_size
    if block_bytes > MAX_BLOCK_BYTES:
        raise _refuse(
            file,
            "block length and voxel size (bytes 4 and 7)",
            f"give {block_bytes} bytes per block, more than the limit of {MAX_BLOCK_BYTES}",
            _RESTORE,
        )
    fields = WkwHeaderFields(version, block_len_log2, file_len_log2, block_type, voxel_type, voxel_size, data_offset)
    valid_offsets = (fields.data_file_offset(),) if in_data_file else (0, fields.data_file_offset())
    if data_offset not in valid_offsets:
        raise _refuse(
            file,
            "data offset (bytes 8-15)",
            f"is {data_offset}; for this header it must be {' or '.join(map(str, valid_offsets))}",
            _RESTORE,
        )
    return fields


def read_header_file(path: Path) -> WkwHeaderFields:
    """Read and validate the ``header.wkw`` at ``path`` (reads at most 17 bytes; it must be exactly 16)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(HEADER_BYTES + 1)
    except OSError as error:
        raise WkwHeaderError(f"Cannot read WKW header {path}: {error}.") from error
    if len(data) > HEADER_BYTES:
        raise _refuse(
            path, "length", f"is more than {HEADER_BYTES} bytes, a header.wkw has exactly {HEADER_BYTES}", _RESTORE
        )
    return parse_header(data, path)


def check_data_file(path: Path, expected: WkwHeaderFields, size: int, head: bytes, read_table) -> None:
    """Check the data file ``path`` (``size`` bytes, starting with ``head``) against its array's header.

    ``read_table(count)`` reads the next ``count`` bytes (the block table of a compressed file). Raises
    WkwHeaderError naming the file and what does not fit.
    """
    fix = "Delete or restore the file; a missing file reads as zeros."
    fields = parse_header(head, path, in_data_file=True)
    for name in ("block_len_log2", "file_len_log2", "block_type", "voxel_type", "voxel_size"):
        if getattr(fields, name) != getattr(expected, name):
            raise _refuse(
                path,
                name.replace("_", " "),
                f"is {getattr(fields, name)} but header.wkw of the array says {getattr(expected, name)}",
                fix,
            )
    if not fields.compressed:
        if size != fields.raw_file_bytes():
            raise _refuse(path, "file size", f"is {size} bytes; the header implies {fields.raw_file_bytes()}", fix)
        return
    blocks = fields.blocks_per_file
    if size < fields.data_file_offset():
        raise _refuse(
            path,
            "block table",
            f"is truncated: the file has {size} bytes, the table needs {fields.data_file_offset()}",
            fix,
        )
    table = np.frombuffer(read_table(blocks * _TABLE_ENTRY_BYTES), dtype="<u8")
    if table.size != blocks:
        raise _refuse(path, "block table", f"is truncated ({table.size} of {blocks} entries)", fix)
    ends = table.astype(np.int64)
    if int(table[-1]) != size or np.any(np.diff(ends) <= 0) or int(ends[0]) <= fields.data_file_offset():
        raise _refuse(
            path,
            "block table",
            f"ends at byte {int(table[-1])} but the file has {size} bytes (or its entries are out of order)",
            fix,
        )
