"""Maps the folders core/, adapters/ and plugins/ into the daedalus namespace (see pyproject.toml)."""

from setuptools import find_packages, setup

_INNER = ("core", "adapters", "plugins")
packages = (
    ["daedalus"]
    + [f"daedalus.{name}" for name in find_packages(where="daedalus")]  # daedalus.dataset, daedalus.annotation
    + [f"daedalus.{name}" for name in find_packages(include=[f"{p}" for p in _INNER] + [f"{p}.*" for p in _INNER])]
)
setup(packages=packages)
