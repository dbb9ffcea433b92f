"""The ``warped`` representation: band edges, energy-keeping pooling, and the round trip of a
synthesised 44.1 kHz kick with a click (known band energies and attack)."""

import numpy as np
import pytest
import torch

from kickgan.errors import KickganError, ParameterError
from kickgan.audio.descriptors import NAMES, band_levels_db, describe
from kickgan.audio.preprocess import finish_edges
from kickgan.spectral import SpecConfig, make_representation
from kickgan.spectral.warp import band_edges, expand, n_linear, pool

SR, LENGTH, ONSET = 44100, 32768, 220
WARPED = {"kind": "warped", "sr": SR, "length": LENGTH, "n_fft": 2048, "n_freq": 128, "warp_hz": 2000.0}


def kick_with_click(attack_ms: float = 4.0, click: float = 0.3, seed: int = 0, click_ms: float = 4.0,
                    onset: int = ONSET) -> tuple[np.ndarray, np.ndarray]:
    """A 44.1 kHz kick ``[LENGTH]`` starting at ``onset``: a falling sine with a linear ``attack_ms``
    rise and a 250 ms decay, plus a white-noise click decaying in ``click_ms``; and the click alone."""
    t = np.arange(LENGTH - onset) / SR
    f = 50 + 130 * np.exp(-35 * t)
    env = np.minimum(t / (attack_ms / 1000), 1.0) * np.exp(-t / 0.25)
    noise = click * np.random.default_rng(seed).standard_normal(len(t)) * np.exp(-t / (click_ms / 1000))
    pad = np.zeros(onset)
    kick = np.concatenate([pad, np.sin(2 * np.pi * np.cumsum(f) / SR) * env + noise])
    return kick.astype(np.float32), np.concatenate([pad, noise])


def test_band_edges_keep_the_body_bins_and_cover_up_to_nyquist():
    edges = band_edges(SR, 2048, 128, 2000.0)
    lin = n_linear(SR, 2048, 2000.0)
    assert lin == 92  # 92 bins of 21.5 Hz: 0-1981 Hz kept one per row
    assert len(edges) == 129 and edges[: lin + 1] == tuple(range(lin + 1))
    widths = np.diff(edges)
    assert widths.min() >= 1 and edges[-1] == 1024  # every bin up to (not including) Nyquist, once
    assert widths[lin] < widths[-1]  # geometric: the bands widen towards the top
    assert 1 < widths[lin] <= 10 and widths[-1] > 60


def test_pool_keeps_every_band_energy_and_expand_then_pool_is_the_identity():
    edges = band_edges(SR, 2048, 128, 2000.0)
    mag = torch.rand(2, 1, 1025, 8, dtype=torch.float64)
    bands = pool(mag, edges)
    assert bands.shape == (2, 1, 128, 8)
    full = expand(bands, edges)
    assert full.shape == mag.shape and (full[..., -1, :] == 0).all()
    for i in (0, 91, 92, 127):
        a, b = edges[i], edges[i + 1]
        torch.testing.assert_close((full[..., a:b, :] ** 2).sum(-2), (mag[..., a:b, :] ** 2).sum(-2))
    torch.testing.assert_close(pool(full, edges), bands)
    torch.testing.assert_close(full[..., :92, :], mag[..., :92, :])  # the body bins pass unchanged


@pytest.mark.parametrize("warp_hz, reason", [(10.0, "keeps 0 linear bins"), (3000.0, "leaves -11 of n_freq = 128")])
def test_a_warp_that_does_not_fit_the_rows_is_refused_naming_warp_hz(warp_hz, reason):
    with pytest.raises(ParameterError, match=f"^warp_hz: .*{reason}"):
        SpecConfig(**{**WARPED, "hop_length": 256, "warp_hz": warp_hz})


def test_round_trip_keeps_the_click_band_energies_and_the_attack():
    y, click = kick_with_click()
    # known answer: white noise spreads its energy evenly up to Nyquist, the body has none above 4 kHz
    expected_db = 10 * np.log10((click**2).sum() * np.array([4000, 8000]) / (SR / 2) / (y.astype(np.float64) ** 2).sum())
    np.testing.assert_allclose(band_levels_db(y[None], SR)[0, 1:], expected_db, atol=0.6)
    attack = NAMES.index("attack_ms")
    assert abs(describe(y[None], SR)[0, attack] - 4.0) < 0.5  # 10-90 % of a 4 ms ramp, 5 ms smoothing
    rep = make_representation(SpecConfig(**WARPED, hop_length=128)).fit(np.stack([y, kick_with_click(seed=1)[0]]))
    spec = rep.encode(torch.from_numpy(y)[None, None])
    assert spec.shape == (1, 1, 128, 256) and spec.abs().max() <= 1.0
    out = rep.decode(spec)[:, 0].numpy()
    np.testing.assert_allclose(band_levels_db(out, SR)[0, 1:], expected_db, atol=0.6)
    assert abs(describe(out, SR)[0, attack] - describe(y[None], SR)[0, attack]) < 0.5
    assert np.abs(out[0, : ONSET // 2]).max() < 0.05 * np.abs(out).max()  # little pre-echo before the onset


def test_statistics_of_another_warp_are_refused(tmp_path):
    clips = np.stack([kick_with_click(seed=s)[0] for s in range(2)])
    rep = make_representation(SpecConfig(**WARPED, hop_length=256)).fit(clips)
    rep.save_stats(tmp_path / "stats.safetensors")
    other = make_representation(SpecConfig(**{**WARPED, "warp_hz": 1500.0}, hop_length=256))
    with pytest.raises(KickganError, match="warp_hz 2000.0 != 1500.0"):
        other.load_stats(tmp_path / "stats.safetensors")


def test_a_lead_keeps_the_click_of_a_kick_that_starts_at_the_clip_start():
    """A 1 ms click 1 ms into the clip, as the builder leaves real kicks (2 ms before the -30 dB
    onset): without ``lead`` the first frames see it cut by the clip's start and the finished round
    trip loses 5-8 dB of its high bands; with 512 samples of silence put before the clip (and cut
    after decoding) it keeps them within 2.5 dB (the rest is the finishing's 0.5 ms fade-in)."""
    y, click = kick_with_click(attack_ms=0.5, click=0.5, click_ms=1.0, onset=44)
    expected_db = 10 * np.log10((click**2).sum() * np.array([4000, 8000]) / (SR / 2) / (y.astype(np.float64) ** 2).sum())
    errors = {}
    for lead in (0, 512):
        cfg = SpecConfig(**WARPED, hop_length=256, lead=lead)
        rep = make_representation(cfg).fit(np.stack([y, kick_with_click(seed=1)[0]]))
        out = rep.decode(rep.encode(torch.from_numpy(y)[None, None]))[0, 0].numpy()
        assert out.shape == y.shape
        if lead:  # the lead is cut again: the attack is not delayed
            assert abs(int(np.abs(out).argmax()) - int(np.abs(y).argmax())) < 64
        finished = finish_edges(out, SR)
        errors[lead] = band_levels_db(finished[None], SR)[0, 1:] - expected_db
    assert (errors[0] < -4.0).all()  # the click's bands lost
    assert (np.abs(errors[512]) < 2.5).all()


def test_a_lead_is_refused_beyond_a_quarter_of_the_clip():
    with pytest.raises(ParameterError, match=r"lead: must be in \[0, length/4 = 8192\]"):
        SpecConfig(**WARPED, lead=9000)
