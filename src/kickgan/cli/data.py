"""``kickgan data SUBCOMMAND``: make and inspect datasets.

Subcommands: ``synth`` (procedural kicks), ``build`` (a clean dataset from sample
folders), ``open-kicks`` (the dataset of the Debian sample packages), ``show``
(statistics and a picture).
"""

from __future__ import annotations

import argparse

from kickgan.cli.common import make_parser

SUBCOMMANDS = {
    "synth": "write procedural kicks (808, acoustic, electronic) as WAVs with their parameters",
    "build": "turn sample folders (Hydrogen kits, plain folders) into a clean kick dataset",
    "open-kicks": "build the open kick set from the installed Debian sample packages",
    "show": "print a dataset's statistics and draw some examples as a PNG",
}


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Make and inspect datasets.\n\n" + "\n".join(f"  {k:<10} {v}" for k, v in SUBCOMMANDS.items()),
        f"  {prog} synth --n 64 --out synth/ --seed 0\n  {prog} build synth/ --out datasets/synth\n"
        f"  {prog} show datasets/synth\n  {prog} build --help",
    )
    parser.add_argument("subcommand", choices=list(SUBCOMMANDS), help="what to do")
    args = parser.parse_args(argv[:1])
    run = {"synth": _synth, "build": _build, "open-kicks": _open_kicks, "show": _show}[args.subcommand]
    return run(argv[1:], f"{prog} {args.subcommand}")


def _synth(argv: list[str], prog: str) -> int:
    from kickgan.data.synth import write_synth

    p = make_parser(prog, SUBCOMMANDS["synth"] + ".\nSame seed, same files, byte for byte; parameters go to "
                    "OUT/params.jsonl.", f"  {prog} --n 64 --out synth/ --seed 0\n  {prog} --n 8 --out s/ --sr 16000")
    p.add_argument("--n", type=int, required=True, help="how many kicks")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="seed; kick i of seed s is always the same (default 0)")
    p.add_argument("--sr", type=int, default=44100, help="sample rate in Hz (default 44100)")
    p.add_argument("--seconds", type=float, default=1.0, help="length of each kick in seconds (default 1.0)")
    a = p.parse_args(argv)
    if a.n <= 0 or a.seconds <= 0:
        p.error("--n and --seconds must be positive")
    paths = write_synth(a.out, a.n, a.seed, a.sr, int(round(a.seconds * a.sr)))
    print(f"wrote {len(paths)} kicks to {a.out} ({a.sr} Hz, seed {a.seed}) with params.jsonl")
    return 0


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="the dataset folder to write (new, empty, or an older dataset)")
    p.add_argument("--sr", type=int, default=16000, help="sample rate of the clips in Hz (default 16000)")
    p.add_argument("--length", type=int, default=16384, help="samples per clip (default 16384)")
    p.add_argument("--seed", type=int, default=0, help="seed of the kit-wise split (default 0)")
    p.add_argument("--normalize", choices=["peak", "loudness", "none"], default="peak", help="level (default peak)")
    p.add_argument("--allow-small", action="store_true",
                   help="build even when too few kicks are usable to train on (the summary says what it is good for)")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                   help="skip files whose path or name matches this glob (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="list every kept file too")


def _build_options(a: argparse.Namespace) -> dict:
    return {"sr": a.sr, "length": a.length, "seed": a.seed, "exclude": tuple(a.exclude),
            "normalize": None if a.normalize == "none" else a.normalize, "progress": True,
            "allow_small": a.allow_small}


def _build(argv: list[str], prog: str) -> int:
    from kickgan.data.build import build_dataset

    p = make_parser(prog, SUBCOMMANDS["build"] + ".\nRejects bad files with a reason, drops duplicates, splits by "
                    "kit; see docs/data.md.", f"  {prog} ~/samples/kits --out datasets/mine\n"
                    f"  {prog} synth/ --out datasets/synth --all --sr 16000 --length 16384\n"
                    f"  {prog} a/ b/ --out ds --exclude '*loop*'")
    p.add_argument("sources", nargs="+", metavar="SRC", help="folders (or files) to read, recursively")
    p.add_argument("--all", action="store_true", help="every audio file is a kick (no selection by name)")
    _add_build_options(p)
    a = p.parse_args(argv)
    result = build_dataset(a.sources, a.out, all_kicks=a.all, **_build_options(a))
    return _report(result, a.verbose)


def _open_kicks(argv: list[str], prog: str) -> int:
    from kickgan.data.open_kicks import PACKAGES, build_open_kicks

    p = make_parser(prog, SUBCOMMANDS["open-kicks"] + f" ({', '.join(PACKAGES)}).",
                    f"  {prog} --out data/open_kicks\n  {prog} --out data/open_kicks_44k --sr 44100 --length 32768")
    _add_build_options(p)
    a = p.parse_args(argv)
    return _report(build_open_kicks(a.out, **_build_options(a)), a.verbose)


def _report(result, verbose: bool) -> int:
    from kickgan.data.summary import format_summary

    print(format_summary(result.info, result.records, verbose=verbose), end="")
    print(f"wrote {result.out} (full list in {result.out / 'summary.txt'})")
    return 0


def _show(argv: list[str], prog: str) -> int:
    from kickgan.data.show import show

    p = make_parser(prog, SUBCOMMANDS["show"] + " (a dataset folder, or any folder of audio files).",
                    f"  {prog} data/open_kicks\n  {prog} synth/ --png synth.png --n 12")
    p.add_argument("dir", help="a dataset folder or a folder of audio files")
    p.add_argument("--png", default=None, help="where to write the picture (default DIR/examples.png)")
    p.add_argument("--n", type=int, default=8, help="examples in the picture (default 8)")
    p.add_argument("--seed", type=int, default=0, help="which examples (default 0)")
    a = p.parse_args(argv)
    if a.n <= 0:
        p.error("--n must be positive")
    print(show(a.dir, a.png, n=a.n, seed=a.seed))
    return 0
