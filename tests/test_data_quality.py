"""kickgan.data.quality: every rejection reason on a generated bad-file corpus, and what odd files pass."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kickgan.data.quality import CLIP_FRACTION, REASONS, Rejected, check_file, clipped_fraction
from kickgan.data.synth import synthesize

SR = 22050

# file name -> the reason it must be rejected for (None: accepted after conversion)
EXPECTED = {
    "good.wav": None,
    "six_channels.wav": None,  # mixed down
    "eight_bit.wav": None,  # converted to float
    "rate_192k.wav": None,  # resampled
    "good.flac": None,
    "truncated.wav": "truncated",
    "zero_bytes.wav": "empty",
    "text.wav": "not-audio",
    "nan.wav": "non-finite",
    "all_zero.wav": "silent",
    "five_ms.wav": "too-short",
    "folder.wav": "unreadable",
    "broken_link.wav": "missing",
    "lying_header.wav": "corrupt",
    "rate_4k.wav": "low-rate",
}


def kick(sr: int = SR, seconds: float = 0.3, index: int = 0) -> np.ndarray:
    """One synthesised kick ``[T]`` (0.9 peak) at ``sr``."""
    clips, _ = synthesize(index + 1, seed=123, sr=max(sr, 8000), length=int(seconds * max(sr, 8000)))
    return clips[index]


def make_bad_corpus(root: Path) -> dict[str, str | None]:
    """Write every file of :data:`EXPECTED` into ``root``; returns ``EXPECTED``."""
    root.mkdir(parents=True, exist_ok=True)
    y = kick()
    sf.write(root / "good.wav", y, SR, subtype="PCM_16")
    sf.write(root / "good.flac", kick(index=1), SR, subtype="PCM_16")
    sf.write(root / "six_channels.wav", np.stack([kick(index=2)] * 6, axis=1), SR, subtype="PCM_16")
    sf.write(root / "eight_bit.wav", kick(index=3), SR, subtype="PCM_U8")
    sf.write(root / "rate_192k.wav", kick(192000, 0.2, index=4), 192000, subtype="PCM_24")
    data = (root / "good.wav").read_bytes()
    (root / "truncated.wav").write_bytes(data[: len(data) // 2])
    (root / "zero_bytes.wav").write_bytes(b"")
    (root / "text.wav").write_text("this is a text file, not a kick\n")
    bad = y.copy()
    bad[100] = np.nan
    sf.write(root / "nan.wav", bad, SR, subtype="FLOAT")
    sf.write(root / "all_zero.wav", np.zeros(SR // 2), SR, subtype="PCM_16")
    sf.write(root / "five_ms.wav", y[: int(0.005 * SR)], SR, subtype="PCM_16")
    (root / "folder.wav").mkdir()
    os.symlink(root / "nowhere.wav", root / "broken_link.wav")
    # a RIFF/WAVE header whose fmt chunk claims 0 channels: libsndfile refuses it
    fmt = (b"fmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") + (0).to_bytes(2, "little")
           + SR.to_bytes(4, "little") + (0).to_bytes(4, "little") + (0).to_bytes(2, "little") + (16).to_bytes(2, "little"))
    body = b"WAVE" + fmt + b"data" + (8).to_bytes(4, "little") + bytes(8)
    (root / "lying_header.wav").write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)
    sf.write(root / "rate_4k.wav", kick(4000)[: 4000 // 2], 4000, subtype="PCM_16")
    return EXPECTED


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    make_bad_corpus(root)
    return root


@pytest.mark.parametrize("name, reason", [(n, r) for n, r in EXPECTED.items() if r])
def test_each_bad_file_is_rejected_with_its_reason(corpus, name, reason):
    with pytest.raises(Rejected) as info:
        check_file(corpus / name)
    assert info.value.reason == reason
    assert reason in REASONS and str(info.value).startswith(reason)


def test_rejections_say_why(corpus):
    details = {}
    for name in ("lying_header.wav", "truncated.wav", "five_ms.wav", "rate_4k.wav"):
        with pytest.raises(Rejected) as info:
            check_file(corpus / name)
        details[name] = info.value.detail
    assert "WAV format tag 0x0001" in details["lying_header.wav"]
    assert "data bytes present" in details["truncated.wav"]
    assert details["five_ms.wav"].startswith("5.0 ms")
    assert details["rate_4k.wav"].startswith("4000 Hz")


def test_every_reason_but_duplicates_is_in_the_corpus():
    assert set(REASONS) - set(EXPECTED.values()) == {"duplicate", "near-duplicate"}


@pytest.mark.parametrize("name, channels, sr, subtype", [
    ("six_channels.wav", 6, SR, "PCM_16"),
    ("eight_bit.wav", 1, SR, "PCM_U8"),
    ("rate_192k.wav", 1, 192000, "PCM_24"),
    ("good.flac", 1, SR, "PCM_16"),
])
def test_odd_but_valid_files_are_accepted(corpus, name, channels, sr, subtype):
    c = check_file(corpus / name)
    assert c.y.shape[0] == channels and c.sr == sr and c.subtype == subtype
    assert c.y.dtype == np.float32 and 0.85 < np.abs(c.y).max() < 0.95


def test_hashes_tell_file_bytes_from_decoded_content(tmp_path, corpus):
    sf.write(tmp_path / "same.flac", sf.read(corpus / "good.wav", dtype="int16")[0], SR, subtype="PCM_16")
    a, b = check_file(corpus / "good.wav"), check_file(tmp_path / "same.flac")
    assert a.sha256 != b.sha256
    assert a.content_sha256 == b.content_sha256


def test_clipping_is_flagged_not_rejected(tmp_path):
    y = np.clip(3.0 * kick(), -1.0, 1.0)
    sf.write(tmp_path / "hot.wav", y, SR, subtype="PCM_16")
    c = check_file(tmp_path / "hot.wav")
    assert c.clipped and c.clipped_fraction > CLIP_FRACTION
    sf.write(tmp_path / "clean.wav", kick(), SR, subtype="PCM_16")
    assert not check_file(tmp_path / "clean.wav").clipped


def test_clipped_fraction_counts_only_runs():
    y = np.zeros((2, 100))
    y[0, 10:15] = 1.0  # a run of 5: counted
    y[1, 50:52] = -1.0  # a run of 2: a peak, not clipping
    y[1, 97:100] = 1.0  # a run of 3 at the end: counted
    assert clipped_fraction(y) == pytest.approx(8 / 200)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_unreadable(tmp_path):
    path = tmp_path / "locked.wav"
    sf.write(path, kick(), SR)
    path.chmod(0)
    with pytest.raises(Rejected) as info:
        check_file(path)
    assert info.value.reason == "unreadable"
