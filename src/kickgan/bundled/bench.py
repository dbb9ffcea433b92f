"""``kickgan bench bundled``: does a fresh evaluation reproduce the scores in the bundled model's card?

Generates the same kicks the card scored (seeds ``0..n-1``, ``n`` from the card) from the
bundled model, scores them with ``kickgan evaluate`` against ``DATA:test`` (``DATA:train`` for
memorisation and the copy baseline), and compares every score of the card's table, for the model
and both baselines, within the tolerance the card states. Exits 1 when any differs. Too slow and
too data-bound for the test suite (it needs the open kick set; about a minute per 256 kicks here).

"""

from __future__ import annotations

import argparse

DESCRIPTION = "Does a fresh evaluation reproduce the scores in the bundled model's card? (exit 1 if not)"
EXAMPLES = ("  kickgan bench bundled --data data/open_kicks\n"
            "  kickgan bench bundled --data data/open_kicks --json runs/bench_bundled.json")


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("--data", default="data/open_kicks", help="the dataset the card was scored on (default data/open_kicks)")
    parser.add_argument("--name", help="the bundled model (default: the default one)")
    parser.add_argument("--json", help="write the fresh evaluation report here")
    args = parser.parse_args(argv)
    from kickgan import bundled
    from kickgan.bundled import make
    from kickgan.io import write_json
    from kickgan.metrics.evaluate import evaluate

    entry = bundled.find(args.name)
    path = bundled.checkpoint(entry["name"])
    n = int(entry["scores"]["n"])
    print(f"scoring {n} kicks of {entry['name']} against {args.data}:test (card: {entry['scores']['evaluated']})")
    report = evaluate(path, f"{args.data}:test", f"{args.data}:train", n=n, progress=False)
    if args.json:
        write_json(args.json, report)
    print(make.scores_table(make.scores_of(report)))
    bad = make.check_scores(entry, report)
    for line in bad:
        print(f"NOT REPRODUCED: {line}")
    print(f"{'all' if not bad else len(bad)} card scores {'reproduced' if not bad else 'differ'} within their tolerance")
    return 1 if bad else 0
