"""Decodes WEBKNOSSOS's ``AgglomerateGraph`` protobuf message (the tracingstore's agglomerate graph reply).

The message (package ``com.scalableminds.webknossos.datastore``): 1 ``segments`` repeated int64, 2 ``edges``
repeated ``AgglomerateEdge`` {1 source int64, 2 target int64}, 3 ``positions`` repeated ``Vec3IntProto``
{1 x, 2 y, 3 z int32}, 4 ``affinities`` repeated float. Packed and unpacked repeated scalars are both accepted.
A reply from a server is untrusted: truncated or malformed bytes raise ValueError naming the offset.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


class _Reader:
    """Walks the fields of one protobuf message in ``data``."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = memoryview(data)
        self.what = what

    def _error(self, offset: int, message: str) -> ValueError:
        return ValueError(f"Malformed {self.what} (protobuf) at byte {offset}: {message}")

    def varint(self, offset: int) -> tuple[int, int]:
        value, shift = 0, 0
        while True:
            if offset >= len(self.data):
                raise self._error(offset, "the data ends inside a varint")
            byte = self.data[offset]
            offset += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value, offset
            shift += 7
            if shift > 63:
                raise self._error(offset, "a varint longer than 10 bytes")

    def fields(self) -> Iterator[tuple[int, int, int | bytes]]:
        """``(field number, wire type, value)``: ints for varints and fixed values, bytes for length-delimited."""
        offset = 0
        while offset < len(self.data):
            key, offset = self.varint(offset)
            number, wire = key >> 3, key & 7
            if wire == _VARINT:
                value, offset = self.varint(offset)
                yield number, wire, value
            elif wire in (_FIXED64, _FIXED32):
                size = 8 if wire == _FIXED64 else 4
                if offset + size > len(self.data):
                    raise self._error(offset, f"the data ends inside a {size * 8}-bit field {number}")
                yield number, wire, int.from_bytes(self.data[offset : offset + size], "little")
                offset += size
            elif wire == _LENGTH:
                length, offset = self.varint(offset)
                if offset + length > len(self.data):
                    raise self._error(offset, f"field {number} claims {length} bytes, {len(self.data) - offset} remain")
                yield number, wire, bytes(self.data[offset : offset + length])
                offset += length
            else:
                raise self._error(offset, f"unsupported wire type {wire} of field {number}")


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _packed_varints(payload: bytes, what: str) -> list[int]:
    reader, offset, values = _Reader(payload, what), 0, []
    while offset < len(payload):
        value, offset = reader.varint(offset)
        values.append(_signed64(value))
    return values


def _message_ints(payload: bytes, what: str, numbers: tuple[int, ...]) -> list[int]:
    values = dict.fromkeys(numbers, 0)
    for number, _, value in _Reader(payload, what).fields():
        if number in values and isinstance(value, int):
            values[number] = _signed64(value)
    return [values[n] for n in numbers]


def _float32(bits: int) -> float:
    return struct.unpack("<f", bits.to_bytes(4, "little"))[0]


def decode_agglomerate_graph(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(segments uint64 (N,), edges uint64 (E, 2), positions int64 (N, 3), affinities float32 (E,))``."""
    what = "AgglomerateGraph message"
    segments: list[int] = []
    edges: list[list[int]] = []
    positions: list[list[int]] = []
    affinities: list[float] = []
    for number, _, value in _Reader(data, what).fields():
        packed = isinstance(value, bytes)
        if number == 1:
            segments.extend(_packed_varints(value, what) if isinstance(value, bytes) else [_signed64(value)])
        elif number == 2 and isinstance(value, bytes):
            edges.append(_message_ints(value, "AgglomerateEdge", (1, 2)))
        elif number == 3 and isinstance(value, bytes):
            positions.append(_message_ints(value, "Vec3IntProto", (1, 2, 3)))
        elif number == 4 and not packed:
            affinities.append(_float32(int(value)))
        elif number == 4 and isinstance(value, bytes):
            if len(value) % 4:
                raise ValueError(f"Malformed {what}: packed affinities of {len(value)} bytes, not a multiple of 4")
            affinities.extend(np.frombuffer(value, dtype="<f4").tolist())
    # Vec3IntProto holds int32: a negative int32 is sent as a 64-bit two's complement varint, undone above.
    return (
        np.array(segments, dtype=np.int64).astype(np.uint64),
        np.array(edges, dtype=np.int64).reshape(-1, 2).astype(np.uint64),
        np.array(positions, dtype=np.int64).reshape(-1, 3),
        np.array(affinities, dtype=np.float32),
    )
