"""Round-trip metrics (known answers) and `kickgan bench spectral` end to end on a few kicks."""

import json

import pytest
import torch

from kickgan.cli.main import main as kickgan
from kickgan.spectral import quality as Q

SR = 16000


@pytest.fixture
def noise() -> torch.Tensor:
    return torch.randn(3, 1, 16384, generator=torch.Generator().manual_seed(0))


def test_identical_clips_score_perfectly(noise):
    assert torch.equal(Q.spectral_convergence(noise, noise), torch.zeros(3))
    assert torch.equal(Q.log_spectral_distance(noise, noise), torch.zeros(3))
    assert torch.equal(Q.envelope_error(noise, noise, SR), torch.zeros(3))


def test_known_answers_for_a_halved_clip(noise):
    half = 0.5 * noise
    torch.testing.assert_close(Q.spectral_convergence(noise, half), torch.full((3,), 0.5))
    torch.testing.assert_close(Q.snr_db(noise, half), torch.full((3,), 20 * torch.log10(torch.tensor(2.0)).item()))
    torch.testing.assert_close(Q.envelope_error(noise, half, SR), torch.full((3,), 0.5))
    # white noise has no bin near the 80 dB floor, so every bin is 6.02 dB apart
    torch.testing.assert_close(Q.log_spectral_distance(noise, half), torch.full((3,), 6.0206), rtol=0, atol=1e-3)


def test_envelope_error_looks_only_at_the_first_20_ms(noise):
    late = noise.clone()
    late[..., round(0.02 * SR) :] = 0
    assert torch.equal(Q.envelope_error(noise, late, SR), torch.zeros(3))
    assert Q.spectral_convergence(noise, late).min() > 0.5


def test_bench_spectral_writes_json_and_a_table(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["--synth", "3", "--batch", "3", "--repeats", "1", "--presets", "kick", "--threads", "1"]
    code = kickgan(["bench", "spectral", *argv, "--json", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    rows = {(r["kind"], r["inversion"], r["gl_iters"]): r for r in result["rows"]}
    assert len(rows) == 7 and result["n_clips"] == 3
    assert rows[("complex", "exact", 0)]["snr_db"] > 100 and rows[("complex", "exact", 0)]["sc"] < 1e-4
    assert rows[("logmag", "pghi", 0)]["snr_db"] is None  # no waveform SNR for an estimated phase
    assert rows[("logmag", "pghi+gl", 4)]["sc"] < rows[("logmag", "griffinlim", 16)]["sc"]
    assert all(r["kicks_per_s"] > 0 for r in result["rows"])
    table = capsys.readouterr().out
    assert "| kick | 1x256x128 | logmag | pghi+gl-4 |" in table


def test_bench_spectral_names_a_missing_dataset(tmp_path, capsys):
    assert kickgan(["bench", "spectral", "--data", str(tmp_path / "nowhere")]) == 1
    assert "not a kickgan dataset" in capsys.readouterr().err


def test_bench_spectral_refuses_a_zero_batch(capsys):
    assert kickgan(["bench", "spectral", "--synth", "2", "--batch", "0"]) == 2
    assert "--batch: must be at least 1 (got 0)" in capsys.readouterr().err
