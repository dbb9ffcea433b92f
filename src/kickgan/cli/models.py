"""``kickgan models``: the pretrained models that ship with kickgan, with their hash, data and scores."""

from __future__ import annotations

from kickgan.cli.common import make_parser

EXAMPLES = """
  kickgan models
  kickgan models add runs/00001-dcgan_wgangp --name open-kicks --data data/open_kicks --evaluation eval.json
  kickgan generate -n 16 --out kicks/          # no CKPT: the default bundled model
"""
# the scores listed (when the index has them): key -> label
SHOWN = {"fd/aisfx-512": "FD", "kid/aisfx-512": "KID", "desc/w1_mean": "descriptors", "mem/nn_ratio_median/logmel": "memorisation"}


def describe(entry: dict, default: str | None) -> list[str]:
    """The lines that present one index entry."""
    from kickgan import bundled
    from kickgan.errors import KickganError

    try:
        status = f"ok ({bundled.checkpoint(entry['name']).stat().st_size / 1e6:.1f} MB)"
    except KickganError as exc:
        status = f"BROKEN: {exc}"
    mark = "  (default)" if entry["name"] == default else ""
    lines = [f"{entry['name']}{mark}", f"  file      {bundled.FOLDER / entry['file']}: {status}",
             f"  sha256    {entry['sha256']}"]
    for key, label in (("training_data", "data"), ("config", "config"), ("steps", "steps"), ("card", "card")):
        if entry.get(key) is not None:
            value = bundled.FOLDER / entry[key] if key == "card" else entry[key]
            lines.append(f"  {label:<9} {value}")
    scores = entry.get("scores", {})
    for baseline in ("generated", "real_floor", "copy_train"):
        row = scores.get(baseline, {})
        shown = [f"{label} {row[key]:.3g}" for key, label in SHOWN.items() if isinstance(row.get(key), (int, float))]
        if shown:
            lines.append(f"  {baseline:<9} " + ", ".join(shown))
    if scores.get("evaluated"):
        lines.append(f"  scored    {scores['evaluated']}")
    return lines


def add(argv: list[str], prog: str) -> int:
    """``kickgan models add``: put a trained model into the bundled folder (for maintainers)."""
    parser = make_parser(
        prog,
        "Export CKPT into the bundled-model folder as NAME.pt, fit its steering controls beside it,\n"
        "measure them, and write its entry in models.json: hash, training data (DIR's manifest and\n"
        "docs/data.md's licences), config, steps, and the scores of EVAL.json (kickgan evaluate --json\n"
        "of the same weights). Then kickgan models card --update writes the card's measured section.",
        EXAMPLES,
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="checkpoint, run folder, or generator file")
    parser.add_argument("--name", required=True, help="the model's name (file NAME.pt)")
    parser.add_argument("--data", required=True, metavar="DIR", help="the dataset it was trained on")
    parser.add_argument("--evaluation", required=True, metavar="EVAL.json", help="its kickgan evaluate --json report")
    parser.add_argument("--folder", help="the bundled-model folder (default: the installed package's)")
    parser.add_argument("--not-default", action="store_true", help="add it without making it the default")
    args = parser.parse_args(argv)
    from kickgan.bundled import make

    entry = make.add_model(args.checkpoint, args.name, args.data, make.read_evaluation(args.evaluation),
                           folder=args.folder, default=not args.not_default)
    print(make.card_tables(entry), end="")
    print(f"added {entry['name']} ({entry['sha256'][:12]}) to {args.folder or 'the bundled folder'}")
    return 0


def card(argv: list[str], prog: str) -> int:
    """``kickgan models card NAME``: the tables of a bundled model's card, from its index entry."""
    parser = make_parser(prog, "Print the score and control tables of a bundled model's card, from its\n"
                         "models.json entry; --update writes them into the card's measured section.",
                         "  kickgan models card\n  kickgan models card --update")
    parser.add_argument("name", nargs="?", help="the model (default: the default one)")
    parser.add_argument("--update", action="store_true", help="rewrite the card's measured section")
    parser.add_argument("--steering", action="store_true",
                        help="measure the steering rho afresh first (after a change to the shaping) and "
                             "write it into models.json")
    parser.add_argument("--folder", help="the bundled-model folder (default: the installed package's)")
    args = parser.parse_args(argv)
    from kickgan import bundled
    from kickgan.bundled import make

    entry = bundled.find(args.name, args.folder)
    if args.steering:
        entry = make.remeasure_steering(entry, args.folder)
    if args.update:
        print(f"wrote {make.update_card(entry, args.folder)}")
    else:
        print(make.card_tables(entry), end="")
    return 0


def main(argv: list[str], prog: str) -> int:
    if argv[:1] in (["add"], ["card"]):
        return (add if argv[0] == "add" else card)(argv[1:], f"{prog} {argv[0]}")
    parser = make_parser(
        prog,
        "List the pretrained models installed with kickgan: each one's file (checked against its\n"
        "SHA-256), training data, config, steps and test-split scores beside the real floor and the\n"
        "copy-the-training-set baseline. The producer commands use the default one when no CKPT is given.",
        EXAMPLES,
    )
    parser.parse_args(argv)
    from kickgan import bundled

    index = bundled.read_index()
    if not index["models"]:
        print(f"no pretrained model ships with this installation ({bundled.FOLDER / bundled.INDEX})")
        return 0
    for entry in index["models"]:
        print("\n".join(describe(entry, index.get("default"))))
    return 0
