"""The full-band config (configs/kick44k.yaml) end to end at 44.1 kHz, shrunk: train two steps,
then `generate` writes 44.1 kHz kicks without resampling anything."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import kickgan.producer.export as export
from kickgan.checkpoints import load_checkpoint
from kickgan.config import load_config
from kickgan.metrics.edges import POP_DB, first_sample_db
from kickgan.producer.generate import generate
from kickgan.sampler import KickSampler
from kickgan.train import train

KICK44K = Path(__file__).resolve().parents[1] / "configs" / "kick44k.yaml"
# 32 x 64 warped log-magnitude of 8192 samples at 44.1 kHz: 11 linear bins of 172 Hz, 21 bands above
SHRINK = ["model.width=2", "batch_size=4", "steps=2", "ckpt_every=2", "preview_every=2", "preview_n=2",
          "optim.n_critic=1", "data=synth:8", "device=cpu", "representation.length=8192",
          "representation.n_fft=256", "representation.hop_length=128", "representation.n_freq=32"]


def test_the_shipped_config_is_the_measured_design():
    rep = load_config(KICK44K).representation
    assert (rep.kind, rep.sr, rep.length, rep.n_fft, rep.hop_length, rep.n_freq) == ("warped", 44100, 32768, 2048, 256, 128)
    assert rep.sr / rep.n_fft < 31.25  # body bins no coarser than the 16 kHz default's
    assert rep.lead == 512  # the attack is seen whole (docs/fullband.md)


def test_kick44k_trains_and_generates_at_44k_without_resampling(tmp_path, monkeypatch):
    cfg = load_config(KICK44K, SHRINK)
    run = train(cfg, out=tmp_path / "run", progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2] and np.isfinite(records[-1]["loss/d"])
    best = load_checkpoint(run / "checkpoints" / "best.pt")["best"]  # chosen by the score that sees the upper bands
    assert best == {"metric": "descriptors+bands", "value": records[-1]["val/desc_bands_w1"], "step": 2,
                    "eligible": True}
    y, sr = sf.read(run / "previews" / "step_0000002" / "seed0001.wav")
    assert (sr, len(y)) == (44100, 8192)

    rates = []
    real_resample = export.resample
    monkeypatch.setattr(export, "resample", lambda y, sr, target: rates.append((sr, target)) or real_resample(y, sr, target))
    sampler = KickSampler.from_checkpoint(run)
    assert sampler.sr == 44100
    paths = generate(sampler, [0, 1], tmp_path / "kicks")
    assert rates == [(44100, 44100)] * 2  # made at 44.1 kHz: nothing to resample
    clips = []
    for path in paths:
        y, sr = sf.read(path)
        assert sr == 44100
        clips.append(y[:8192])
    assert (first_sample_db(np.stack(clips)) <= POP_DB).all()  # the finishing: no pop at the start


def test_kid_and_descriptors_with_bands_selection_keeps_the_lowest_product(tmp_path):
    cfg = load_config(KICK44K, SHRINK + ["steps=3", "ckpt_every=3", "preview_every=1", "val_n=4",
                                         "best_metric=kid+descriptors+bands", "best_min_memorisation=0.5"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    for r in records:
        assert r["val/kid_desc_bands"] == pytest.approx(max(r["val/kid"], 0.0) * r["val/desc_bands_w1"])
        assert r["val/kid_desc_bands"] != pytest.approx(r["val/kid_desc"])  # the bands are in it
    lowest = min(records, key=lambda r: (r["val/mem"] < 0.5, r["val/kid_desc_bands"]))
    best = load_checkpoint(run / "checkpoints" / "best.pt")["best"]
    assert best == {"metric": "kid+descriptors+bands", "value": lowest["val/kid_desc_bands"], "step": lowest["step"],
                    "eligible": lowest["val/mem"] >= 0.5}


@pytest.mark.slow
def test_the_chain_runs_end_to_end_at_44k(tmp_path):
    """data -> train -> generate -> evaluate -> report at 44.1 kHz: a dataset built at 44.1 kHz, the
    shrunk kick44k trained two steps by the experiment runner, its kicks scored (the upper bands
    present) and the report written with 44.1 kHz gallery WAVs."""
    from kickgan.data.build import build_dataset
    from kickgan.data.synth import write_synth
    from kickgan.experiment.record import load_record
    from kickgan.experiment.runner import run_experiment
    from kickgan.experiment.spec import EvalSpec, ExperimentSpec, ModelEntry

    for seed, kit in enumerate(("kitA", "kitB", "kitC", "kitD", "kitE")):
        write_synth(tmp_path / "src" / kit, 6, seed=seed, sr=44100, length=8192)
    build_dataset([tmp_path / "src"], tmp_path / "ds", sr=44100, length=8192, all_kicks=True)
    shrink = tuple(o for o in SHRINK if not o.startswith(("steps=", "data=")))
    spec = ExperimentSpec(name="full", configs=(ModelEntry("kick44k", str(KICK44K), shrink),), data=str(tmp_path / "ds"),
                          steps=2, seeds=(0,), eval=EvalSpec(n=8, metrics=("bands", "edges", "descriptors", "validity")),
                          gallery=2)
    out = run_experiment(spec, tmp_path / "report", progress=False, log=lambda _: None)
    (run,) = load_record(out)["runs"]
    assert run["metrics"]["band/8-16k/median_db"] is not None and run["metrics"]["valid/ok"] == 1.0
    assert run["metrics"]["edge/pop_share"] == 0.0  # kicks are scored as their files are: no pop
    y, sr = sf.read(out / run["audio"][0])
    assert (sr, len(y)) == (44100, 8192)
    assert "kick44k" in (out / "results.md").read_text()
