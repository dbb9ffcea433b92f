"""The human-readable summary of a build: kept, rejected by reason, per split, per kit."""

from __future__ import annotations

from collections import Counter, defaultdict

from kickgan.data.dataset import SPLITS

MIN_TRAIN = 2  # kicks in the train split that `kickgan train` needs (kickgan.train.data)
MIN_REFERENCE = 2  # kicks in the test split that `kickgan evaluate` needs to score against it


def uses(splits: dict[str, int]) -> list[tuple[str, bool, str]]:
    """What a dataset with ``splits`` (counts per split) can be used for: ``(use, ok, why)`` rows."""
    train, val, test = (splits[s] for s in SPLITS)
    return [
        ("training", train >= MIN_TRAIN, f"train split {train} kick(s); kickgan train needs {MIN_TRAIN}"),
        ("validation during training", val >= 1, f"val split {val} kick(s); with none, training runs unvalidated"),
        ("evaluation reference (DIR = its test split)", test >= MIN_REFERENCE,
         f"test split {test} kick(s); kickgan evaluate needs {MIN_REFERENCE}"),
    ]



def format_summary(info: dict, records: list[dict], verbose: bool = False) -> str:
    """Counts, a per-kit table and every rejected file with its reason; ``verbose`` lists kept files too."""
    kept = [r for r in records if r["status"] == "kept"]
    rejected = [r for r in records if r["status"] != "kept"]
    lines = [
        f"{len(records)} kick files read: {len(kept)} kept, {len(rejected)} rejected"
        f" ({info['not_kicks']} other audio files not named as kicks, {info['excluded']} excluded)",
        f"clips: {info['sr']} Hz, {info['length']} samples ({info['length'] / info['sr']:.3f} s),"
        f" normalised: {info['normalize']}; {info['n_clipped']} kept files flagged for heavy clipping",
    ]
    if info.get("n_band_limited"):
        lines.append(f"band-limited: {info['n_band_limited']} kept files come from a rate below {info['sr']} Hz "
                     "and hold nothing above their own Nyquist frequency (band_limit_hz in the manifest)")
    if info["split_by"] == "kit":
        lines.append(f"split by kit (seed {info['seed']}): no kit is in two splits")
    else:
        lines.append(f"split by FILE (seed {info['seed']}): fewer than 3 kits, so kits are shared between splits")
    lines.append("per split: " + ", ".join(f"{s} {info['splits'][s]}" for s in SPLITS))
    rows = uses(info["splits"])
    lines.append("usable for: " + (", ".join(use for use, ok, _ in rows if ok) or "nothing"))
    lines += [f"NOT usable for {use}: {why}" for use, ok, why in rows if not ok]
    lines.append("rejected by reason: " + (", ".join(f"{k} {n}" for k, n in info["rejected"].items()) or "none"))
    lines += ["", _kit_table(records)]
    if rejected:
        lines += ["", "rejected files:"]
        lines += [f"  {r['reason']:<15} {r['source']}  ({r['detail']})" for r in rejected]
    if verbose and kept:
        lines += ["", "kept files:"]
        lines += [f"  {r['split']:<5} {r['id']}  <- {r['source']}{_flags(r, info['sr'])}" for r in kept]
    return "\n".join(lines) + "\n"


def _flags(record: dict, sr: int) -> str:
    flags = ["clipped"] if record["clipped"] else []
    limit = record.get("band_limit_hz")
    if limit is not None and limit < sr / 2:
        flags.append(f"band-limited at {limit:g} Hz")
    return "".join(f"  [{f}]" for f in flags)


def _kit_table(records: list[dict]) -> str:
    kept: Counter = Counter()
    rejected: Counter = Counter()
    splits: dict[str, set] = defaultdict(set)
    for r in records:
        if r["status"] == "kept":
            kept[r["kit"]] += 1
            splits[r["kit"]].add(r["split"])
        else:
            rejected[r["kit"]] += 1
    kits = sorted(set(kept) | set(rejected))
    width = max([len(k) for k in kits] + [3])
    rows = [f"{'kit':<{width}}  kept  rejected  split"]
    rows += [f"{k:<{width}}  {kept[k]:>4}  {rejected[k]:>8}  {','.join(sorted(splits[k])) or '-'}" for k in kits]
    return "\n".join(rows)
