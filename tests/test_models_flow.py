"""The flow family (kickgan.models.flow, kickgan.train.flow_solver): its config checks, the ODE
integrator and the flow-matching objective on known answers, and a tiny run through the same
loop, checkpoints and sampler as the GANs."""

from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from kickgan.checkpoints import load_checkpoint
from kickgan.cli.train import dry_run_report
from kickgan.config import config_from_dict, load_config
from kickgan.data.build import build_dataset
from kickgan.data.synth import write_synth
from kickgan.errors import KickganError
from kickgan.experiment.record import load_record
from kickgan.experiment.runner import run_experiment
from kickgan.experiment.spec import load_spec
from kickgan.losses import flow_matching_loss, interpolant, sample_times
from kickgan.models.family import family_of_arch
from kickgan.models.flow import FlowGenerator, FlowModel, integrate
from kickgan.producer.encode import distance, refine_latents
from kickgan.sampler import KickSampler
from kickgan.train import train
from kickgan.train.distributed import Dist
from kickgan.train.solvers import make_solver

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SHAPE = (1, 32, 64)
RAW = {
    "name": "flowtiny", "data": "synth:8", "device": "cpu", "batch_size": 4, "steps": 4, "ckpt_every": 2,
    "preview_every": 2, "preview_n": 2, "best_metric": "none", "ema_decay": 0.9,
    "representation": {"kind": "logmag", "sr": 8000, "length": 2048, "n_fft": 128, "hop_length": 32, "n_freq": 32},
    "model": {"arch": "flow", "z_dim": 2048, "width": 4, "levels": 2, "time_dim": 8, "groups": 4, "sample_steps": 4},
    "optim": {"lr": 1.0e-3},
}


def test_the_flow_family_owns_its_arch_and_checks_its_sections():
    cfg = config_from_dict(RAW, ["loss.time=logit_normal", "model.method=midpoint"])
    assert family_of_arch("flow").name == "flow" and cfg.model.sample_steps == 4 and cfg.loss.time == "logit_normal"
    assert config_from_dict(cfg.to_dict()) == cfg  # round trip, as a checkpoint stores it
    with pytest.raises(KickganError, match=r"^config: model.z_dim: a flow's latent is spectrogram-shaped, "
                                           r"C\*F\*N = 2048 for 1x32x64 \(got 100\)$"):
        config_from_dict(RAW, ["model.z_dim=100"])
    with pytest.raises(KickganError, match="^config: model.levels: 7 levels halve F and N 6 times; 32 x 64 is not "
                                           "divisible by 64$"):
        config_from_dict(RAW, ["model.levels=7"])
    with pytest.raises(KickganError, match="^config: model.latent: must be one of normal \\(got 'uniform'\\)$"):
        config_from_dict(RAW, ["model.latent=uniform"])
    with pytest.raises(KickganError, match="^config: precision: the flow family trains in fp32 or bf16"):
        config_from_dict(RAW, ["device=auto", "precision=fp16"])
    with pytest.raises(KickganError, match="^config: model.arch: flow works on spectrograms \\[C, F, N\\] \\(got representation shape \\[1, 2048\\]\\)$"):
        config_from_dict(RAW, ["representation.kind=wave"])
    with pytest.raises(KickganError, match="^config: optim.n_critic: unknown option \\(choose from lr, betas, grad_clip\\)$"):
        config_from_dict({**RAW, "optim": {"n_critic": 2}})


def test_the_shipped_flow_config_uses_the_defaults_spectrograms():
    flow, default = load_config("flow"), load_config("dcgan_wgangp")
    assert flow.representation == default.representation and flow.batch_size == default.batch_size
    assert flow.model.z_dim == 1 * 128 * 64 and flow.time_budget_minutes == default.time_budget_minutes


@pytest.mark.parametrize("method", ["euler", "midpoint"])
def test_the_integrator_is_exact_for_a_constant_field(method):
    x0, c = torch.randn(3, 5), torch.randn(3, 5)
    torch.testing.assert_close(integrate(lambda x, t: c, x0, 7, method), x0 + c)


