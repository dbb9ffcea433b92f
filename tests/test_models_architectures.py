"""Shapes and parameter counts of every model and upsampling variant; published SpecGAN / WaveGAN sizes."""

import pytest
import torch

from kickgan.errors import ParameterError
from kickgan.models import ModelConfig, build_models, count_parameters, layer_table, sample_latents

UPSAMPLES = ("transposed", "nearest", "durall")


def _published_sizes(d: int, channels: int, z_dim: int = 100, taps: int = 25) -> tuple[int, int]:
    """G and D sizes implied by Donahue et al. (2019), appendix tables (5x5 = 25 taps for SpecGAN)."""
    ladder = [16 * d, 8 * d, 4 * d, 2 * d, d, channels]
    g = (z_dim + 1) * 256 * d  # dense z -> 16 x 16d (or 4 x 4 x 16d)
    g += sum(taps * c_in * c_out + c_out for c_in, c_out in zip(ladder, ladder[1:]))
    rev = ladder[::-1]
    dsc = sum(taps * c_in * c_out + c_out for c_in, c_out in zip(rev, rev[1:]))
    dsc += 256 * d + 1  # dense 16 x 16d -> 1
    return g, dsc


def test_published_sizes_helper_gives_the_papers_totals():
    assert _published_sizes(64, 1) == (19_065_345, 17_427_969)  # "about 19.1 M and 17.4 M"


@pytest.mark.parametrize(("arch", "shape"), [("wavegan", (1, 16384)), ("specgan", (1, 128, 128))])
def test_published_architectures_match_the_paper_at_d64(arch, shape):
    with torch.device("meta"):  # counts only: no memory, no initialisation cost
        G, D = build_models(ModelConfig(arch=arch), shape)
    assert (count_parameters(G), count_parameters(D)) == _published_sizes(64, 1)


@pytest.mark.parametrize(("width", "channels"), [(8, 1), (16, 2)])
def test_specgan_size_formula_holds_for_other_widths_and_channels(width, channels):
    G, D = build_models(ModelConfig(arch="specgan", width=width), (channels, 128, 128))
    assert (count_parameters(G), count_parameters(D)) == _published_sizes(width, channels)


@pytest.mark.parametrize("length", [8192, 16384, 32768, 65536])
def test_wavegan_lengths(length):
    cfg = ModelConfig(arch="wavegan", width=2)
    G, D = build_models(cfg, (1, length))
    x = G(sample_latents(cfg, [0, 1]))
    assert x.shape == (2, 1, length)
    assert D(x).shape == (2,)
    bottleneck = layer_table(G, (cfg.z_dim,))[0][1]
    assert bottleneck == ((16 if length <= 16384 else 32) * 2, 16)  # the repo's 16 x 16d / 16 x 32d


def test_longer_wavegans_add_the_repos_sixth_layer_at_d64():
    with torch.device("meta"):
        G, D = build_models(ModelConfig(arch="wavegan"), (1, 32768))
    ladder = [2048, 1024, 512, 256, 128, 64, 1]
    g = 101 * 16 * 2048 + sum(25 * a * b + b for a, b in zip(ladder, ladder[1:]))
    rev = ladder[::-1]
    dsc = sum(25 * a * b + b for a, b in zip(rev, rev[1:])) + 16 * 2048 + 1
    assert (count_parameters(G), count_parameters(D)) == (g, dsc)


def _dcgan_sizes(width: int, shape: tuple[int, int, int], z_dim: int = 100) -> tuple[int, int]:
    """Radford-style DCGAN sizes, kernel 4, batch norm in G and D (no bias before batch norm)."""
    channels, n_freq, n_frames = shape
    layers = min(n_freq, n_frames).bit_length() - 3
    start = (n_freq >> layers) * (n_frames >> layers)
    widths = [width * min(2**i, 16) for i in range(layers)]
    up = widths[::-1]
    g = z_dim * up[0] * start + 2 * up[0]
    g += sum(16 * a * b + 2 * b for a, b in zip(up, up[1:]))
    g += 16 * up[-1] * channels + channels
    dsc = 16 * channels * widths[0] + widths[0]
    dsc += sum(16 * a * b + 2 * b for a, b in zip(widths, widths[1:]))
    dsc += widths[-1] * start + 1
    return g, dsc


@pytest.mark.parametrize("shape", [(1, 128, 128), (1, 128, 64), (2, 256, 64), (2, 16, 8)])
def test_dcgan_sizes_follow_radford(shape):
    G, D = build_models(ModelConfig(arch="dcgan", width=8), shape)
    assert (count_parameters(G), count_parameters(D)) == _dcgan_sizes(8, shape)


