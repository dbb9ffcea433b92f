"""Memorisation flags and names copies; density and coverage give their known answers."""

import numpy as np
import pytest

from kickgan.errors import ParameterError
from kickgan.metrics.coverage import density_coverage
from kickgan.metrics.features import Features
from kickgan.metrics.memorisation import COPY_RATIO, leave_one_out_nn, memorisation_metric, nn_ratios


def features(names, mel, emb):
    n = len(names)
    return Features(list(names), 16000, emb, mel, np.zeros((n, 1)), np.ones((n, 4)), np.zeros((n, 3), bool),
                    np.zeros((n, 3)), np.zeros((n, 3)))


def test_leave_one_out_nn_of_points_on_a_line():
    y = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(leave_one_out_nn(y), [1.0, 1.0, 2.0, 4.0])


def test_nn_ratio_is_relative_to_the_training_sets_own_spacing():
    train = np.array([[0.0], [1.0], [3.0], [7.0]])  # LOO NN distances 1, 1, 2, 4 -> median 1.5
    ratios, idx = nn_ratios(np.array([[3.0], [5.5], [10.0]]), train)
    np.testing.assert_allclose(ratios, [0.0, 1.5 / 1.5, 3.0 / 1.5])
    np.testing.assert_array_equal(idx, [2, 3, 3])


def test_memorisation_flags_an_exact_copy_and_names_it(rng):
    train = features([f"train/kick_{i}.wav" for i in range(20)], rng.standard_normal((20, 64)), rng.standard_normal((20, 8)))
    gen_mel, gen_emb = rng.standard_normal((10, 64)), rng.standard_normal((10, 8))
    gen_mel[4], gen_emb[4] = train.mel[13], train.emb[13]
    gen = features([f"kick_s{i:06d}" for i in range(10)], gen_mel, gen_emb)
    out = memorisation_metric(gen, None, train)
    assert out["mem/near_copies"] == 1
    assert out["mem/near_copy_fraction"] == pytest.approx(0.1)
    assert out["mem/near_copy_names"] == "kick_s000004 ~ train/kick_13.wav (0.000)"
    assert out["mem/nn_ratio_median/logmel"] > COPY_RATIO and out["mem/nn_ratio_median/aisfx-512"] > COPY_RATIO


def test_memorisation_needs_two_training_clips(rng):
    one = features(["a"], rng.standard_normal((1, 4)), rng.standard_normal((1, 2)))
    with pytest.raises(ParameterError, match="at least 2 training clips"):
        memorisation_metric(one, None, one)


def test_density_and_coverage_on_a_grid():
    real = np.arange(10.0)[:, None]  # k=1: every ball has radius 1
    density, coverage = density_coverage(real, np.array([[0.5]]), k=1)
    assert density == pytest.approx(2.0)  # inside the balls of 0 and 1
    assert coverage == pytest.approx(0.2)
    assert density_coverage(real, np.array([[100.0]]), k=1) == (0.0, 0.0)


def test_same_distribution_gives_density_and_coverage_near_one(rng):
    real, fake = rng.standard_normal((500, 4)), rng.standard_normal((500, 4))
    density, coverage = density_coverage(real, fake, k=5)
    assert density == pytest.approx(1.0, abs=0.15)
    assert coverage > 0.9
    with pytest.raises(ParameterError, match="k must be"):
        density_coverage(real[:3], fake, k=5)