def test_the_integrators_on_time_and_state_dependent_fields():
    x0 = torch.zeros(2, 1, dtype=torch.float64)
    ramp = lambda x, t: 2 * t[:, None]  # noqa: E731  x(1) = x0 + 1
    # Euler sums the left ends: h * sum 2 k h = (n - 1) / n; the midpoint rule is exact for a linear ramp
    torch.testing.assert_close(integrate(ramp, x0, 8, "euler"), x0 + 7 / 8)
    torch.testing.assert_close(integrate(ramp, x0, 8, "midpoint"), x0 + 1)
    decay = lambda x, t: -x  # noqa: E731  Euler: (1 - h)^n, midpoint: (1 - h + h^2 / 2)^n per unit x0
    x1 = torch.ones(1, 1, dtype=torch.float64)
    torch.testing.assert_close(integrate(decay, x1, 4, "euler"), x1 * 0.75**4)
    torch.testing.assert_close(integrate(decay, x1, 4, "midpoint"), x1 * (1 - 0.25 + 0.25**2 / 2) ** 4)


def _towards(point):
    """The exact flow-matching field when the data is the single point ``point``: (x* - x) / (1 - t)."""
    return lambda x, t: (point - x) / (1 - t).reshape(-1, *([1] * (x.dim() - 1)))


def test_the_path_runs_from_noise_to_data():
    z, x, t = torch.randn(2, 3), torch.randn(2, 3), torch.tensor([0.0, 1.0])
    torch.testing.assert_close(interpolant(z, x, t), torch.stack([z[0], x[1]]))


def test_the_exact_field_of_one_point_has_zero_loss_and_carries_every_z_there():
    point = torch.randn(1, *SHAPE, dtype=torch.float64)
    x, z = point.expand(6, *SHAPE), torch.randn(6, *SHAPE, dtype=torch.float64)
    t = torch.rand(6, dtype=torch.float64) * 0.98
    assert float(flow_matching_loss(_towards(point), x, z, t)) == pytest.approx(0.0, abs=1e-20)
    # a field that never moves pays the whole path's velocity
    still = flow_matching_loss(lambda xt, tt: torch.zeros_like(xt), x, z, t)
    assert float(still) == pytest.approx(float(((x - z) ** 2).mean()))
    torch.testing.assert_close(integrate(_towards(point), z, 5, "euler"), point.expand_as(z))


def test_time_sampling():
    gen = torch.Generator().manual_seed(0)
    uniform = sample_times(20000, "uniform", gen)
    logit = sample_times(20000, "logit_normal", gen, mean=0.5, std=0.8)
    assert 0 < float(uniform.min()) and float(uniform.max()) < 1 and float(uniform.mean()) == pytest.approx(0.5, abs=0.01)
    s = torch.logit(logit.double())
    assert float(s.mean()) == pytest.approx(0.5, abs=0.02) and float(s.std()) == pytest.approx(0.8, abs=0.02)


def test_the_solver_learns_the_field_of_one_point():
    """Trained on a single spectrogram (a ramp over frequency: convolutions locate it from the
    zero padding), the EMA generator sends fresh noise close to it."""
    cfg = config_from_dict(RAW, ["ema_decay=0.5", "optim.lr=0.01", "optim.grad_clip=0", "model.sample_steps=8"])
    solver = make_solver(cfg, SHAPE, Dist(0, 1, torch.device("cpu")))
    point = torch.linspace(-0.8, 0.8, SHAPE[1])[None, None, :, None].expand(1, *SHAPE)
    z = torch.randn(8, *SHAPE, generator=torch.Generator().manual_seed(2)).flatten(1)
    with torch.no_grad():
        before = float((solver.sampling_module(z) - point).pow(2).mean())
    losses = [solver.train_step([point.expand(8, *SHAPE)])["loss/fm"] for _ in range(150)]
    with torch.no_grad():
        after = float((solver.sampling_module(z) - point).pow(2).mean())
    assert np.mean(losses[-10:]) < 0.2 * losses[0]
    assert after < 0.03 * before, (before, after)  # measured: 0.0075 against 0.74


def test_a_bf16_step_keeps_its_loss_and_weights_float32():
    cfg = config_from_dict(RAW, ["precision=bf16"])
    solver = make_solver(cfg, SHAPE, Dist(0, 1, torch.device("cpu")))
    scalars = solver.train_step([torch.rand(4, *SHAPE) * 2 - 1])
    assert np.isfinite(scalars["loss/fm"]) and scalars["loss/fm"] > 0
    assert all(p.dtype == torch.float32 for p in solver.G.parameters())


def test_the_generator_is_differentiable_in_z_and_shows_its_blocks():
    G = FlowGenerator(FlowModel(z_dim=2048, width=4, levels=2, time_dim=8, groups=4, sample_steps=3), SHAPE)
    torch.nn.init.normal_(G.velocity.out.weight, std=0.1)  # the output layer starts at zero
    z = (torch.randn(2, 2048) * 0.3).requires_grad_(True)
    G(z).pow(2).sum().backward()
    assert torch.isfinite(z.grad).all() and float(z.grad.abs().sum()) > 0
    report = dry_run_report(config_from_dict(RAW))
    assert "G: input [2048]" in report and "unflatten  [1, 32, 64]" in report and "flow       [1, 32, 64]" in report


