"""Mag plans of the sampling modes, the default coarsest mag and the step checks."""

import pytest
from daedalus.core.sampling import (
    check_downsampling_step,
    check_upsampling_step,
    default_coarsest_mag,
    next_coarser_mag,
    plan_downsampling_mags,
    plan_upsampling_mags,
)

from daedalus import Mag, SamplingModes

EM = (11.24, 11.24, 28.0)


def test_anisotropic_follows_the_reference_fixture_mags():
    assert plan_downsampling_mags(Mag(1), Mag("4-4-2"), "anisotropic", EM) == [Mag(2, 2, 1), Mag(4, 4, 2)]
    assert plan_downsampling_mags(Mag(1), Mag(16), SamplingModes.ANISOTROPIC, EM) == [
        Mag(2, 2, 1),
        Mag(4, 4, 2),
        Mag(8, 8, 4),
        Mag(16, 16, 8),
    ]


def test_anisotropic_doubles_finest_axes_until_isotropic():
    assert next_coarser_mag(Mag(1), "anisotropic", (1, 1, 2)) == Mag(2, 2, 1)
    assert next_coarser_mag(Mag(2, 2, 1), "anisotropic", (1, 1, 2)) == Mag(4, 4, 2)  # isotropic now
    assert plan_downsampling_mags(Mag(1), Mag(8), "anisotropic", (1, 2, 4)) == [
        Mag(2, 1, 1),
        Mag(4, 2, 1),
        Mag(8, 4, 2),
    ]
    assert next_coarser_mag(Mag(1), "anisotropic", (1, 1, 1)) == Mag(2)
    assert next_coarser_mag(Mag(1), "anisotropic", (1, 1, 8)) == Mag(2, 2, 1)
    assert next_coarser_mag(Mag(4, 4, 1), "anisotropic", (1, 1, 8)) == Mag(8, 8, 1)


def test_isotropic_and_constant_z():
    assert plan_downsampling_mags(Mag(1), Mag(8), "isotropic", EM) == [Mag(2), Mag(4), Mag(8)]
    assert plan_downsampling_mags(Mag(1), Mag(8), "constant_z", EM) == [Mag(2, 2, 1), Mag(4, 4, 1), Mag(8, 8, 1)]
    assert plan_downsampling_mags(Mag(2, 2, 1), Mag(8), "isotropic", EM) == [Mag(4, 4, 2), Mag(8, 8, 4)]


def test_stops_at_max_of_coarsest_mag_and_can_be_empty():
    assert plan_downsampling_mags(Mag(1), Mag(8, 8, 8), "anisotropic", EM)[-1] == Mag(8, 8, 4)
    assert plan_downsampling_mags(Mag(4), Mag(4), "isotropic", EM) == []
    # no axis grows beyond coarsest_mag (as in the reference): the last step is capped
    assert plan_downsampling_mags(Mag(1), Mag(3), "isotropic", EM) == [Mag(2), Mag(3)]
    assert plan_downsampling_mags(Mag(1), Mag(4, 4, 1), "isotropic", EM) == [Mag(2, 2, 1), Mag(4, 4, 1)]
    assert plan_downsampling_mags(Mag(1), Mag(1, 1, 4), "constant_z", EM) == []


def test_aligned_mags_are_reused_then_the_scheme_continues():
    others = [Mag(1), Mag(2, 2, 1), Mag(4, 4, 1), Mag(3, 3, 3)]
    assert plan_downsampling_mags(Mag(1), Mag(4), "anisotropic", EM, others) == [Mag(2, 2, 1), Mag(4, 4, 1)]
    assert plan_downsampling_mags(Mag(1), Mag(8), "anisotropic", EM, others) == [
        Mag(2, 2, 1),
        Mag(4, 4, 1),
        Mag(4, 4, 2),
        Mag(8, 8, 4),
    ]


def test_default_coarsest_mag():
    assert default_coarsest_mag((200, 150, 60)) == Mag(4)  # the fixture layer: mags 1, 2-2-1, 4-4-2
    assert default_coarsest_mag((10, 10, 10)) == Mag(4)
    assert default_coarsest_mag((401, 20, 20)) == Mag(8)
    assert default_coarsest_mag((5000, 100, 100)) == Mag(64)


def test_upsampling_plans():
    assert plan_upsampling_mags(Mag(4, 4, 2), Mag(1), "anisotropic", EM) == [Mag(2, 2, 1), Mag(1)]
    assert plan_upsampling_mags(Mag(8), Mag(1), "isotropic", EM) == [Mag(4), Mag(2), Mag(1)]
    assert plan_upsampling_mags(Mag(8, 8, 1), Mag(2, 2, 1), "constant_z", EM) == [Mag(4, 4, 1), Mag(2, 2, 1)]
    assert plan_upsampling_mags(Mag(4), Mag(1), "anisotropic", EM) == [Mag(4, 4, 2), Mag(2, 2, 1), Mag(1)]
    with pytest.raises(ValueError, match="coarser"):
        plan_upsampling_mags(Mag(2), Mag(4), "isotropic", EM)


def test_step_checks():
    check_downsampling_step(Mag(1), Mag(4, 4, 2))
    check_downsampling_step(Mag(2, 2, 1), Mag(6, 6, 1))
    with pytest.raises(ValueError, match="finer"):
        check_downsampling_step(Mag(2), Mag(1))
    with pytest.raises(ValueError, match="integer multiple"):
        check_downsampling_step(Mag(2), Mag(3))
    with pytest.raises(ValueError, match="itself"):
        check_downsampling_step(Mag(2), Mag(2))
    check_upsampling_step(Mag(4, 4, 2), Mag(1))
    with pytest.raises(ValueError, match="integer multiple"):
        check_upsampling_step(Mag(4), Mag(3))


def test_unknown_sampling_mode():
    with pytest.raises(ValueError, match="Unknown sampling mode"):
        plan_downsampling_mags(Mag(1), Mag(4), "diagonal", EM)
