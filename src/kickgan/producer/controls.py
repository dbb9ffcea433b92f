"""Steering kicks: body pitch, decay length and click, in standard deviations.

Fitted once per checkpoint on ``N_FIT`` kicks (seeds ``FIT_SEED + i``) and stored beside it
(``best.pt`` -> ``best.controls.json``, written atomically; refitted when the checkpoint's hash
changes): for each control, the median and the robust standard deviation (interquartile range /
1.349, the standard deviation of a normal) of its differentiable estimate
(:mod:`kickgan.producer.estimates`), and how well that estimate tracks the evaluation suite's
descriptor over those kicks (Spearman rho, and the descriptor's change per step by regression).

``--pitch +1 --decay -0.5`` then walks the latent in sub-steps of at most ``SUB_STEP``: each
takes the smallest move ``dz`` with ``J dz = delta`` (``J``: the Jacobian of the three estimates
at ``z``, plus the unit radial direction, whose target is 0) by the pseudo-inverse, so the
requested estimates change by their share of the amounts (times their step), the
other estimates hold to first order, and ``|z|`` stays put (the kick stays as typical as it was).

Not every model learns every control in its latent: on a GAN trained on 71 real kicks the walk's
estimates (read off G's spectrogram) disagree with the decoded audio (Spearman 0.45 / -0.08 / 0.41).
So the fit also tries the walk (``CHECK_SEEDS`` seeds over ``CHECK_AMOUNTS``) and keeps it for a
control only where it moves that control's own descriptor monotonically (mean Spearman >= 0.9)
and the other two less than half as far; the other controls are ``shape``d instead: applied to the
decoded kick by DSP, aimed at the descriptor itself (:mod:`kickgan.producer.shaping`), one step
being the descriptor's robust standard deviation over the fitted kicks. ``method`` in the stored
record says which each control uses.

Why local steps rather than one global direction per control (InterFaceGAN: a linear regression
of each descriptor on the latents): the descriptors are not linear in a DCGAN's latent. Spearman
rho of each control with its own descriptor (pitch / decay / click; 9 steps over +-2, 8 seeds):
``dcgan_wgangp`` 15 min on ``synth:256``: global 0.69 / 0.61 / 0.94, walk 0.93 / 0.95 / 0.93;
60 min on ``synth:2048``: global 0.98 / 0.92 / 0.98, walk 0.99 / 1.00 / 0.95 (docs/producer.md).
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np
import scipy.stats
import torch

from kickgan.audio.preprocess import fix_length
from kickgan.errors import KickganError, ParameterError
from kickgan.io import read_json, write_json
from kickgan.audio.descriptors import NAMES, decay_t20_ms, describe
from kickgan.producer import shaping
from kickgan.producer.estimates import estimates, magnitude

FORMAT = "kickgan-controls/3"
N_FIT = 512
FIT_SEED = 1_000_000  # fitting seeds start here, away from the seeds producers use
BATCH = 64
MIN_MEASURED = 8  # kicks needed to fit a control
SUB_STEP = 0.25  # the largest move of one control per sub-step, in steps
MAX_AMOUNT = 2.0  # |amount| in steps: tests/test_producer_controls.py measures each control monotone over +-2
CHECK_SEEDS = 4  # kicks the walk is tried on, per control, when fitting
CHECK_AMOUNTS = (-2.0, -1.0, 0.0, 1.0, 2.0)
MIN_RHO = 0.9  # the walk is kept where its own descriptor follows the amount this well
# control -> the evaluation descriptor its estimate tracks (log2 for the Hz and ms ones)
CONTROLS: dict[str, str] = {"pitch": "body_hz_100ms", "decay": "decay_t20_ms", "click": "click_db"}


def controls_path(sampler) -> Path:
    """Where the controls of ``sampler``'s checkpoint live: ``<checkpoint>.controls.json`` beside it."""
    path = Path(sampler.path)
    return path.with_name(path.stem + ".controls.json")


