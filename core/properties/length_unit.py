"""Length units of voxel sizes: JSON names, abbreviations and their size in nanometers."""

from __future__ import annotations

from enum import Enum


class LengthUnit(str, Enum):
    """A unit of length; the value is the name used in JSON and NML (e.g. ``"nanometer"``).

    ``LengthUnit("nm")``, ``LengthUnit("µm")`` or ``LengthUnit("Micrometers")`` parse abbreviations,
    plurals and other capitalisations.
    """

    YOCTOMETER = "yoctometer"
    ZEPTOMETER = "zeptometer"
    ATTOMETER = "attometer"
    FEMTOMETER = "femtometer"
    PICOMETER = "picometer"
    NANOMETER = "nanometer"
    MICROMETER = "micrometer"
    MILLIMETER = "millimeter"
    CENTIMETER = "centimeter"
    DECIMETER = "decimeter"
    METER = "meter"
    HECTOMETER = "hectometer"
    KILOMETER = "kilometer"
    MEGAMETER = "megameter"
    GIGAMETER = "gigameter"
    TERAMETER = "terameter"
    PETAMETER = "petameter"
    EXAMETER = "exameter"
    ZETTAMETER = "zettameter"
    YOTTAMETER = "yottameter"
    ANGSTROM = "angstrom"
    INCH = "inch"
    FOOT = "foot"
    YARD = "yard"
    MILE = "mile"
    PARSEC = "parsec"

    def __str__(self) -> str:
        """``LengthUnit.NANOMETER`` (like a plain Enum, as in the reference); the JSON name is ``.value``."""
        return f"{type(self).__name__}.{self.name}"

    def __format__(self, format_spec: str) -> str:
        """Formats like ``str()`` (f-strings show ``LengthUnit.NANOMETER``)."""
        return format(str(self), format_spec)

    @property
    def nanometers(self) -> float:
        """How many nanometers one of this unit is."""
        return _NANOMETERS[self]

    def to_nanometer(self, value: float = 1.0) -> float:
        """Convert ``value`` given in this unit to nanometers."""
        return value * _NANOMETERS[self]

    @classmethod
    def parse(cls, text: str | LengthUnit) -> LengthUnit:
        """Parse a unit name, plural or abbreviation (``"nm"``, ``"um"``, ``"µm"``, ``"Å"``, ``"in"``)."""
        return cls(text)

    @classmethod
    def _missing_(cls, value: object) -> LengthUnit | None:
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text in _ABBREVIATIONS:
            return cls(_ABBREVIATIONS[text])
        lowered = text.lower().replace("ångström", "angstrom").replace("metre", "meter")
        plural = {"feet": "foot", "inches": "inch"}.get(lowered, lowered.removesuffix("s"))
        for candidate in (lowered, plural):
            if candidate in cls._value2member_map_:
                return cls._value2member_map_[candidate]  # type: ignore[return-value]
        return None


_UNIT_NAMES = frozenset(member.value for member in LengthUnit)


def length_unit_from_str(unit: str) -> LengthUnit:
    """The LengthUnit named exactly ``unit`` (``"nanometer"``) or by its symbol (``"nm"``, ``"µm"``, ``"Å"``).

    Unlike ``LengthUnit(...)`` it accepts no plurals or other capitalisations; ValueError for anything else.
    """
    if isinstance(unit, str):
        if unit in _UNIT_NAMES:
            return LengthUnit(unit)
        if unit in _ABBREVIATIONS:
            return LengthUnit(_ABBREVIATIONS[unit])
    raise ValueError(f"Unknown unit: {unit}")


DEFAULT_LENGTH_UNIT = LengthUnit.NANOMETER
DEFAULT_LENGTH_UNIT_STR = DEFAULT_LENGTH_UNIT.value

_METRIC_EXPONENTS = {
    "yocto": -24, "zepto": -21, "atto": -18, "femto": -15, "pico": -12, "nano": -9, "micro": -6,
    "milli": -3, "centi": -2, "deci": -1, "": 0, "hecto": 2, "kilo": 3, "mega": 6, "giga": 9,
    "tera": 12, "peta": 15, "exa": 18, "zetta": 21, "yotta": 24,
}  # fmt: skip

_NANOMETERS: dict[LengthUnit, float] = {
    LengthUnit(f"{prefix}meter"): 10.0 ** (exponent + 9) for prefix, exponent in _METRIC_EXPONENTS.items()
}
_NANOMETERS.update(
    {
        LengthUnit.NANOMETER: 1.0,
        LengthUnit.ANGSTROM: 0.1,
        LengthUnit.INCH: 25_400_000.0,
        LengthUnit.FOOT: 304_800_000.0,
        LengthUnit.YARD: 914_400_000.0,
        LengthUnit.MILE: 1_609_344_000_000.0,
        LengthUnit.PARSEC: 3.0856775814913673e25,
    }
)

# Case-sensitive symbols: "Mm" is a megameter, "mm" a millimeter.
_ABBREVIATIONS: dict[str, str] = {
    "ym": "yoctometer", "zm": "zeptometer", "am": "attometer", "fm": "femtometer", "pm": "picometer",
    "nm": "nanometer", "µm": "micrometer", "μm": "micrometer", "um": "micrometer", "mm": "millimeter",
    "cm": "centimeter", "dm": "decimeter", "m": "meter", "hm": "hectometer", "km": "kilometer",
    "Mm": "megameter", "Gm": "gigameter", "Tm": "terameter", "Pm": "petameter", "Em": "exameter",
    "Zm": "zettameter", "Ym": "yottameter", "\u00c5": "angstrom", "\u212b": "angstrom", "in": "inch",
    "ft": "foot", "yd": "yard", "mi": "mile", "pc": "parsec",
}  # fmt: skip
