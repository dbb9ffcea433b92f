"""Producer tools: kicks by seed, rows between kicks, your own kick encoded, steering, sampler kits.

    sampler = KickSampler.from_checkpoint("runs/00001-dcgan_wgangp")
    generate(sampler, [3, 17, 42], "kicks/", ExportOptions(sr=44100, bit_depth="24"))
    generate(sampler, [42], "lower/", controls={"pitch": -1.0})       # see controls.py
    interpolate(sampler, "3", "42", 8, "row/")
    encode(sampler, "my_kick.wav", "mine/", n_variations=8, spread=0.3)
    build_kit(sampler, [3, 17, 42], "kits/", "hydrogen")
"""

from kickgan.producer.encode import encode
from kickgan.producer.export import ExportOptions, finish, read_sidecar
from kickgan.producer.generate import generate
from kickgan.producer.interpolate import interpolate, slerp
from kickgan.producer.kit import build_kit

__all__ = ["ExportOptions", "build_kit", "encode", "finish", "generate", "interpolate", "read_sidecar", "slerp"]