def cache_path(sampler) -> Path:
    """Where they live when the checkpoint's folder cannot be written (a read-only model):
    ``$XDG_CACHE_HOME/kickgan/controls/<checkpoint hash>.controls.json`` (default ``~/.cache``)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "kickgan" / "controls" / f"{sampler.checkpoint_hash}.controls.json"


def check_amounts(amounts: dict) -> dict:
    """``amounts`` (``{"pitch": 1.0, ...}``) if each is finite and within +-``MAX_AMOUNT`` steps, the
    range over which each control is measured to move its descriptor monotonically; else a one-line error."""
    for name, a in amounts.items():
        if not math.isfinite(a) or abs(a) > MAX_AMOUNT:
            raise ParameterError(f"--{name}: must be from -{MAX_AMOUNT:g} to +{MAX_AMOUNT:g} steps (the range where the "
                                 f"control is measured to move its property one way), got {a}")
    return amounts


def decode(sampler, z: torch.Tensor) -> np.ndarray:
    """The kicks of ``z [B, z_dim]`` as ``[B, length]`` at ``sampler.sr``, their last 10 ms faded out
    as the dataset's real kicks are (:func:`kickgan.audio.preprocess.fix_length`): a tail cut off
    mid-ring would otherwise put a spike at the clip's end into the Hilbert envelope."""
    clips = sampler.decode(z)[:, 0].numpy()  # decoded in chunks by the sampler
    return np.stack([fix_length(clip, len(clip), sampler.sr) for clip in clips]) if len(clips) else clips


def measure(sampler, z: torch.Tensor) -> np.ndarray:
    """The control descriptors ``[B, len(CONTROLS)]`` of the kicks of ``z [B, z_dim]``, as the
    evaluation suite measures them (log2 of Hz and ms, floored at 1; click in dB)."""
    return measure_clips(decode(sampler, z), sampler.sr)


def measure_clips(clips: np.ndarray, sr: int) -> np.ndarray:
    """The control descriptors ``[B, len(CONTROLS)]`` of ``clips [B, T]`` at ``sr`` (see :func:`measure`)."""
    desc = describe(clips, sr)
    cols = {name: desc[:, NAMES.index(name)] for name in NAMES}
    cols["decay_t20_ms"] = decay_t20_ms(clips, sr)
    out = [cols[name] for name in CONTROLS.values()]
    with np.errstate(invalid="ignore"):
        out = [c if name == "click_db" else np.log2(np.maximum(c, 1.0)) for c, name in zip(out, CONTROLS.values())]
    return np.stack(out, axis=1)


def estimate(sampler, z: torch.Tensor) -> torch.Tensor:
    """The differentiable estimates ``[B, len(CONTROLS)]`` (on the sampler's device) of the kicks of ``z [B, z_dim]``."""
    cfg = sampler.rep.cfg
    power = magnitude(sampler.G, sampler.rep, z.to(sampler.device)) ** 2
    return estimates(power, sampler.sr, cfg.n_fft, cfg.hop_length)


def robust_std(x: np.ndarray) -> float:
    """The interquartile range of ``x`` / 1.349: the standard deviation of a normal, unmoved by outliers."""
    q1, q3 = np.percentile(x, [25, 75])
    return float((q3 - q1) / 1.349)


