"""``kickgan train``: train a GAN from a YAML config, or resume a run exactly where it stopped."""

from __future__ import annotations

import json
from pathlib import Path

from kickgan.cli.common import make_parser
from kickgan.errors import UsageError

EXAMPLES = """
  kickgan train --config configs/dcgan_wgangp.yaml --data data/open_kicks
  kickgan train --config configs/tiny.yaml --data synth:64 --out runs/demo
  kickgan train --config configs/specgan.yaml --data data/open_kicks --set batch_size=32 --set optim.n_critic=3
  kickgan train --config configs/wavegan.yaml --dry-run
  kickgan train --resume runs/00003-dcgan_wgangp --set steps=20000
  torchrun --nproc_per_node=2 -m kickgan train --config configs/dcgan_wgangp.yaml --data data/open_kicks
"""


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Train a GAN on kicks. The run folder (default runs/NNNNN-NAME) receives training_options.json,\n"
        "stats.jsonl, log.txt, previews/ (WAVs + spectrogram grid) and checkpoints/{latest,best}.pt.\n"
        "Ctrl+C writes a checkpoint and stops; --resume continues bit for bit.",
        EXAMPLES,
    )
    parser.add_argument("--config", metavar="YAML", help="a config file, e.g. configs/dcgan_wgangp.yaml")
    parser.add_argument("--data", metavar="DIR", help="a kickgan dataset folder, or synth:N (default: the config's)")
    parser.add_argument("--out", metavar="RUN_DIR", help="the new run's folder (default: runs/NNNNN-NAME)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its checkpoints/latest.pt")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                        help="override one option by dotted key, e.g. loss.gp_lambda=5 (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the resolved config and the models, then exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs still go to the run)")
    args = parser.parse_args(argv)
    if bool(args.config) == bool(args.resume):
        raise UsageError("give exactly one of --config YAML (a new run) or --resume RUN_DIR")
    if args.resume and args.out:
        raise UsageError("--out is for new runs; a resumed run continues in its own folder")

    from kickgan.checkpoints import load_checkpoint
    from kickgan.config import load_config, with_overrides, config_from_dict
    from kickgan.train import train

    if args.resume:
        state = load_checkpoint(Path(args.resume) / "checkpoints" / "latest.pt")
        cfg = config_from_dict(state["config"], args.overrides, source=f"{args.resume} (checkpoint config)")
    else:
        cfg = load_config(args.config, args.overrides)
    if args.data:
        cfg = with_overrides(cfg, [f"data={args.data}"])
    if args.dry_run:
        print(dry_run_report(cfg))
        return 0
    run_dir = train(cfg, out=args.out, resume=args.resume, progress=not args.no_progress)
    if run_dir is not None:
        print(f"run folder: {run_dir}")
    return 0


def dry_run_report(cfg) -> str:
    """The resolved config as JSON, then the model family's networks' layer tables (GAN: G and D)
    and parameter counts."""
    import torch

    from kickgan.models import count_parameters, format_layer_table
    from kickgan.models.family import family_of

    torch.manual_seed(cfg.seed)
    nets = family_of(cfg.model).build_networks(cfg.model, tuple(cfg.representation.shape))
    tables = [format_layer_table(net, shape, name) for name, (net, shape) in nets.items()]
    counts = "  ".join(f"{name} {count_parameters(net):,}" for name, (net, _) in nets.items())
    return "\n".join([json.dumps(cfg.to_dict(), indent=2), *tables, f"parameters: {counts}"])
