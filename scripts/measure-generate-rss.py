"""Peak memory of `kickgan generate` as it writes: resident set size after every STEP kicks.

    OMP_NUM_THREADS=1 python scripts/measure-generate-rss.py CKPT -n 1000
    OMP_NUM_THREADS=1 python scripts/measure-generate-rss.py CKPT -n 100000 --stop-at 5000

Runs `kickgan generate CKPT -n N --yes --out TMP --threads 1` in a child process, reads its
VmHWM (peak resident set, what `/usr/bin/time -v` reports as "Maximum resident set size") and
VmRSS from /proc every 0.2 s, prints one row per STEP kicks written, and stops the child with
SIGTERM once --stop-at kicks are written (so a run of 100000 kicks need not take half an hour).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in kB (empty once it has exited)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "VmHWM")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("-n", type=int, required=True, help="kicks asked of kickgan generate")
    parser.add_argument("--stop-at", type=int, help="stop the child after this many kicks (default: let it finish)")
    parser.add_argument("--step", type=int, default=1000, help="print a row every STEP kicks (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kickgan-rss-") as out:
        cmd = [sys.executable, "-m", "kickgan", "generate", args.checkpoint, "-n", str(args.n), "--yes",
               "--out", out, "--threads", "1"]
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        print(f"$ {' '.join(cmd[1:])}\n| kicks written | seconds | VmRSS (MB) | peak VmHWM (MB) |\n| ---: | ---: | ---: | ---: |")
        next_row, last = args.step, {}
        while child.poll() is None:
            time.sleep(0.2)
            last = status_kb(child.pid) or last
            n = sum(1 for e in os.scandir(out) if e.name.endswith(".wav"))
            if n >= next_row and last:
                print(f"| {n} | {time.perf_counter() - t0:.0f} | {last['VmRSS'] / 1024:.0f} | {last['VmHWM'] / 1024:.0f} |",
                      flush=True)
                next_row += args.step
            if args.stop_at and n >= args.stop_at:
                child.send_signal(signal.SIGTERM)
                child.wait()
                print(f"stopped after {n} kicks (asked for {args.n})")
                return 0
        print(f"exit {child.returncode} after {time.perf_counter() - t0:.0f} s; last peak VmHWM "
              f"{last.get('VmHWM', 0) / 1024:.0f} MB")
        return child.returncode


if __name__ == "__main__":
    raise SystemExit(main())
