"""The web app's model side: kicks made by the producer functions, named by id, kept in one folder.

A kick is a *source* (a seed, or a latent: a variation, a morph, an encoded upload) plus the
pitch / decay / click *controls* steered onto it. Its id is a hash of both, so asking twice for
the same kick finds the file already written. Seed kicks go through the steps of
:func:`kickgan.producer.generate.generate` (``latents_for``, then ``render_latents``) with the
export options of ``kickgan generate --bit-depth 24``, so a downloaded kick is the CLI's file
byte for byte (tested).

Every use of the model goes through one lock: the generator, the steering Jacobians and the
inversion share one set of weights and ``requires_grad`` flags, which concurrent threads would
trample. Requests only ever name kicks by id; file names come from here, never from a request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import torch

from kickgan.errors import KickganError
from kickgan.producer.encode import invert, load_target, variations
from kickgan.producer.export import ExportOptions, kick_name
from kickgan.producer.generate import latents_for, render_latents
from kickgan.producer.interpolate import slerp

EXPORT = ExportOptions(sr=44100, bit_depth="24")  # what a producer loads into a sampler
CONTROL_NAMES = ("pitch", "decay", "click")


@dataclass
class Kick:
    """One written kick: ``z [z_dim]`` its final (steered) latent, ``wav`` its file (``.json`` beside it)."""

    id: str
    name: str  # the download's file stem: kick_s000042, or kick_<id> for a latent
    source: dict  # {"seed": 42} or {"latent": [...], "info": {...}}
    controls: dict
    z: torch.Tensor
    wav: Path
    extra: dict = field(default_factory=dict)

    def describe(self) -> dict:
        """What the page needs to know about this kick (no paths)."""
        info = {"seed": self.source["seed"]} if "seed" in self.source else dict(self.source["info"])
        return {"id": self.id, "name": self.name, "controls": self.controls, **info, **self.extra}


class UnknownKick(KickganError):
    """A request named a kick id this studio has not made."""


def kick_id(source: dict, controls: dict) -> str:
    """``k`` + 16 hex digits of the SHA-256 of the source and controls: the same kick, the same id."""
    text = json.dumps({"source": source, "controls": controls}, sort_keys=True)
    return "k" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Studio:
    """The sampler, its lock, the output folder and the kicks made so far (by id)."""

    def __init__(self, sampler, folder: str | Path, *, encode_steps: int = 30):
        self.sampler, self.folder = sampler, Path(folder)
        self.encode_steps = encode_steps
        self.lock = threading.Lock()
        self.kicks: dict[str, Kick] = {}

    def model(self) -> dict:
        """Which model this studio plays: its name (the file's stem, or the run folder's name for a
        run's checkpoint), hash, sample rate and kick length."""
        path = self.sampler.path
        name = path.parent.parent.name if path.parent.name == "checkpoints" else path.stem
        return {"name": name, "sha256": self.sampler.checkpoint_hash, "sr": self.sampler.sr,
                "seconds": round(self.sampler.length / self.sampler.sr, 3)}

    def get(self, kid: str) -> Kick:
        """The kick with id ``kid``, or a one-line error."""
        kick = self.kicks.get(kid)
        if kick is None:
            raise UnknownKick(f"kick {kid!r}: no such kick (make it first)")
        return kick

    def seed_kick(self, seed: int, controls: dict | None = None) -> Kick:
        """The kick of ``seed`` steered by ``controls``, written by ``generate`` exactly as the CLI does."""
        controls = _nonzero(controls)
        source = {"seed": int(seed)}
        kid = kick_id(source, controls)
        with self.lock:
            if kid not in self.kicks:
                wav = self.folder / "kicks" / kid / f"{kick_name(seed)}.wav"
                z = latents_for(self.sampler, [seed], 1.0, controls)  # then as generate() renders it
                render_latents(self.sampler, z, [wav], EXPORT, [dict(source)], controls=controls)
                self.kicks[kid] = Kick(kid, kick_name(seed), source, controls, z[0], wav)
            return self.kicks[kid]

    def batch(self, seed: int, n: int) -> list[Kick]:
        """The kicks of seeds ``seed`` .. ``seed + n - 1``, unsteered."""
        return [self.seed_kick(s) for s in range(seed, seed + n)]

    def latent_kick(self, z: torch.Tensor, info: dict, controls: dict | None = None) -> Kick:
        """The kick of latent ``z [z_dim]`` (``info`` says where it came from), steered by ``controls``."""
        controls = _nonzero(controls)
        source = {"latent": [float(v) for v in z.tolist()], "info": info}
        kid = kick_id(source, controls)
        with self.lock:
            if kid not in self.kicks:
                steered = latents_for_latent(self.sampler, z, controls)
                wav = self.folder / "kicks" / kid / f"kick_{kid}.wav"
                render_latents(self.sampler, steered[None], [wav], EXPORT, [info], controls=controls)
                self.kicks[kid] = Kick(kid, f"kick_{kid}", source, controls, steered, wav)
            return self.kicks[kid]

    def steer(self, kid: str, controls: dict) -> Kick:
        """The source of kick ``kid`` with ``controls`` in place of its own."""
        source = self.get(kid).source
        if "seed" in source:
            return self.seed_kick(source["seed"], controls)
        return self.latent_kick(torch.tensor(source["latent"]), source["info"], controls)

    def variations(self, kid: str, n: int, intensity: float) -> list[Kick]:
        """Kick ``kid`` and ``n`` kicks around its latent, ``intensity`` prior spreads away
        (:func:`kickgan.producer.encode.variations`)."""
        base = self.get(kid)
        zs = variations(self.sampler, base.z, n, intensity)
        infos = [{"seed": None, "variation_of": kid, "variation": i + 1, "spread": intensity} for i in range(n)]
        return [base] + [self.latent_kick(z, info) for z, info in zip(zs, infos)]

    def morph(self, a: str, b: str, t: float) -> Kick:
        """The kick at ``t`` in [0, 1] on the slerp from kick ``a``'s latent to kick ``b``'s."""
        ka, kb = self.get(a), self.get(b)
        info = {"seed": None, "from": a, "to": b, "t": t}
        return self.latent_kick(slerp(ka.z, kb.z, t), info)

    def encode(self, path: Path, label: str) -> Kick:
        """The kick closest to the audio file ``path`` (inverted with ``encode_steps`` refinement steps)."""
        with self.lock:
            target = load_target(path, self.sampler)
            z, dist = invert(self.sampler, target, starts=16, refine=2, steps=self.encode_steps)
        kick = self.latent_kick(z.detach(), {"seed": None, "encoded_from": label})
        kick.extra["distance"] = round(dist["final"]["total"], 4)
        return kick


def latents_for_latent(sampler, z: torch.Tensor, controls: dict) -> torch.Tensor:
    """``z [z_dim]`` steered by ``controls`` (:mod:`kickgan.producer.controls`), as ``[z_dim]``."""
    from kickgan.producer import controls as controls_mod

    return controls_mod.steer(sampler, z[None], controls)[0] if controls else z.clone()


def _nonzero(controls: dict | None) -> dict:
    """The controls that move anything, in a fixed order (as ``kickgan generate`` records them)."""
    return {name: float(controls[name]) for name in CONTROL_NAMES if controls and controls.get(name)}
