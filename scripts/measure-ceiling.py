"""A representation's ceiling as a producer hears it: real kicks encoded, decoded and finished.

    PYTHONPATH=src .venv/bin/python scripts/measure-ceiling.py --config configs/kick44k.yaml \
        --data data/open_kicks_44k [--set representation.lead=512]

Fits the representation's statistics on the train split, then for each split prints markdown rows
for the real kicks, their decoded round trips and the round trips after
`kickgan.audio.preprocess.finish_edges` (the start and end every file gets): the 4-8 and 8-16 kHz
band medians (dB of the whole kick), the share inside the real training kicks' p10-p90, the 10-50 %
rise, the first sample and the share that pops (`kickgan.metrics.edges`).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from kickgan.audio.descriptors import band_levels_db
from kickgan.audio.preprocess import finish_edges
from kickgan.config import load_config
from kickgan.data.dataset import load_clips
from kickgan.metrics.edges import edge_summary
from kickgan.spectral import make_representation


def row(split: str, name: str, y: np.ndarray, sr: int, low: np.ndarray, high: np.ndarray) -> str:
    bands, edges = band_levels_db(y, sr), edge_summary(y, sr)
    inside = ((bands >= low) & (bands <= high)).mean(axis=0)
    return (f"| {split} | {name} | {np.nanmedian(bands[:, 1]):.1f} | {np.nanmedian(bands[:, 2]):.1f} | "
            f"{100 * inside[1]:.0f} % / {100 * inside[2]:.0f} % | {edges['rise_ms_median']:.2f} | "
            f"{edges['first_db_median']:.1f} | {100 * edges['pop_share']:.0f} % |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--data", required=True, help="a dataset built at the config's rate and length")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config option (repeatable)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    spec = load_config(args.config, args.set).representation
    rep = make_representation(spec)
    train, _ = load_clips(f"{args.data}:train", spec.sr, spec.length)
    rep.fit(train)
    low, high = np.percentile(band_levels_db(train, spec.sr), [10, 90], axis=0)
    print("| split | set | 4-8 kHz median | 8-16 kHz median | inside p10-p90 (4-8 / 8-16) | 10-50 % rise (ms) | first sample (dB) | pops |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for split in ("train", "test"):
        real, _ = load_clips(f"{args.data}:{split}", spec.sr, spec.length)
        with torch.no_grad():
            back = np.concatenate([rep.decode(rep.encode(torch.from_numpy(y[None, None]))).numpy()[:, 0] for y in real])
        finished = np.stack([finish_edges(y, spec.sr) for y in back])
        for name, y in (("real", real), ("round trip, decoded", back), ("round trip, finished", finished)):
            print(row(split, name, y, spec.sr, low, high))


if __name__ == "__main__":
    main()
