"""How a kick file starts and ends: known answers for first-sample level, rise and end level."""

import numpy as np
import pytest

from kickgan.errors import ParameterError
from kickgan.metrics.edges import early_level_db, edge_summary, edges_metric, end_level_db, first_sample_db, rise_ms

SR = 1000  # one sample per ms: known answers in whole samples


def test_known_answers():
    y = np.zeros((2, 100))
    y[0, :50] = np.linspace(0.0, 1.0, 50)  # a linear ramp: 10 % at sample 5, 50 % at sample 25
    y[0, 50:] = 0.2  # still at -14 dB of the peak 20 to 10 ms before the end: a cut tail
    y[1, 0], y[1, 10] = 0.5, -1.0  # starts at -6 dB of its peak
    assert first_sample_db(y) == pytest.approx([-120.0, 20 * np.log10(0.5)])
    assert rise_ms(y, SR) == pytest.approx([(25 - 5) * 1.0, 0.0])  # 0.5 >= 50 % from its first sample on
    assert end_level_db(y, SR) == pytest.approx([20 * np.log10(0.2), -120.0])
    summary = edge_summary(y, SR)
    assert summary["pop_share"] == 0.5 and summary["cut_share"] == 0.5
    assert summary["rise_ms_median"] == pytest.approx(10.0)


def test_a_kick_that_swells_is_told_from_one_that_hits():
    hit = np.exp(-np.arange(200) / 40.0)  # its peak at the onset
    swell = np.concatenate([np.linspace(0.1, 0.25, 10), np.linspace(0.25, 1.0, 40), np.exp(-np.arange(150) / 40.0)])
    # the swell's onset is its first sample (10 % of the peak); its first 10 ms reach 0.25 (-12 dB)
    levels = early_level_db(np.stack([hit, swell]), SR)
    assert levels == pytest.approx([0.0, 20 * np.log10(0.25)], abs=1e-3)
    summary = edge_summary(np.stack([hit, swell, swell]), SR)
    assert summary["swell_share"] == pytest.approx(2 / 3) and summary["early_db_median"] == pytest.approx(levels[1], abs=1e-3)
    assert np.isnan(early_level_db(np.zeros((1, 10)), SR))[0]


def test_silence_is_nan_and_bad_shapes_are_parameter_errors():
    assert np.isnan(first_sample_db(np.zeros((1, 10))))[0]
    assert np.isnan(rise_ms(np.zeros((1, 10)), SR))[0]
    with pytest.raises(ParameterError, match=r"\[N,T\]"):
        first_sample_db(np.zeros(10))


def test_the_metric_reports_both_sets_and_counts_pops_and_cut_tails():
    from kickgan.metrics.features import Features

    def feats(clips):
        n = len(clips)
        edges = np.stack([first_sample_db(clips), rise_ms(clips, SR), end_level_db(clips, SR), early_level_db(clips, SR)],
                         axis=1)
        return Features([str(i) for i in range(n)], SR, *(np.zeros((n, 1)),) * 5, np.zeros((n, 3)), edges)

    ramp = np.linspace(0.0, 1.0, 100)[::-1].copy()  # starts at its peak; 19/99 of it (-14 dB) 20 ms before the end
    quiet = np.concatenate([np.linspace(0.0, 1.0, 50), np.zeros(50)])
    out = edges_metric(feats(np.stack([ramp, ramp, quiet])), feats(np.stack([quiet, quiet])))
    assert out["edge/pop_share"] == pytest.approx(2 / 3) and out["edge/ref/pop_share"] == 0.0
    assert out["edge/first_db_median"] == pytest.approx(0.0) and out["edge/ref/first_db_median"] == -120.0
    assert out["edge/cut_share"] == pytest.approx(2 / 3) and out["edge/ref/cut_share"] == 0.0
    assert out["edge/ref/rise_ms_median"] == pytest.approx(20.0)
    # quiet's onset is sample 5 (10 %), its first 10 ms reach sample 14 (14/49 of the peak, -10.9 dB): it swells
    assert out["edge/swell_share"] == pytest.approx(1 / 3) and out["edge/ref/swell_share"] == 1.0
    assert out["edge/ref/early_db_median"] == pytest.approx(20 * np.log10(14 / 49))
