"""``kickgan interpolate``: a row of kicks between two seeds (or two kicks' sidecars)."""

from __future__ import annotations

from kickgan.cli.common import make_parser
from kickgan.cli.generate import add_checkpoint, add_export_options, controls_of, export_options, load_sampler

EXAMPLES = """
  kickgan interpolate --from 3 --to 42 --out row/               # the bundled model (kickgan models)
  kickgan interpolate runs/00001-dcgan_wgangp --from 3 --to 42 --steps 8 --out row/
  kickgan interpolate runs/00001-dcgan_wgangp --from kicks/kick_s000003.json --to mine/my_kick_encoded.json --out row/
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Write a row of kicks along the spherical path between two latents; the first and last\n"
        "are exactly the kicks of --from and --to. Each end is a seed or a kick's .json sidecar.",
        EXAMPLES,
    )
    add_checkpoint(parser)
    parser.add_argument("--from", dest="source", required=True, metavar="SEED|SIDECAR", help="start: a seed or a sidecar")
    parser.add_argument("--to", dest="target", required=True, metavar="SEED|SIDECAR", help="end: a seed or a sidecar")
    parser.add_argument("--steps", type=int, default=8, help="kicks in the row, ends included (default 8)")
    add_export_options(parser)
    args = parser.parse_args(argv)
    from kickgan.producer.interpolate import interpolate

    controls = controls_of(args)
    sampler = load_sampler(args, bool(controls))
    paths = interpolate(sampler, args.source, args.target, args.steps, args.out, export_options(args),
                        truncation=args.truncation, controls=controls, force=args.force)
    print(f"wrote {len(paths)} kicks to {args.out}: {paths[0].name} ... {paths[-1].name}")
    return 0
