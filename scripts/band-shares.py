"""Issue 11's band and edge targets for folders of kick files, against a real split.

    PYTHONPATH=src .venv/bin/python scripts/band-shares.py runs/cmp44/* --real data/open_kicks_44k:train

Per folder (its WAVs read at the real split's rate and length, as `kickgan evaluate` reads a folder):
the 4-8 and 8-16 kHz band medians (dB of the whole kick) and their distance to the real medians,
the share of kicks inside the real kicks' p10-p90 in each band, the 10-50 % rise, and the share of
kicks still above -20 dB of their peak 10-20 ms before the end, and the share whose first 10 ms stay
more than 6 dB below their peak (swell; `kickgan.metrics.edges`).
"""

from __future__ import annotations

import argparse

import numpy as np

from kickgan.audio.descriptors import band_levels_db
from kickgan.data.dataset import load_clips, load_split
from kickgan.metrics.edges import edge_summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--real", required=True, help="DIR:split of real kicks")
    args = parser.parse_args()
    root, split = args.real.rsplit(":", 1)
    real = load_split(root, split)
    rb = band_levels_db(real.clips, real.sr)
    low, high = np.nanpercentile(rb, [10, 90], axis=0)
    med = np.nanmedian(rb, axis=0)
    print("| set | n | 4-8 kHz median (dB) | 8-16 kHz median (dB) | inside real p10-p90: 4-8 / 8-16 kHz | 10-50 % rise (ms) | tail cut | swell |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    edges = edge_summary(real.clips, real.sr)
    print(f"| real ({args.real}) | {len(rb)} | {med[1]:.1f} | {med[2]:.1f} | p10-p90: {low[1]:.1f}..{high[1]:.1f} / "
          f"{low[2]:.1f}..{high[2]:.1f} | {edges['rise_ms_median']:.2f} | {100 * edges['cut_share']:.0f} % | "
          f"{100 * edges['swell_share']:.0f} % |")
    for folder in args.folders:
        clips, _ = load_clips(folder, real.sr, real.length)
        b = band_levels_db(clips, real.sr)
        inside = ((b >= low) & (b <= high)).mean(axis=0)
        gm = np.nanmedian(b, axis=0)
        e = edge_summary(clips, real.sr)
        print(f"| {folder} | {len(b)} | {gm[1]:.1f} ({gm[1] - med[1]:+.1f}) | {gm[2]:.1f} ({gm[2] - med[2]:+.1f}) | "
              f"{100 * inside[1]:.0f} % / {100 * inside[2]:.0f} % | {e['rise_ms_median']:.2f} | {100 * e['cut_share']:.0f} % | "
              f"{100 * e['swell_share']:.0f} % |")


if __name__ == "__main__":
    main()
