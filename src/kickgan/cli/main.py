"""``kickgan``: the command-line entry point.

Each subcommand lives in its own module, imported only when it is used (so
``kickgan --help`` stays fast and never imports torch). A subcommand module
exposes ``main(argv: list[str], prog: str) -> int`` and builds its own
``argparse`` parser with :func:`kickgan.cli.common.make_parser`.

Examples::

    kickgan data synth --n 64 --out synth/ --seed 0
    kickgan data build synth/ --out datasets/synth --all
    kickgan train --config configs/dcgan_wgangp.yaml --data datasets/open_kicks
    kickgan generate runs/00001-dcgan_wgangp -n 16 --out kicks/
    kickgan evaluate runs/00001-dcgan_wgangp --reference datasets/open_kicks:test
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import sys

from kickgan import __version__
from kickgan.errors import KickganError, Terminated

# name -> (module, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "data": ("kickgan.cli.data", "make and inspect datasets (synth, build, show, open-kicks)"),
    "train": ("kickgan.cli.train", "train a GAN from a YAML config; resume a run"),
    "generate": ("kickgan.cli.generate", "write kicks as WAV files, named by seed"),
    "interpolate": ("kickgan.cli.interpolate", "a row of kicks between two seeds"),
    "encode": ("kickgan.cli.encode", "find the latent of your own kick, with variations"),
    "kit": ("kickgan.cli.kit", "export kicks as an SFZ or Hydrogen sampler kit"),
    "serve": ("kickgan.cli.serve", "a local web app: audition, steer, vary, morph, encode, download kits"),


    "page": ("kickgan.cli.page", "an HTML page to listen to folders of kicks, from disk"),
    "models": ("kickgan.cli.models", "list the pretrained models that ship with kickgan (hash, data, scores)"),
    "export": ("kickgan.cli.export", "write a checkpoint's generator alone: a small file for the producer commands"),
    "evaluate": ("kickgan.cli.evaluate", "score generated (or any) kicks against real ones"),
    "experiment": ("kickgan.cli.experiment", "train and evaluate a grid of models; write the report"),
    "report": ("kickgan.cli.report", "rebuild an experiment's tables and figures without retraining"),
    "analyse": ("kickgan.cli.analyse", "the paper's analysis of an experiment: glide, decay, per-bin and 1-D spectra"),
    "paper": ("kickgan.cli.paper", "an experiment's Methodology and Results as LaTeX and Markdown, with references"),
    "bench": ("kickgan.cli.bench", "measure speed: spectral, train, generate, evaluate"),
}


# a file system that refuses a write mid-command (full disk, read-only mount, permissions changed)
# is the user's to fix: one line, exit 1, like a KickganError
FILE_SYSTEM_ERRORS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.ENOTDIR,
                      errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG}


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [
        f"kickgan {__version__}: learn to make kick-drum one-shots with GANs.",
        "",
        "usage: kickgan COMMAND [options]     (kickgan COMMAND --help for each)",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {desc}" for name, (_, desc) in COMMANDS.items()]
    lines += ["", "example: kickgan data synth --n 64 --out synth/ && kickgan data show synth/"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if argv[0] == "--version":
        print(f"kickgan {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"kickgan: error: unknown command '{name}' (choose from {', '.join(COMMANDS)})", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    previous = _terminate_as_interrupt()
    try:
        return int(module.main(rest, prog=f"kickgan {name}") or 0)
    except KickganError as exc:
        print(f"kickgan {name}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # the reader of our output stopped early (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except OSError as exc:
        if exc.errno not in FILE_SYSTEM_ERRORS:
            raise  # anything else is a bug: keep its traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"kickgan {name}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"kickgan {name}: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum, frame) -> None:
    raise Terminated


def _terminate_as_interrupt():
    """Handle SIGTERM as Ctrl+C (``Terminated``, a ``KeyboardInterrupt``), so a job manager's ``kill``
    lets a run save its checkpoint; the previous handler, or ``None`` where it cannot (not the main
    thread) or should not (SIGTERM ignored) be set."""
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
            return None
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
