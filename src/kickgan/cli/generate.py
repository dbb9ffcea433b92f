"""``kickgan generate``: write kicks as WAV files named by seed, each with a JSON sidecar.

The options shared by the producer commands (rate, bit depth, level, truncation,
controls, --force) are defined here once and reused by interpolate, encode and kit.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from kickgan.cli.common import make_parser, parse_device, parse_int_list
from kickgan.errors import UsageError

MAX_KICKS = 10_000  # more at once (about 0.5 GB of files) must be confirmed with --yes

EXAMPLES = """
  kickgan generate -n 16 --out kicks/                      # the bundled model (kickgan models)
  kickgan generate runs/00001-dcgan_wgangp -n 16 --out kicks/
  kickgan generate runs/00001-dcgan_wgangp --seeds 3,17,42 --out kicks/ --bit-depth 24
  kickgan generate runs/00001-dcgan_wgangp --seeds 42 --pitch -1 --decay -0.5 --out lower_shorter/
  kickgan generate runs/00001-dcgan_wgangp/checkpoints/best.pt --seed 100 -n 8 --truncation 0.7 --out kicks/
"""


def add_checkpoint(parser: argparse.ArgumentParser, bundled: bool = True) -> None:
    """The positional CKPT; with ``bundled`` it may be left out (the default bundled model)."""
    if bundled:
        parser.add_argument("checkpoint", metavar="CKPT", nargs="?",
                            help="a checkpoint file, a run folder (its best checkpoint), or the name of a "
                                 "bundled model (kickgan models); default: the default bundled model")
    else:
        parser.add_argument("checkpoint", metavar="CKPT", help="a checkpoint file, or a run folder (its best checkpoint)")


def add_precision(parser) -> None:
    """``--precision`` of every command that loads a sampler (a parser or an argument group)."""
    parser.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default="fp32",
                        help="the generator's precision: fp32 (default), bf16, or fp16 on CUDA")


def add_export_options(parser: argparse.ArgumentParser, controls: bool = True) -> None:
    """The options of every command that writes kicks."""
    group = parser.add_argument_group("output")
    group.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created)")
    group.add_argument("--sr", type=int, default=44100, help="sample rate of the files (Hz; default 44100)")
    group.add_argument("--bit-depth", choices=("16", "24", "32f"), default="16", help="16 or 24-bit PCM, or 32-bit float")
    group.add_argument("--peak-db", type=float, default=-1.0, help="peak level in dBFS (default -1)")
    group.add_argument("--loudness-db", type=float, metavar="DB", help="RMS level in dBFS instead (peak kept <= --peak-db)")
    group.add_argument("--force", action="store_true", help="overwrite existing files")
    group.add_argument("--device", type=parse_device, default="cpu", help="torch device for the generator (default cpu)")
    add_precision(group)
    group.add_argument("--threads", type=int, default=1,
                       help="torch CPU threads (default 1: kicks are made one at a time, too small to share)")
    if controls:
        steer = parser.add_argument_group("shape (in standard deviations of the model's kicks; the other two held)")
        steer.add_argument("--truncation", type=float, default=1.0, metavar="T",
                           help="scale latents toward the mean by T in (0, 1]: more typical, less varied")
        steer.add_argument("--pitch", type=float, default=0.0, metavar="X", help="body pitch: + higher, - lower")
        steer.add_argument("--decay", type=float, default=0.0, metavar="X", help="decay length: + longer, - shorter")
        steer.add_argument("--click", type=float, default=0.0, metavar="X", help="click / brightness: + more")


def export_options(args: argparse.Namespace):
    from kickgan.producer.export import ExportOptions

    return ExportOptions(sr=args.sr, bit_depth=args.bit_depth, peak_db=args.peak_db, loudness_db=args.loudness_db)


def controls_of(args: argparse.Namespace) -> dict:
    """The non-zero controls given on the command line, checked (finite, within the measured range)."""
    from kickgan.producer.controls import check_amounts

    return check_amounts({name: getattr(args, name) for name in ("pitch", "decay", "click") if getattr(args, name)})


def load_sampler(args: argparse.Namespace, steer: bool = False):
    """The sampler of ``args.checkpoint`` (none given: the default bundled model, saying so), after
    checking ``--threads`` and the ``--out`` folder (so a bad one fails before any work); with
    ``steer``, fits the controls first if needed (saying so)."""
    import torch

    from kickgan import bundled
    from kickgan.io import check_folder
    from kickgan.producer import controls as controls_mod
    from kickgan.sampler import KickSampler

    if args.threads < 1:
        raise UsageError(f"--threads: must be at least 1, got {args.threads}")
    if args.out is not None:  # kickgan serve may keep none
        check_folder(args.out)
    torch.set_num_threads(args.threads)
    path = args.checkpoint
    if path is None:
        path = bundled.default_checkpoint()
        print(f"no CKPT given: using the bundled model {path.stem} ({path})", file=sys.stderr)
    elif bundled.is_bundled_name(path):
        path = bundled.checkpoint(path)
        print(f"using the bundled model {path.stem} ({path})", file=sys.stderr)
    sampler = KickSampler.from_checkpoint(path, device=args.device, precision=args.precision)
    if steer and not controls_mod.is_fitted(sampler):
        print(f"fitting the pitch/decay/click controls on {controls_mod.N_FIT} kicks (once per checkpoint) ...", file=sys.stderr)
        controls_mod.load_or_fit(sampler)
    return sampler


def seeds_of(args: argparse.Namespace) -> Sequence[int]:
    """``--seeds`` as given (each once), else ``-n`` seeds from ``--seed`` (a ``range``: no list of
    a hundred million ints); more than ``MAX_KICKS`` need ``--yes`` where the command has it."""
    if args.seeds is not None:
        if args.seed is not None:
            raise UsageError("--seed and --seeds: give one of them")
        seeds: Sequence[int] = parse_int_list(args.seeds)
        seen: set[int] = set()
        for seed in seeds:
            if seed in seen:
                raise UsageError(f"--seeds: seed {seed} is given more than once (each seed is one file)")
            seen.add(seed)
    else:
        if args.n < 1:
            raise UsageError(f"-n: must be at least 1, got {args.n}")
        start = 0 if args.seed is None else args.seed
        if start < 0:
            raise UsageError(f"--seed: must be >= 0, got {start}")
        seeds = range(start, start + args.n)
    if len(seeds) > MAX_KICKS and not getattr(args, "yes", False):
        option = "--seeds" if args.seeds is not None else "-n"
        confirm = "pass --yes to confirm" if hasattr(args, "yes") else "make fewer at a time"
        raise UsageError(f"{option}: {len(seeds)} kicks are {2 * len(seeds)} files (about {len(seeds) * 50e3 / 1e9:.1f} GB "
                         f"at 44.1 kHz 16-bit); more than {MAX_KICKS} at once: {confirm}")
    return seeds


def add_seed_options(parser: argparse.ArgumentParser, n_default: int = 16) -> None:
    parser.add_argument("-n", type=int, default=n_default, help=f"how many kicks, seeds from --seed on (default {n_default})")
    parser.add_argument("--seed", type=int, help="first seed (default 0)")
    parser.add_argument("--seeds", metavar="LIST", help="exact seeds, e.g. 3,17,42 or 0-7")


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Write kicks as WAV files named by seed (kick_s000042.wav), each with a JSON sidecar\n"
        "(checkpoint hash, seed, latent, controls). The same seed and checkpoint give the same file.",
        EXAMPLES,
    )
    add_checkpoint(parser)
    add_seed_options(parser)
    add_export_options(parser)
    parser.add_argument("--yes", action="store_true",
                        help=f"confirm more than {MAX_KICKS} kicks at once (they are written as they are made)")
    args = parser.parse_args(argv)
    seeds = seeds_of(args)
    from kickgan.producer.generate import generate_each

    opts = export_options(args)
    controls = controls_of(args)
    sampler = load_sampler(args, bool(controls))
    kicks = generate_each(sampler, seeds, args.out, opts, truncation=args.truncation, controls=controls, force=args.force)
    written = sum(1 for _ in kicks)  # counted as they are written: no list of a hundred million paths
    print(f"wrote {written} kick(s) to {args.out} ({opts.sr} Hz, bit depth {opts.bit_depth})")
    return 0