@pytest.mark.parametrize(("arch", "kernel"), [("dcgan", 5), ("specgan", 5), ("wavegan", 25)])
def test_upsampling_variants_change_only_the_expected_parameters(arch, kernel):
    width, shape = 4, {"wavegan": (1, 8192), "specgan": (1, 64, 32), "dcgan": (1, 32, 16)}[arch]
    sizes = {}
    for up in UPSAMPLES:
        G, D = build_models(ModelConfig(arch=arch, width=width, upsample=up, kernel=kernel), shape)
        sizes[up] = (count_parameters(G), count_parameters(D))
    taps = kernel ** (len(shape) - 1)
    assert sizes["nearest"] == sizes["transposed"]  # same kernels, applied after resizing
    extra = 2 * (taps * width * width + width)  # Durall: two more width -> width convolutions
    assert sizes["durall"] == (sizes["transposed"][0] + extra, sizes["transposed"][1])


def test_even_kernels_become_odd_after_nearest_upsampling():
    G, _ = build_models(ModelConfig(arch="dcgan", width=4, upsample="nearest"), (1, 32, 16))
    convs = [m for m in G.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [tuple(m.kernel_size) for m in convs] == [(3, 3), (3, 3)]  # DCGAN's 4 x 4 at stride 1
    assert [tuple(m.padding) for m in convs] == [(1, 1), (1, 1)]


@pytest.mark.parametrize("up", UPSAMPLES)
@pytest.mark.parametrize(
    ("arch", "shape", "d_norm"),
    [
        ("dcgan", (1, 32, 16), "batch"),
        ("dcgan", (2, 16, 32), "spectral"),
        ("specgan", (2, 32, 64), "none"),
        ("wavegan", (1, 8192), "none"),
    ],
)
def test_forward_backward_reaches_every_parameter(arch, shape, d_norm, up):
    torch.manual_seed(0)
    cfg = ModelConfig(arch=arch, width=4, upsample=up, d_norm=d_norm)
    G, D = build_models(cfg, shape)
    x = G(sample_latents(cfg, [0, 1, 2]))
    assert x.shape == (3, *shape)
    assert x.abs().max() <= 1  # tanh output
    logits = D(x)
    assert logits.shape == (3,)
    logits.sum().backward()
    for name, p in [*G.named_parameters(), *D.named_parameters()]:
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_layer_table_lists_every_block_and_leaves_the_model_untouched():
    cfg = ModelConfig(arch="dcgan", width=4)
    G, D = build_models(cfg, (1, 32, 16))
    stats = G.project[2].running_mean.clone()
    rows = layer_table(G, (cfg.z_dim,))
    assert [(name, shape) for name, shape, _ in rows] == [  # min(F, N) = 16: two stride-2 layers from 8 x 4
        ("project", (8, 8, 4)),
        ("up1", (4, 16, 8)),
        ("out", (1, 32, 16)),
    ]
    assert sum(r[2] for r in rows) == count_parameters(G)
    assert G.training and torch.equal(G.project[2].running_mean, stats)
    assert layer_table(D, (1, 32, 16))[-1][1] == ()


@pytest.mark.parametrize(
    ("arch", "shape", "message"),
    [
        ("dcgan", (3, 32, 32), "C = 1 or 2"),
        ("dcgan", (1, 48, 32), "F must be a power of two"),
        ("dcgan", (1, 32, 4), "N must be a power of two >= 8"),
        ("specgan", (1, 128, 16), "N must be a power of two >= 32"),
        ("wavegan", (1, 16000), "wavegan needs \\(1, T\\) with T in 8192, 16384, 32768, 65536"),
        ("wavegan", (1, 128, 128), "wavegan needs"),
    ],
)
def test_unsupported_shapes_raise(arch, shape, message):
    with pytest.raises(ParameterError, match=message):
        build_models(ModelConfig(arch=arch, width=2), shape)


def test_builds_are_reproducible_under_a_seed():
    cfg = ModelConfig(arch="dcgan", width=4, d_norm="spectral")
    states = []
    for seed in (1, 1, 2):
        torch.manual_seed(seed)
        G, D = build_models(cfg, (1, 16, 16))
        states.append(torch.cat([t.flatten() for t in [*G.state_dict().values(), *D.state_dict().values()]]))
    assert torch.equal(states[0], states[1]) and not torch.equal(states[0], states[2])


@pytest.mark.parametrize("arch", ["dcgan", "specgan"])
def test_spectral_norm_holds_for_the_initialised_weights(arch):
    torch.manual_seed(0)
    _, D = build_models(ModelConfig(arch=arch, width=4, d_norm="spectral"), (1, 32, 64))
    D.eval()  # no power iteration on access: the weights D's first step sees
    layers = [m for m in D.modules() if hasattr(m, "parametrizations")]
    assert len(layers) >= 4
    for m in layers:
        sigma = torch.linalg.matrix_norm(m.weight.detach().flatten(1), ord=2)
        # 15 power iterations underestimate sigma a little: 1.00 to 1.05 here; before the fix 5.3 to 108
        assert 0.999 < sigma.item() < 1.1