def test_a_flow_trains_resumes_exactly_and_samples(tmp_path):
    straight = train(config_from_dict(RAW), out=tmp_path / "straight", progress=False)
    half = train(config_from_dict(RAW, ["steps=2"]), out=tmp_path / "half", progress=False)
    train(config_from_dict(RAW), resume=half, progress=False)
    a, b = (load_checkpoint(run / "checkpoints" / "latest.pt") for run in (straight, half))
    assert a["step"] == b["step"] == 4 and set(a) >= {"G", "G_ema", "opt", "rng", "representation", "config"}
    for key in ("G", "G_ema"):
        state_a, state_b = (s[key] if key == "G" else s[key]["model"] for s in (a, b))
        for name, tensor in state_a.items():
            assert torch.equal(tensor, state_b[name]), (key, name)
    assert float(a["G"]["flow.net.out.weight"].abs().sum()) > 0  # it learnt (the output layer starts at zero)

    sampler = KickSampler.from_checkpoint(straight / "checkpoints" / "latest.pt")
    assert isinstance(sampler.G, FlowGenerator) and sampler.z_dim == 2048
    kicks = sampler.generate([0, 1, 2])
    assert kicks.shape == (3, 2048) and np.isfinite(kicks).all() and np.abs(kicks).max() > 0
    np.testing.assert_array_equal(KickSampler.from_checkpoint(straight).generate([0, 1, 2]), kicks)  # deterministic
    # a seed is an identity in any batch, up to float rounding (batched matrix products round differently;
    # the GAN's generators show the same, at 4e-10 for dcgan_wgangp)
    np.testing.assert_allclose(sampler.generate([1]), kicks[1:2], rtol=0, atol=1e-4 * np.abs(kicks).max())
    stats = (straight / "stats.jsonl").read_text(encoding="utf-8")
    assert '"loss/fm"' in stats and '"grad_norm/v"' in stats and "val/d_gap" not in stats  # no critic

    target = torch.from_numpy(kicks[:1])[:, None]  # encode: gradient descent on z through the ODE
    start = sampler.latents([5])
    found = refine_latents(sampler, start, target, steps=5, lr=0.05)
    with torch.no_grad():
        d = [float(distance(sampler.decode(z), target, sampler.sr)["total"]) for z in (start, found)]
    assert d[1] < d[0]


@pytest.mark.slow
def test_an_experiment_scores_a_flow_row_beside_a_gan_and_puts_its_kicks_in_the_gallery(tmp_path):
    for seed, kit in enumerate(("kitA", "kitB", "kitC")):
        write_synth(tmp_path / "src" / kit, 6, seed=seed, sr=8000, length=2048)
    build_dataset([tmp_path / "src"], tmp_path / "ds", sr=8000, length=2048, all_kicks=True)
    (tmp_path / "flowtiny.yaml").write_text(yaml.safe_dump(RAW), encoding="utf-8")
    (tmp_path / "x.yaml").write_text(
        f"name: x\ndata: {tmp_path / 'ds'}\nbudget: {{steps: 2}}\nseeds: [0]\nset: [preview_every=2]\n"
        f"configs:\n  tiny: {{config: {CONFIGS / 'tiny.yaml'}}}\n  flow_matching: {{config: {tmp_path / 'flowtiny.yaml'}}}\n"
        "eval: {n: 4, reference: test, train: train, checkpoint: best, metrics: [descriptors, validity]}\ngallery: 2\n",
        encoding="utf-8")
    out = tmp_path / "report"
    run_experiment(load_spec(tmp_path / "x.yaml"), out, progress=False, log=lambda _: None)
    flow = [r for r in load_record(out)["runs"] if r["model"] == "flow_matching"]
    assert len(flow) == 1 and flow[0]["steps"] == 2
    assert flow[0]["metrics"]["perf/s_per_iter"] > 0 and flow[0]["metrics"]["perf/kicks_per_s"] > 0
    rows = [line for line in (out / "results.md").read_text(encoding="utf-8").splitlines() if line.startswith("| flow_matching |")]
    assert len(rows) == 1 and "nan" not in rows[0]
    assert sorted(p.name for p in (out / "audio" / "flow_matching").iterdir()) == ["seed0000.wav", "seed0001.wav"]
    assert "audio/flow_matching/seed0001.wav" in (out / "index.html").read_text(encoding="utf-8")