def fit_controls(e: np.ndarray, y: np.ndarray) -> dict:
    """Per control, from estimates ``e [N, K]`` and measured descriptors ``y [N, K]`` of the same
    kicks: ``{"descriptor", "median", "step"}`` of the estimate (``step``: its robust standard
    deviation), ``rho`` (Spearman of estimate and descriptor) and ``per_step`` (the descriptor's
    change per step, by the Theil-Sen slope). ``step`` is None where the estimate does not vary
    over the kicks (that control cannot be steered); ``rho`` and ``per_step`` where fewer than
    ``MIN_MEASURED`` kicks have the descriptor (e.g. a model that still makes noise). ``method`` is
    ``latent`` (:func:`choose_methods` decides), ``shape_step`` the descriptor's robust standard deviation."""
    out = {}
    for k, (name, descriptor) in enumerate(CONTROLS.items()):
        ek = e[np.isfinite(e[:, k]), k]
        step = robust_std(ek) if len(ek) >= MIN_MEASURED else 0.0
        yk = y[np.isfinite(y[:, k]), k]
        c = {"descriptor": descriptor, "median": None, "step": None, "rho": None, "per_step": None, "method": "latent",
             "shape_step": robust_std(yk) if len(yk) >= MIN_MEASURED else None}
        if step > 0:
            c["median"], c["step"] = float(np.median(ek)), step
        ok = np.isfinite(e[:, k]) & np.isfinite(y[:, k])
        if c["step"] is not None and ok.sum() >= MIN_MEASURED:
            c["rho"] = float(scipy.stats.spearmanr(e[ok, k], y[ok, k]).statistic)
            c["per_step"] = float(scipy.stats.theilslopes(y[ok, k], e[ok, k]).slope * c["step"])
        out[name] = c
    return out


def _stored(sampler) -> dict | None:
    for path in (controls_path(sampler), cache_path(sampler)):
        if path.exists():
            record = read_json(path)
            ok = isinstance(record, dict) and record.get("format") == FORMAT
            if ok and record.get("checkpoint_hash") == sampler.checkpoint_hash:
                return record
    return None


def is_fitted(sampler) -> bool:
    """Whether controls for exactly this checkpoint are stored beside it."""
    return _stored(sampler) is not None


def load_or_fit(sampler, n: int = N_FIT) -> dict:
    """The controls of ``sampler``'s checkpoint: read from beside it, or fitted on ``n`` kicks and
    stored there (when missing, or made for another checkpoint hash)."""
    record = _stored(sampler)
    if record is not None:
        return record
    z = sampler.latents(list(range(FIT_SEED, FIT_SEED + n)))
    with torch.no_grad():
        e = torch.cat([estimate(sampler, z[i : i + BATCH]) for i in range(0, n, BATCH)]).cpu().numpy()
    record = {"format": FORMAT, "checkpoint_hash": sampler.checkpoint_hash, "n": n, "fit_seed": FIT_SEED,
              "sub_step": SUB_STEP, "controls": fit_controls(e, measure(sampler, z))}
    choose_methods(sampler, record, z[:CHECK_SEEDS])
    try:
        write_json(controls_path(sampler), record)
    except PermissionError:  # the checkpoint's folder is read-only: keep them in the user's cache
        write_json(cache_path(sampler), record)
    return record


def choose_methods(sampler, record: dict, z: torch.Tensor) -> None:
    """Per control, try the walk on ``z [B, z_dim]`` over ``CHECK_AMOUNTS``; keep it (``method``
    ``latent``) where its own descriptor follows the amount with mean Spearman >= ``MIN_RHO`` and the
    others move less than half as far (in ``shape_step`` units), else ``shape`` it. Writes
    ``latent_rho`` and ``method`` into ``record["controls"]``."""
    amounts = np.array(CHECK_AMOUNTS)
    for k, (name, c) in enumerate(record["controls"].items()):
        c["latent_rho"], c["method"] = None, "latent"  # while the walk is tried
        if c["step"] is None or c["shape_step"] is None:  # no walk to try
            c["method"] = "shape" if c["shape_step"] else "latent"
            continue
        walked = torch.cat([steer(sampler, row[None], {name: a}, record) for row in z for a in amounts])
        d = measure(sampler, walked).reshape(len(z), len(amounts), -1)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a descriptor undefined for every kick: NaN, not "small"
            rhos = [scipy.stats.spearmanr(amounts, row[:, k]).statistic for row in d]
            spans = np.nanmean(np.abs(d[:, -1] - d[:, 0]), axis=0) / [record["controls"][n]["shape_step"] or np.inf
                                                                       for n in CONTROLS]
        c["latent_rho"] = float(np.nan_to_num(np.mean(rhos), nan=0.0))
        others_small = all(spans[j] < 0.5 * spans[k] for j in range(len(spans)) if j != k)
        if c["latent_rho"] < MIN_RHO or not others_small:
            c["method"] = "shape"


