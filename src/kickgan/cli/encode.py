"""``kickgan encode``: find the latent of your own kick (GAN inversion), with variations around it."""

from __future__ import annotations

from kickgan.cli.common import make_parser
from kickgan.cli.generate import add_checkpoint, add_export_options, export_options, load_sampler

EXAMPLES = """
  kickgan encode my_kick.wav --out mine/                         # the bundled model (kickgan models)
  kickgan encode runs/00001-dcgan_wgangp my_kick.wav --out mine/
  kickgan encode runs/00001-dcgan_wgangp my_kick.wav --out mine/ --variations 8 --spread 0.3
  kickgan interpolate runs/00001-dcgan_wgangp --from mine/my_kick_encoded.json --to 42 --out row/
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Find the latent whose kick sounds closest to yours (log-mel + multi-resolution STFT\n"
        "distance, from the best of several random starts), write that kick with its latent\n"
        "sidecar, variations around it, and the reconstruction distance (<stem>_encode.json).",
        EXAMPLES,
    )
    add_checkpoint(parser)
    parser.add_argument("kick", metavar="KICK", help="your kick (WAV, FLAC, AIFF, ...)")
    parser.add_argument("--variations", type=int, default=8, help="variations to write around it (default 8)")
    parser.add_argument("--spread", type=float, default=0.3, help="how far variations stray, in prior units (default 0.3)")
    parser.add_argument("--starts", type=int, default=16, help="random latents to start from (default 16)")
    parser.add_argument("--steps", type=int, default=200, help="optimisation steps (default 200)")
    add_export_options(parser, controls=False)
    args = parser.parse_args(argv)
    from kickgan.producer.encode import encode

    sampler = load_sampler(args)
    summary = encode(sampler, args.kick, args.out, export_options(args), n_variations=args.variations,
                     spread=args.spread, starts=args.starts, steps=args.steps, force=args.force)
    d = summary["distance"]
    print(f"distance {d['final']['total']:.3f} (log-mel {d['final']['log_mel']:.3f}, MR-STFT {d['final']['mrstft']:.3f}; "
          f"best random start {d['start']:.3f}); wrote {len(summary['files'])} kicks to {args.out}")
    return 0
