"""``SpecConfig``: which spectrogram a GAN sees and how it becomes audio again.

A frozen dataclass, built from a plain dict (a YAML section) with ``SpecConfig(**d)``
and turned back with ``dataclasses.asdict``. Every field is checked in
``__post_init__``; a bad value raises ``ParameterError("field: reason (got value)")``.
``inversion="auto"`` and ``gl_iters=None`` resolve to the kind's default, so the
stored config always says what was used.

Named presets (``SpecConfig.preset("kick")``) give the shapes of :data:`PRESETS`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kickgan.checks import above, choice, integer, within
from kickgan.errors import ParameterError
from kickgan.spectral.warp import band_edges

KINDS = ("logmag", "warped", "complex", "mag_if", "wave")
MAG_INVERSIONS = ("pghi", "pghi+gl", "griffinlim")
# the kinds whose spectrogram holds the phase: only the inverse transform is needed
EXACT_KINDS = ("complex", "mag_if", "wave")
# the default after PGHI: a few Griffin-Lim iterations fix PGHI's small phase errors
PGHI_GL_ITERS = 4
GL_ITERS = 16  # SpecGAN's (Donahue et al. 2019)


@dataclass(frozen=True)
class SpecConfig:
    """A representation: waveform ``[B,1,length]`` to ``spec [B,C,n_freq,length//hop_length]``.

    The STFT is zero-padded beyond the clip (never circular), periodic-Hann windowed and
    amplitude-normalised (a unit sine at a bin centre has magnitude 1). Bins
    ``0 .. n_freq-1`` are kept; the rest (at least the Nyquist bin) are dropped,
    except that ``complex`` with ``n_freq == n_fft // 2`` packs the (real) Nyquist
    bin into the imaginary part of the (real) DC bin, so it stays exact.
    """

    kind: str = "logmag"  # logmag | warped | complex | mag_if | wave (identity, for WaveGAN)
    sr: int = 16000
    length: int = 16384
    n_fft: int = 512
    hop_length: int = 128
    n_freq: int = 256
    log_eps: float = 1e-6  # log(|X| + log_eps): the floor of logmag and mag_if (-120 dB)
    clip_nstd: float = 6.0  # logmag: clip the per-bin z-score at +-clip_nstd (SpecGAN: 3), divide by it
    compress: float = 0.3  # complex: magnitude raised to this power (phase kept)
    inversion: str = "auto"  # logmag: pghi | pghi+gl | griffinlim; the other kinds: exact
    gl_iters: int | None = None  # Griffin-Lim iterations (griffinlim: 16, pghi+gl: 4)
    gl_momentum: float = 0.99  # fast Griffin-Lim (Perraudin et al. 2013); 0 = classic
    pghi_tol: float = 1e-4  # PGHI integrates only bins above pghi_tol * the largest (-80 dB)
    warp_hz: float = 2000.0  # warped: STFT bins below this are kept one per row, bands above (kickgan.spectral.warp)
    lead: int = 0  # samples of silence put before the clip when encoding, cut after decoding (docs/fullband.md)

    def __post_init__(self) -> None:
        choice("kind", self.kind, KINDS)
        _set(self, "inversion", _resolve_inversion(self.kind, self.inversion))
        _set(self, "gl_iters", _resolve_gl_iters(self.inversion, self.gl_iters))
        for key in ("sr", "length", "n_fft", "hop_length", "n_freq"):
            integer(key, getattr(self, key))
        for key in ("length", "n_fft", "hop_length", "n_freq"):
            if getattr(self, key) & (getattr(self, key) - 1):
                raise ParameterError(f"{key}: must be a power of two for the conv nets (got {getattr(self, key)})")
        if self.sr < 1000:
            raise ParameterError(f"sr: must be at least 1000 Hz (got {self.sr})")
        if not 16 <= self.n_fft <= 8192:
            raise ParameterError(f"n_fft: must be in [16, 8192] (got {self.n_fft})")
        if not 4 <= self.hop_length <= self.n_fft // 2:
            raise ParameterError(
                f"hop_length: must be in [4, n_fft/2 = {self.n_fft // 2}] so that windows overlap "
                f"(got {self.hop_length})"
            )
        if self.length < self.n_fft:
            raise ParameterError(f"length: must be at least n_fft = {self.n_fft} (got {self.length})")
        if not 8 <= self.n_freq <= self.n_fft // 2:
            raise ParameterError(f"n_freq: must be in [8, n_fft/2 = {self.n_fft // 2}] (got {self.n_freq})")
        above("log_eps", self.log_eps, 0.0)
        above("clip_nstd", self.clip_nstd, 0.0)
        within("compress", self.compress, 0.0, 1.0, open_low=True, closed_high=True)
        within("gl_momentum", self.gl_momentum, 0.0, 1.0)
        within("pghi_tol", self.pghi_tol, 0.0, 1.0, open_low=True)
        above("warp_hz", self.warp_hz, 0.0)
        integer("lead", self.lead, low=0)
        if self.lead > self.length // 4:
            raise ParameterError(f"lead: must be in [0, length/4 = {self.length // 4}] samples (got {self.lead})")
        if self.kind == "warped":
            band_edges(self.sr, self.n_fft, self.n_freq, float(self.warp_hz))  # a ParameterError names warp_hz

    @property
    def n_frames(self) -> int:
        """Frames of the STFT: one every ``hop_length`` samples."""
        return self.length // self.hop_length

    @property
    def channels(self) -> int:
        """Channels ``C`` of ``spec [B,C,F,N]`` (1 for ``wave``, whose shape is ``(1, T)``)."""
        return 2 if self.kind in ("complex", "mag_if") else 1

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, n_freq, n_frames)``, or ``(1, length)`` for ``wave``."""
        if self.kind == "wave":
            return (1, self.length)
        return (self.channels, self.n_freq, self.n_frames)

    @property
    def has_stats(self) -> bool:
        """Whether the representation normalises with per-bin statistics fitted on training clips."""
        return self.kind in ("logmag", "warped", "mag_if")

    def replace(self, **changes) -> SpecConfig:
        """A copy with some fields changed, re-validated; a new ``kind`` or ``inversion`` re-resolves
        the inversion and its iterations unless they are given too."""
        if "kind" in changes:
            changes.setdefault("inversion", "auto")
        if "inversion" in changes:
            changes.setdefault("gl_iters", None)
        return dataclasses.replace(self, **changes)

    @classmethod
    def preset(cls, name: str, **changes) -> SpecConfig:
        """A named shape of :data:`PRESETS`, with any field changed (e.g. ``kind="complex"``)."""
        if name not in PRESETS:
            raise ParameterError(f"preset: unknown '{name}' (choose from {', '.join(PRESETS)})")
        return cls(**{**PRESETS[name], **changes})


# Named shapes; all at 16 kHz and 16384 samples (1.024 s), 128 frames.
PRESETS: dict[str, dict] = {
    # SpecGAN (Donahue et al. 2019): 128 x 128, 62.5 Hz bins, 2x redundancy
    "specgan": {"n_fft": 256, "hop_length": 128, "n_freq": 128},
    # TiFGAN's shape (Marafioti et al. 2019): 256 x 128, 31.25 Hz bins, 4x redundancy; the default
    "kick": {"n_fft": 512, "hop_length": 128, "n_freq": 256},
    # finest low end: 15.6 Hz bins, 8x redundancy, cropped at 4 kHz (bins above are dropped)
    "kick_lf": {"n_fft": 1024, "hop_length": 128, "n_freq": 256},
}


def _resolve_inversion(kind: str, inversion: str) -> str:
    if kind in EXACT_KINDS:
        if inversion not in ("auto", "exact"):
            raise ParameterError(f"inversion: {kind} holds its phase, so it must be exact (got '{inversion}')")
        return "exact"
    if inversion == "auto":
        return "pghi+gl"
    choice("inversion", inversion, MAG_INVERSIONS)
    return inversion


def _resolve_gl_iters(inversion: str, gl_iters: int | None) -> int:
    default = {"griffinlim": GL_ITERS, "pghi+gl": PGHI_GL_ITERS}.get(inversion, 0)
    if gl_iters is None:
        return default
    integer("gl_iters", gl_iters, 0)
    if default == 0 and gl_iters != 0:
        raise ParameterError(f"gl_iters: inversion '{inversion}' runs no Griffin-Lim, so it must be 0 (got {gl_iters})")
    if default > 0 and not 1 <= gl_iters <= 10000:
        raise ParameterError(f"gl_iters: must be in [1, 10000] for inversion '{inversion}' (got {gl_iters})")
    return gl_iters


def _set(cfg: SpecConfig, key: str, value) -> None:
    object.__setattr__(cfg, key, value)

