"""The aisfx-512 embedding: safe loading, shapes, determinism; the feature cache."""

import numpy as np
import pytest
import soundfile as sf
import torch

from kickgan.metrics import embedding
from kickgan.metrics.cache import cached_features, content_hash
from kickgan.metrics.features import ARRAYS, extract

SR = 16000


def kicks(n, seed=0, seconds=0.5):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    freq = rng.uniform(40, 80, (n, 1)) + rng.uniform(50, 200, (n, 1)) * np.exp(-t / 0.03)
    return (np.sin(2 * np.pi * np.cumsum(freq, axis=1) / SR) * np.exp(-t / rng.uniform(0.05, 0.3, (n, 1)))).astype(
        np.float32
    )


def test_weights_load_only_with_weights_only_true(monkeypatch):
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    embedding.load_model.cache_clear()
    try:
        model = embedding.load_model()
    finally:
        embedding.load_model.cache_clear()
    assert calls == [True]
    assert not model.training


def test_embedding_shape_determinism_and_batching():
    clips = kicks(3)
    spec = embedding.logmel(clips, SR)
    assert spec.shape == (3, 1 + (SR // 2 * embedding.SR // SR) // embedding.HOP_LENGTH, embedding.N_MELS)
    assert spec.min() >= 0.0 and spec.max() <= 1.2
    a = embedding.embed_logmel(spec, batch_size=3)
    b = embedding.embed_logmel(spec, batch_size=1)
    assert a.shape == (3, 512) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(a, embedding.embed_logmel(spec, batch_size=3))
    assert np.linalg.norm(a[0] - a[1]) > 1e-3 * np.linalg.norm(a[0])


def test_embedding_ignores_level_and_blocks_long_clips():
    clips = kicks(2, seconds=0.5)
    np.testing.assert_allclose(embedding.logmel(0.25 * clips, SR), embedding.logmel(clips, SR), atol=1e-5)
    long = np.zeros((1, 3 * embedding.SR), np.float32)  # 130 frames -> blocks of 100, hop 50
    blocks, k = embedding._blocks(torch.from_numpy(embedding.logmel(long, embedding.SR)))
    assert k == 2 and blocks.shape == (2, embedding.BLOCK_FRAMES, embedding.N_MELS)


def test_cache_round_trip_and_content_hash(tmp_path):
    clips = kicks(3, seconds=0.25)
    names = ["a", "b", "c"]
    computed = []

    def compute():
        computed.append(1)
        return extract(clips, SR, names, progress=False)

    first, hit1 = cached_features(clips, SR, names, compute, tmp_path)
    second, hit2 = cached_features(clips, SR, names, compute, tmp_path)
    assert (hit1, hit2, len(computed)) == (False, True, 1)
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(first, key), getattr(second, key))
    assert content_hash(clips, SR) != content_hash(clips[::-1], SR)
    assert content_hash(clips, SR) != content_hash(clips, SR + 1)
    assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]  # no temporary files left behind


def test_extract_flags_nonfinite_clips_and_scores_them_as_silence():
    clips = kicks(2, seconds=0.25)
    clips[1, 10] = np.nan
    feats = extract(clips, SR, ["ok", "bad"], progress=False)
    assert feats.flags[:, 0].tolist() == [False, True]
    assert np.isfinite(feats.emb).all() and np.isnan(feats.desc[1]).all()
    with pytest.raises(ValueError, match="one name each"):
        extract(clips, SR, ["only one"], progress=False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # audioread, imported by librosa.load
def test_logmel_matches_aisfx_own_librosa_preprocessing(tmp_path):
    from aisfx.spectrogram.spectrogram_librosa import compute_spectrogram

    sr = embedding.SR
    t = np.arange(sr // 2) / sr
    y = (0.7 * np.sin(2 * np.pi * np.cumsum(50 + 150 * np.exp(-t / 0.03)) / sr) * np.exp(-t / 0.2)).astype(np.float32)
    sf.write(tmp_path / "kick.wav", y, sr, subtype="FLOAT")
    theirs = compute_spectrogram(str(tmp_path / "kick.wav"), sr=float(sr), block_size=embedding.N_FFT,
                                 hop_size=embedding.HOP_LENGTH, n_mels=embedding.N_MELS, f_min=0.0, f_max=sr / 2)
    ours = embedding.logmel(y[None], sr)[0] * embedding.LOG_MAX  # before aisfx's "original" normalisation
    assert ours.shape == theirs.T.shape
    # they use a periodic Hann window, we Essentia's symmetric one: differences stay tiny on a scale of ~9
    np.testing.assert_allclose(ours, theirs.T, atol=0.02)
