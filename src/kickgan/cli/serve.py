"""``kickgan serve``: the web app (pads, steering, variations, morph, upload, kits) on one checkpoint."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile

from kickgan.cli.common import make_parser
from kickgan.cli.generate import add_checkpoint, add_precision, load_sampler
from kickgan.errors import UsageError

EXAMPLES = """
  kickgan serve runs/00001-dcgan_wgangp                 # then open http://127.0.0.1:8000
  kickgan serve runs/00001-dcgan_wgangp --port 8080 --out my_session/
  kickgan serve model.pt --host 0.0.0.0                 # reachable from the network (warns)
"""
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--out", metavar="DIR", help="keep the kicks made in DIR (default: a temporary folder, removed at exit)")
    parser.add_argument("--encode-steps", type=int, default=30, help="refinement steps when encoding an upload (default 30)")
    parser.add_argument("--device", default="cpu", help="torch device for the generator (default cpu)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    add_precision(parser)


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(prog, "Start a local web app to audition, steer, vary, morph, encode and download kicks.", EXAMPLES)
    add_checkpoint(parser)
    add_options(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port: must be from 1 to 65535, got {args.port}")
    if args.encode_steps < 0:
        raise UsageError(f"--encode-steps: must be >= 0, got {args.encode_steps}")
    import uvicorn

    from kickgan.serve.app import create_app
    from kickgan.serve.studio import Studio

    sampler = load_sampler(args, steer=True)
    loopback = args.host in LOOPBACK
    if not loopback:
        print(f"warning: listening on {args.host}: anyone who can reach this machine can use the app "
              "(it has no login); use --host 127.0.0.1 to keep it local", file=sys.stderr)
    with contextlib.ExitStack() as stack:
        folder = args.out or stack.enter_context(tempfile.TemporaryDirectory(prefix="kickgan-serve-"))
        app = create_app(Studio(sampler, folder, encode_steps=args.encode_steps),
                         allowed_hosts=["127.0.0.1", "localhost"] if args.host in ("127.0.0.1", "localhost") else None)
        print(f"kickgan serve: http://{'[::1]' if args.host == '::1' else args.host}:{args.port}  (Ctrl+C stops)", file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
