"""SpecConfig: defaults, presets, dict round trip, resolution of 'auto', and clear errors."""

import dataclasses

import pytest

from kickgan.errors import ParameterError
from kickgan.spectral import PRESETS, SpecConfig

KINDS = ("logmag", "warped", "complex", "mag_if", "wave")


def test_default_is_the_kick_preset_logmag_with_pghi_and_a_few_gl_iterations():
    cfg = SpecConfig()
    assert cfg == SpecConfig.preset("kick")
    assert (cfg.kind, cfg.inversion, cfg.gl_iters) == ("logmag", "pghi+gl", 4)
    assert cfg.shape == (1, 256, 128)


@pytest.mark.parametrize(
    "preset, kind, shape",
    [
        ("specgan", "logmag", (1, 128, 128)),
        ("specgan", "complex", (2, 128, 128)),
        ("specgan", "mag_if", (2, 128, 128)),
        ("specgan", "wave", (1, 16384)),
        ("kick", "logmag", (1, 256, 128)),
        ("kick", "complex", (2, 256, 128)),
        ("kick", "mag_if", (2, 256, 128)),
        ("kick_lf", "logmag", (1, 256, 128)),
        ("kick_lf", "complex", (2, 256, 128)),
    ],
)
def test_preset_shapes(preset, kind, shape):
    assert SpecConfig.preset(preset, kind=kind).shape == shape


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("kind", KINDS)
def test_asdict_round_trip(name, kind):
    cfg = SpecConfig.preset(name, kind=kind)
    d = dataclasses.asdict(cfg)
    assert SpecConfig(**d) == cfg
    assert d["inversion"] != "auto" and d["gl_iters"] is not None  # the stored config says what was used


def test_inversion_and_gl_iters_resolve_per_kind():
    assert SpecConfig(kind="complex").inversion == "exact"
    assert SpecConfig(kind="mag_if").gl_iters == 0
    assert SpecConfig(inversion="griffinlim").gl_iters == 16
    assert SpecConfig(inversion="pghi").gl_iters == 0
    assert SpecConfig(inversion="griffinlim", gl_iters=32).gl_iters == 32
    # replace() re-resolves the iterations of a new inversion
    assert SpecConfig(inversion="griffinlim").replace(inversion="pghi").gl_iters == 0
    assert SpecConfig().replace(kind="complex").inversion == "exact"
    assert SpecConfig(kind="complex").replace(kind="logmag").inversion == "pghi+gl"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"kind": "mel"}, "kind: must be one of logmag, warped, complex, mag_if, wave (got 'mel')"),
        ({"n_fft": 500}, "n_fft: must be a power of two"),
        ({"length": 16000}, "length: must be a power of two"),
        ({"sr": 16000.0}, "sr: must be an integer (got 16000.0)"),
        ({"hop_length": 512}, "hop_length: must be in [4, n_fft/2 = 256]"),
        ({"n_freq": 512}, "n_freq: must be in [8, n_fft/2 = 256] (got 512)"),
        ({"kind": "complex", "inversion": "pghi"}, "inversion: complex holds its phase, so it must be exact"),
        ({"inversion": "istft"}, "inversion: must be one of pghi, pghi+gl, griffinlim"),
        ({"inversion": "pghi", "gl_iters": 3}, "gl_iters: inversion 'pghi' runs no Griffin-Lim"),
        ({"inversion": "griffinlim", "gl_iters": 0}, "gl_iters: must be in [1, 10000]"),
        ({"compress": 0.0}, "compress: must be in (0, 1]"),
        ({"gl_momentum": 1.0}, "gl_momentum: must be in [0, 1)"),
        ({"log_eps": -1.0}, "log_eps: must be greater than 0"),
        ({"pghi_tol": 2.0}, "pghi_tol: must be in (0, 1)"),
    ],
)
def test_bad_parameters_name_the_field_and_the_reason(changes, message):
    with pytest.raises(ParameterError) as err:
        SpecConfig(**changes)
    assert message in str(err.value)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ParameterError, match="preset: unknown 'tifgan' \\(choose from specgan, kick, kick_lf\\)"):
        SpecConfig.preset("tifgan")
