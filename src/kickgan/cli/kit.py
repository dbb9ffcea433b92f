"""``kickgan kit``: generate kicks and package them as an SFZ or Hydrogen sampler kit."""

from __future__ import annotations

from kickgan.cli.common import make_parser
from kickgan.cli.generate import (
    add_checkpoint,
    add_export_options,
    add_seed_options,
    controls_of,
    export_options,
    load_sampler,
    seeds_of,
)

EXAMPLES = """
  kickgan kit -n 8 --out kits/                                   # the bundled model (kickgan models)
  kickgan kit runs/00001-dcgan_wgangp --seeds 3,17,42 --out kits/ --format sfz
  kickgan kit runs/00001-dcgan_wgangp --seeds 0-7 --out kits/ --format hydrogen --name my_kicks
  kickgan kit runs/00001-dcgan_wgangp --seeds 42,43,44 --out kits/ --format sfz --layout velocity
  kickgan kit runs/00001-dcgan_wgangp --seeds 42 --layers 4 --out kits/ --format sfz
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Package kicks as a sampler kit: SFZ (NAME.sfz + samples/) or Hydrogen (NAME.h2drumkit).\n"
        "--layout keys puts one kick per MIDI note from 36 (C1) up; --layout velocity makes the\n"
        "kicks velocity layers of note 36, softest first; --layers N gives each kick N velocity\n"
        "layers of itself, from less click (soft) to more click (hard).",
        EXAMPLES,
    )
    add_checkpoint(parser)
    add_seed_options(parser, n_default=8)
    parser.add_argument("--format", choices=("sfz", "hydrogen"), default="sfz", help="kit format (default sfz)")
    parser.add_argument("--layout", choices=("keys", "velocity"), default="keys", help="one kick per key, or velocity layers")
    parser.add_argument("--layers", type=int, default=1, metavar="N",
                        help="N velocity layers of each kick, steered from soft (less click) to hard (more)")
    parser.add_argument("--layer-click", type=float, default=1.0, metavar="X",
                        help="click of the softest / hardest layer: -X / +X standard deviations (default 1)")
    parser.add_argument("--name", default="kickgan_kicks", help="kit name (default kickgan_kicks)")
    parser.add_argument("--license", help="the kit's licence, shown by Hydrogen (default: says none was given)")
    add_export_options(parser)
    args = parser.parse_args(argv)
    seeds = seeds_of(args)
    from kickgan.producer.kit import DEFAULT_LICENSE, build_kit

    controls = controls_of(args)
    sampler = load_sampler(args, bool(controls) or args.layers > 1)
    path = build_kit(sampler, seeds, args.out, args.format, name=args.name, layout=args.layout,
                     layers=args.layers, layer_click=args.layer_click,
                     opts=export_options(args), truncation=args.truncation, controls=controls, force=args.force,
                     license=args.license or DEFAULT_LICENSE)
    layers = f" x {args.layers} velocity layers" if args.layers > 1 else ""
    print(f"wrote {path} ({len(seeds)} kick(s){layers}, layout {args.layout})")
    return 0