def steer(sampler, z: torch.Tensor, amounts: dict, record: dict | None = None) -> torch.Tensor:
    """Move ``z [B, z_dim]`` by the ``latent`` controls of ``amounts`` (``{"pitch": +1, ...}``, in steps:
    robust standard deviations of each control's estimate; the others held), in sub-steps of at most
    ``SUB_STEP`` (module docstring); the ``shape`` controls are left to :func:`shape`.
    Each row is steered alone, so a seed's result does not depend on the seeds beside it."""
    unknown = sorted(set(amounts) - set(CONTROLS))
    if unknown:
        raise KickganError(f"controls: unknown {', '.join(unknown)} (known: {', '.join(CONTROLS)})")
    check_amounts(amounts)
    record = record or load_or_fit(sampler)
    amounts = {name: a for name, a in amounts.items() if record["controls"][name]["method"] == "latent"}
    stuck = [name for name, a in amounts.items() if a and record["controls"][name]["step"] is None]
    if stuck:
        raise KickganError(f"controls: this model's {', '.join(stuck)} does not vary over its kicks; cannot steer it")
    target = torch.tensor([float(amounts.get(name, 0.0)) * (record["controls"][name]["step"] or 0.0) for name in CONTROLS])
    n_sub = math.ceil(max([abs(float(a)) for a in amounts.values()] + [0.0]) / SUB_STEP)
    return torch.cat([_walk(sampler, row[None], target, n_sub) for row in z]) if n_sub else z


def _walk(sampler, z: torch.Tensor, target: torch.Tensor, n_sub: int) -> torch.Tensor:
    """``z [1, z_dim]`` after ``n_sub`` sub-steps that change the estimates by ``target / n_sub`` each."""
    dtype = z.dtype
    z = z.to(sampler.device, torch.float32)
    delta = torch.cat([target / n_sub, torch.zeros(1)]).to(z)  # the last row: no radial move
    for _ in range(n_sub):
        radial = z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)
        rows = torch.cat([jacobian(sampler, z), radial[:, None]], dim=1)  # [1, K+1, D]
        z = z + torch.linalg.pinv(rows) @ delta  # the smallest dz with rows @ dz = delta
    return z.detach().cpu().to(dtype)


def jacobian(sampler, z: torch.Tensor) -> torch.Tensor:
    """``d estimate_k / d z``: ``[B, len(CONTROLS), z_dim]`` at ``z [B, z_dim]`` (kicks are independent)."""
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        e = estimate(sampler, z)
        rows = [torch.autograd.grad(e[:, k].sum(), z, retain_graph=k < e.shape[1] - 1)[0] for k in range(e.shape[1])]
    return torch.stack(rows, dim=1)


def shape(sampler, clips: np.ndarray, amounts: dict, record: dict | None = None) -> np.ndarray:
    """``clips [B, T]`` at ``sampler.sr`` with the ``shape`` controls of ``amounts`` applied
    (:mod:`kickgan.producer.shaping`); the clips themselves where there are none."""
    if not any(amounts.values()):
        return clips
    check_amounts(amounts)
    record = record or load_or_fit(sampler)
    shifts = {name: float(a) * (record["controls"][name]["shape_step"] or 0.0)
              for name, a in amounts.items() if a and record["controls"][name]["method"] == "shape"}
    if not any(shifts.values()):
        return clips
    return np.stack([shaping.shape(y, sampler.sr, **shifts) for y in clips])


def render(sampler, z: torch.Tensor, amounts: dict, record: dict | None = None) -> np.ndarray:
    """The kicks ``[B, T]`` (as :func:`decode` gives them) of ``z [B, z_dim]`` under ``amounts``: the
    latent controls walked, the decoded kicks shaped."""
    record = record or load_or_fit(sampler)
    return shape(sampler, decode(sampler, steer(sampler, z, amounts, record)), amounts, record)
