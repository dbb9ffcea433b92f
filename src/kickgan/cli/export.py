"""``kickgan export``: the generator of a checkpoint alone, a small file to share or bundle."""

from __future__ import annotations

from kickgan.cli.common import make_parser
from kickgan.cli.generate import add_checkpoint

EXAMPLES = """
  kickgan export runs/00001-dcgan_wgangp --out kick_model.pt
  kickgan generate kick_model.pt -n 16 --out kicks/
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Write the EMA generator, the representation's statistics and the config of a checkpoint\n"
        "(no critic, optimisers or random states): every producer command reads it like the checkpoint\n"
        "and makes the same kicks; training cannot resume from it.",
        EXAMPLES,
    )
    add_checkpoint(parser, bundled=False)
    parser.add_argument("--out", required=True, metavar="FILE", help="the generator file to write (.pt)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    from pathlib import Path

    from kickgan.checkpoints import export_generator, resolve_checkpoint
    from kickgan.io import check_output_file
    from kickgan.producer.export import check_free

    check_output_file(args.out, "--out")
    src = resolve_checkpoint(args.checkpoint)
    check_free([Path(args.out)], args.force)
    out = export_generator(src, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) from {src} ({src.stat().st_size / 1e6:.1f} MB)")
    return 0
