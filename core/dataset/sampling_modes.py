"""SamplingModes: how mags are chosen when downsampling (anisotropic, isotropic, constant z)."""

from __future__ import annotations

from enum import Enum


class SamplingModes(Enum):
    """The schemes for picking the next coarser mag."""

    ANISOTROPIC = "anisotropic"
    ISOTROPIC = "isotropic"
    CONSTANT_Z = "constant_z"

    @classmethod
    def parse(cls, mode: str | SamplingModes) -> SamplingModes:
        """The mode named by ``mode`` (a SamplingModes or its value); ValueError listing the choices."""
        if isinstance(mode, SamplingModes):
            return mode
        try:
            return cls(str(mode))  # exact values only, like the reference ("ANISOTROPIC" is refused)
        except ValueError:
            raise ValueError(f"Unknown sampling mode {mode!r}; use one of {[m.value for m in cls]}.") from None
