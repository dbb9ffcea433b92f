"""Representation as a module: statistics, save/load bit for bit, shapes and clear errors."""

import numpy as np
import pytest
import torch
from test_spectral_roundtrip import LENGTH, kicks

from kickgan.errors import KickganError
from kickgan.spectral import PRESETS, SpecConfig, make_representation
from kickgan.spectral.representations import log_magnitude


@pytest.fixture(scope="module")
def clips() -> np.ndarray:
    return kicks()


def test_fit_gives_the_per_bin_mean_and_std_of_the_log_magnitude(clips):
    cfg = SpecConfig(kind="logmag")
    rep = make_representation(cfg).fit(clips)
    s = log_magnitude(torch.from_numpy(clips)[:, None], cfg).double()  # [4,1,F,N]
    torch.testing.assert_close(rep.mean.double(), s.mean(dim=(0, 1, 3)), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(rep.std.double(), s.std(dim=(0, 1, 3), correction=0), rtol=1e-4, atol=1e-5)
    spec = rep.encode(torch.from_numpy(clips)[:, None])
    assert spec.abs().max() <= 1.0 and abs(spec.mean().item()) < 0.02  # z-scored, then / clip_nstd


@pytest.mark.parametrize("kind", ["logmag", "warped", "mag_if"])
def test_statistics_survive_save_and_load_bit_for_bit(tmp_path, clips, kind):
    rep = make_representation(SpecConfig(kind=kind)).fit(clips)
    rep.save_stats(tmp_path / "stats.safetensors")
    loaded = make_representation(SpecConfig(kind=kind)).load_stats(tmp_path / "stats.safetensors")
    for key, value in rep.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    wave = torch.from_numpy(clips[:1])[:, None]
    assert torch.equal(rep.encode(wave), loaded.encode(wave))
    assert [p.name for p in tmp_path.iterdir()] == ["stats.safetensors"]  # no temporary file left


def test_state_dict_round_trip_through_torch_save(tmp_path, clips):
    rep = make_representation(SpecConfig()).fit(clips)
    torch.save(rep.state_dict(), tmp_path / "ckpt.pt")
    other = make_representation(SpecConfig())
    other.load_state_dict(torch.load(tmp_path / "ckpt.pt", weights_only=True))
    assert all(torch.equal(v, other.state_dict()[k]) for k, v in rep.state_dict().items())
    assert bool(other.fitted)


def test_load_stats_refuses_another_representation(tmp_path, clips):
    make_representation(SpecConfig()).fit(clips).save_stats(tmp_path / "stats.safetensors")
    with pytest.raises(KickganError, match=r"statistics of another representation \(n_fft 512 != 1024\)"):
        make_representation(SpecConfig.preset("kick_lf")).load_stats(tmp_path / "stats.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(KickganError, match="bad.safetensors: cannot read representation statistics"):
        make_representation(SpecConfig()).load_stats(tmp_path / "bad.safetensors")


def test_encode_before_fit_is_refused():
    rep = make_representation(SpecConfig())
    with pytest.raises(KickganError, match="logmag: statistics not fitted; call fit"):
        rep.encode(torch.zeros(1, 1, LENGTH))


def test_bad_shapes_are_refused_with_the_expected_shape(clips):
    rep = make_representation(SpecConfig()).fit(clips)
    with pytest.raises(KickganError, match=r"encode: wave: expected \[B, 1, 16384\] \(got \[2, 16384\]\)"):
        rep.encode(torch.zeros(2, LENGTH))
    with pytest.raises(KickganError, match=r"decode: spec: expected \[B, 1, 256, 128\]"):
        rep.decode(torch.zeros(2, 1, 128, 128))
    with pytest.raises(KickganError, match=r"fit: expected clips \[N, 16384\]"):
        rep.fit(clips[:, :100])


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("kind", ["logmag", "warped", "complex", "mag_if", "wave"])
def test_encode_and_decode_shapes_for_every_configuration(clips, name, kind):
    rep = make_representation(SpecConfig.preset(name, kind=kind, inversion="auto")).fit(clips)
    wave = torch.from_numpy(clips[:2])[:, None]
    spec = rep.encode(wave)
    assert spec.shape == (2, *rep.shape) and spec.dtype == torch.float32
    assert rep.decode(spec).shape == (2, 1, LENGTH)


def test_kinds_without_statistics_have_no_buffers(clips):
    for kind in ("complex", "wave"):
        rep = make_representation(SpecConfig(kind=kind)).fit(clips)
        assert rep.state_dict() == {}
