"""Measure how kick files start and end: first-sample level, 10-50 % rise, level before the end.

    PYTHONPATH=src .venv/bin/python scripts/measure-edges.py --model tests/data/dcgan_wgangp_synth.pt \
        --n 256 --real data/open_kicks --fade-in-ms 0,0.25,0.5,1,2

The model's kicks of seeds 0..n-1 and the real kicks (every split of the dataset) are finished as
``kickgan generate`` writes them (44.1 kHz) with each shortest fade-in (0: the chain before it had
one); the real kicks are also measured as stored. Prints one markdown table row per set
(definitions: kickgan.metrics.edges).
"""

from __future__ import annotations

import argparse

import numpy as np

from kickgan.data.dataset import SPLITS, load_split
from kickgan.metrics.descriptors import NAMES, describe
from kickgan.metrics.edges import edge_summary
from kickgan.producer.export import ExportOptions, finish
from kickgan.sampler import KickSampler


def summary(clips: list[np.ndarray], sr: int) -> dict[str, float]:
    """The edge summary of clips of any lengths (each is measured on its own)."""
    rows = [edge_summary(c[None], sr) for c in clips]
    first = np.array([r["first_db_median"] for r in rows])
    rise = np.array([r["rise_ms_median"] for r in rows])
    end = np.array([r["end_db_median"] for r in rows])
    click = np.nanmedian([describe(c[None], sr)[0, NAMES.index("click_db")] for c in clips])
    return {"n": len(clips), "first_db": np.median(first), "pop": np.mean([r["pop_share"] for r in rows]),
            "rise_ms": np.median(rise), "end_db": np.median(end), "cut": np.mean([r["cut_share"] for r in rows]),
            "click_db": click}


def row(name: str, s: dict) -> str:
    return (f"| {name} | {s['n']} | {s['first_db']:.1f} | {100 * s['pop']:.0f} % | {s['rise_ms']:.2f} | "
            f"{s['end_db']:.1f} | {100 * s['cut']:.0f} % | {s['click_db']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--real", required=True, help="a kickgan dataset folder")
    parser.add_argument("--fade-in-ms", default="0,0.5,1", help="comma-separated shortest fade-ins to compare")
    args = parser.parse_args()
    fades = [float(f) for f in args.fade_in_ms.split(",")]
    sampler = KickSampler.from_checkpoint(args.model)
    waves = np.concatenate([np.asarray(sampler.generate(list(range(a, min(args.n, a + 64)))), np.float32).reshape(-1, sampler.length)
                            for a in range(0, args.n, 64)])
    opts = ExportOptions(sr=44100)
    print("| set | kicks | first sample, median (dB of peak) | above -40 dB | 10-50 % rise, median (ms) "
          "| 10-20 ms before the end, median (dB of peak) | above -20 dB | click_db, median (dB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    splits = [load_split(args.real, s) for s in SPLITS]
    real, real_sr = [c for s in splits for c in s.clips], splits[0].sr
    print(row(f"{args.real} (all splits), as stored at {real_sr} Hz", summary(real, real_sr)))
    for fade in fades:
        for name, clips, sr in ((args.model, waves, sampler.sr), (args.real, real, real_sr)):
            finished = [finish(c, sr, opts, fade_in_ms=fade) for c in clips]
            print(row(f"{name}, finished, shortest fade-in {fade:g} ms", summary(finished, opts.sr)))


if __name__ == "__main__":
    main()
