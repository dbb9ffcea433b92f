"""Training configs: YAML + overrides, validation messages naming the key, shipped configs, dry-run sizes."""

from pathlib import Path

import pytest

from kickgan.config import TrainConfig, config_from_dict, load_config, with_overrides
from kickgan.errors import KickganError

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SHIPPED = ("dcgan_bce", "dcgan_wgangp", "dcgan_hinge", "dcgan_wgangp_durall", "specgan", "wavegan", "tiny", "flow")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_load_and_round_trip(name):
    cfg = load_config(CONFIGS / f"{name}.yaml")
    assert cfg.name == name
    assert config_from_dict(cfg.to_dict()) == cfg


def test_overrides_are_typed_by_field():
    cfg = load_config(CONFIGS / "tiny.yaml", ["loss.gp_lambda=5", "optim.lr_d=1e-3", "steps=9",
                                             "optim.betas=[0.0, 0.99]", "deterministic=true", "data=synth:32"])
    assert cfg.loss.gp_lambda == 5.0 and isinstance(cfg.loss.gp_lambda, float)
    assert cfg.optim.lr_d == 1e-3  # YAML 1.1 reads 1e-3 as a string; the float field converts it
    assert cfg.steps == 9 and cfg.optim.betas == (0.0, 0.99) and cfg.deterministic is True
    assert cfg.data == "synth:32"
    assert with_overrides(cfg, ["model.width=8"]).model.width == 8


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["loss.kind=wgan"], "tiny.yaml: loss.kind: must be one of bce, wgan-gp, hinge"),
        (["steps=0"], "tiny.yaml: steps: must be at least 1"),
        (["steps=ten"], "tiny.yaml: steps: expected an integer"),
        (["optim.betas=[0.5]"], "tiny.yaml: optim.betas: expected 2 values"),
        (["loss.augment=shift,rotate"], "tiny.yaml: loss.augment: unknown op(s) rotate"),
        (["model.arch=vae"], "tiny.yaml: model.arch: must be one of dcgan, specgan, wavegan"),
        (["representation.n_fft=100"], "tiny.yaml: representation.n_fft: must be a power of two"),
        (["model.d_norm=batch"], "tiny.yaml: model.d_norm: batch norm in the critic"),
        (["best_metric=fid"], "tiny.yaml: best_metric: must be one of none, descriptors, descriptors+bands, spectral"),
        (["best_metric=kid+descriptors+bands"], "tiny.yaml: best_metric: kid+descriptors+bands needs the 8-16 kHz band"),
        (["best_min_memorisation=-0.5"], "tiny.yaml: best_min_memorisation: must be at least 0"),
    ],
)
def test_invalid_values_name_the_key(overrides, message):
    with pytest.raises(KickganError) as info:
        load_config(CONFIGS / "tiny.yaml", overrides)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_keys_and_bad_files(tmp_path):
    with pytest.raises(KickganError, match=r"--set loss.gamma: unknown option 'gamma'"):
        load_config(CONFIGS / "tiny.yaml", ["loss.gamma=1"])
    with pytest.raises(KickganError, match=r"--set steps: expected key=value"):
        load_config(CONFIGS / "tiny.yaml", ["steps"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\noptim: {lr: 1}\n")
    with pytest.raises(KickganError, match=r"bad.yaml: optim.lr: unknown option \(choose from lr_g, lr_d"):
        load_config(bad)
    bad.write_text("name: [unclosed\n")
    with pytest.raises(KickganError, match=r"bad.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(KickganError, match=r"missing.yaml: no such config file"):
        load_config(tmp_path / "missing.yaml")


def test_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("steps: 3\nmodel: {d_norm: none}\n")
    cfg = load_config(path)
    assert (cfg.name, cfg.steps) == ("mine", 3)
    assert isinstance(cfg, TrainConfig)


def test_published_baselines_as_configured():
    spec = load_config(CONFIGS / "specgan.yaml")
    wave = load_config(CONFIGS / "wavegan.yaml")
    for cfg in (spec, wave):
        assert (cfg.loss.kind, cfg.loss.gp_lambda, cfg.optim.n_critic, cfg.batch_size) == ("wgan-gp", 10.0, 5, 64)
        assert (cfg.optim.lr_g, cfg.optim.lr_d, cfg.optim.betas) == (1e-4, 1e-4, (0.5, 0.9))
        assert (cfg.model.z_dim, cfg.model.width, cfg.model.latent) == (100, 64, "uniform")
    assert spec.representation.shape == (1, 128, 128) and spec.model.kernel == 5
    rep = spec.representation  # z-score clipped at 3 sigma; classic Griffin-Lim, 16 iterations
    assert (rep.clip_nstd, rep.inversion, rep.gl_iters, rep.gl_momentum) == (3.0, "griffinlim", 16, 0.0)
    assert wave.representation.shape == (1, 16384) and wave.representation.sr == 16000
    assert (wave.model.kernel, wave.model.phase_shuffle) == (25, 2)
