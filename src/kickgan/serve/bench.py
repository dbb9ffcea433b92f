"""``kickgan bench serve``: how fast the web app answers, measured over HTTP on loopback.

Starts the app on uvicorn (a free port on 127.0.0.1) on a fresh output folder, then times, from
the client's side: one new kick (``POST /api/batch`` with ``n = 1``, a seed not made before), a
16-pad batch, one steered kick (``POST /api/steer`` with ``pitch = 1``), each as p50 / p95 over
``--repeats`` requests; then ``--concurrent`` requests at once (each a new kick, so all of them
queue on the model lock) with their error count, which must be 0. Writes JSON (``--json``) and
appends a Markdown section to ``--markdown`` only when asked.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import tempfile
import time
from urllib.parse import urlsplit

import numpy as np
import torch

from kickgan import bundled
from kickgan.errors import UsageError
from kickgan.producer import controls
from kickgan.producer.bench import emit, environment
from kickgan.sampler import KickSampler
from kickgan.serve.app import create_app
from kickgan.serve.server import running
from kickgan.serve.studio import Studio

DESCRIPTION = "How fast the web app answers over HTTP on loopback: one kick, 16 pads, steering, 200 at once."
EXAMPLES = ("  kickgan bench serve                       # the bundled model\n"
            "  kickgan bench serve model.pt --repeats 40 --concurrent 200 --json bench_serve.json")


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("checkpoint", nargs="?", metavar="CKPT", help="a checkpoint or run folder (default: the bundled model)")
    parser.add_argument("--repeats", type=int, default=20, help="requests timed per kind (default 20)")
    parser.add_argument("--concurrent", type=int, default=200, help="requests sent at once (default 200)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1, as kickgan serve)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--json", help="write the result here")
    parser.add_argument("--markdown", metavar="FILE", help="also append the table to this Markdown file, e.g. docs/benchmarks.md")
    args = parser.parse_args(argv)
    for name in ("repeats", "concurrent"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name}: must be at least 1, got {getattr(args, name)}")
    torch.set_num_threads(args.threads)
    sampler = KickSampler.from_checkpoint(args.checkpoint or bundled.default_checkpoint(), device=args.device)
    controls.load_or_fit(sampler)
    with tempfile.TemporaryDirectory(prefix="kickgan-bench-serve-") as tmp:
        with running(create_app(Studio(sampler, tmp))) as url:
            result = {
                "bench": "serve", "model": str(args.checkpoint), "threads": args.threads,
                **environment(),
                **measure(url, args.repeats, args.concurrent),
            }
    emit(result, markdown(result), args.json, args.markdown)
    return 0


def post(url: str, path: str, body: dict) -> tuple[int, dict | None, float]:
    """``(status, JSON, seconds)`` of one request; status 0 when the connection itself failed."""
    parts = urlsplit(url)
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        status, data = response.status, json.loads(response.read())
    except (OSError, http.client.HTTPException, ValueError):
        status, data = 0, None
    finally:
        conn.close()
    return status, data, time.perf_counter() - t0


def percentiles(seconds: list[float]) -> dict:
    """p50 and p95 in milliseconds."""
    ms = 1000 * np.asarray(seconds)
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)), "n": len(ms)}


def measure(url: str, repeats: int, n_concurrent: int) -> dict:
    """Latencies of one kick, a 16-pad batch and a steered kick, then ``n_concurrent`` requests at once."""
    post(url, "/api/batch", {"seed": 999_999, "n": 1})  # warm-up
    one = [post(url, "/api/batch", {"seed": 100_000 + i, "n": 1}) for i in range(repeats)]
    pads = [post(url, "/api/batch", {"seed": 200_000 + 16 * i, "n": 16})[2] for i in range(max(5, repeats // 4))]
    steer = [post(url, "/api/steer", {"id": data["kicks"][0]["id"], "pitch": 1.0})[2] for _, data, _ in one]
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=n_concurrent) as pool:
        answers = list(pool.map(lambda i: post(url, "/api/batch", {"seed": 300_000 + i, "n": 1}), range(n_concurrent)))
    wall = time.perf_counter() - t0
    return {
        "one_kick": percentiles([s for _, _, s in one]), "pads_16": percentiles(pads), "steer_pitch_1": percentiles(steer),
        "concurrent": {"requests": n_concurrent, "errors": sum(status != 200 for status, _, _ in answers), "wall_s": wall,
                       **percentiles([s for _, _, s in answers])},
    }


def markdown(result: dict) -> str:
    one, pads, steer, conc = result["one_kick"], result["pads_16"], result["steer_pitch_1"], result["concurrent"]
    return "\n".join([
        f"## kickgan bench serve ({result['date']})",
        "",
        f"model: {result['model']}; {result['threads']} torch thread(s), {result['machine']}, load average "
        f"{result['load_average']:.1f} at the start; HTTP on loopback, kicks 44.1 kHz 24-bit WAV + sidecar, new seeds.",
        "",
        "| request | p50 (ms) | p95 (ms) | requests |",
        "| --- | ---: | ---: | ---: |",
        f"| one new kick (`/api/batch`, n = 1) | {one['p50_ms']:.0f} | {one['p95_ms']:.0f} | {one['n']} |",
        f"| 16-pad batch (`/api/batch`, n = 16) | {pads['p50_ms']:.0f} | {pads['p95_ms']:.0f} | {pads['n']} |",
        f"| one steered kick (`/api/steer`, pitch +1) | {steer['p50_ms']:.0f} | {steer['p95_ms']:.0f} | {steer['n']} |",
        f"| {conc['requests']} concurrent new kicks | {conc['p50_ms']:.0f} | {conc['p95_ms']:.0f} | {conc['requests']} |",
        "",
        f"{conc['requests']} concurrent requests: {conc['errors']} errors, all answered in {conc['wall_s']:.1f} s "
        "(they queue on the one model lock, so the last waits for all the others).",
        "",
    ])
