"""Known answers for the Frechet distance and KID."""

import numpy as np
import pytest
import scipy.linalg

from kickgan.errors import ParameterError
from kickgan.metrics.frechet import frechet_distance, gaussian_stats
from kickgan.metrics.kid import kernel_distance, mmd2_unbiased


def test_fd_of_diagonal_gaussians_matches_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    var1, var2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)  # 5 + 1 + 1 + 4
    assert frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(11.0)


def test_fd_of_full_covariances_matches_sqrtm_formula(rng):
    a, b = rng.standard_normal((6, 6)), rng.standard_normal((6, 6))
    s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    mu1, mu2 = rng.standard_normal(6), rng.standard_normal(6)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_fd_from_samples_approaches_the_gaussians_distance(rng):
    x = rng.normal([0, 0], [1, 2], size=(20000, 2))
    y = rng.normal([1, 0], [2, 2], size=(20000, 2))
    fd = frechet_distance(*gaussian_stats(x), *gaussian_stats(y))
    assert fd == pytest.approx(1.0 + 1.0, abs=0.1)  # |dmu|^2 = 1, (sqrt(1)-sqrt(4))^2 = 1


@pytest.mark.parametrize("n", [50, 300])  # fewer samples than dimensions: singular covariances
def test_fd_of_a_set_with_itself_is_zero(rng, n):
    x = rng.standard_normal((n, 128))
    stats = gaussian_stats(x)
    assert frechet_distance(*stats, *stats) == pytest.approx(0.0, abs=1e-6)


def test_fd_refuses_mismatched_shapes():
    with pytest.raises(ParameterError, match="shapes differ"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ParameterError, match="at least 2 samples"):
        gaussian_stats(np.zeros((1, 4)))


def test_kid_is_about_zero_for_one_distribution_and_positive_for_two(rng):
    x, y = rng.standard_normal((400, 16)), rng.standard_normal((400, 16))
    same, same_std = kernel_distance(x, y, n_subsets=20, subset_size=200)
    other, other_std = kernel_distance(x, y + 0.5, n_subsets=20, subset_size=200)
    assert abs(same) < 3 * same_std + 1e-3
    assert other > 10 * other_std and other > 20 * abs(same)


def test_mmd2_unbiased_matches_a_direct_double_sum(rng):
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    k = lambda a, b: (a @ b / 3 + 1) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(5) for j in range(5) if i != j) / 20
    yy = sum(k(y[i], y[j]) for i in range(4) for j in range(4) if i != j) / 12
    xy = sum(k(x[i], y[j]) for i in range(5) for j in range(4)) / 20
    assert mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy)


def test_kid_refuses_tiny_sets():
    with pytest.raises(ParameterError, match="at least 2"):
        kernel_distance(np.zeros((1, 3)), np.zeros((5, 3)))


@pytest.mark.parametrize("m", [30, 40])
def test_kid_spread_where_a_subset_is_a_whole_set_is_the_jackknife_error(rng, m):
    x, y = rng.normal(size=(m, 4)), rng.normal(size=(30, 4)) + 0.3
    mean, std = kernel_distance(x, y, n_subsets=10, subset_size=1000)  # every subset holds all of y
    if m == 30:  # and all of x: every subset is the same
        assert mean == pytest.approx(mmd2_unbiased(x, y))
    loo_x = [mmd2_unbiased(np.delete(x, i, 0), y) for i in range(len(x))]
    loo_y = [mmd2_unbiased(x, np.delete(y, j, 0)) for j in range(len(y))]
    expected = np.sqrt((len(x) - 1) * np.var(loo_x) + (len(y) - 1) * np.var(loo_y))
    assert std == pytest.approx(expected, rel=1e-9) and std > 0
