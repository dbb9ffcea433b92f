"""``kickgan bench train``: one measurement per (config, batch), JSON and a Markdown table."""

import json
from pathlib import Path

import pytest

from kickgan.cli.bench import run_one
from kickgan.train.bench import _append_markdown

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@pytest.mark.slow
def test_bench_writes_json_and_appends_a_table(tmp_path):
    md = tmp_path / "docs" / "benchmarks.md"
    args = ["--configs", "tiny", "--config-dir", str(CONFIGS), "--steps", "1", "--threads", "1",
            "--json", str(tmp_path / "bench.json"), "--markdown", str(md)]
    assert run_one("kickgan.train.bench", args, "kickgan bench train") == 0
    results = json.loads((tmp_path / "bench.json").read_text())
    assert [(r["config"], r["batch_size"], r["default_batch"]) for r in results] == [("tiny", 8, True),
                                                                                   ("tiny", 64, False)]
    assert all(r["seconds_per_step"] > 0 and r["threads"] == 1 and r["shape"] == [1, 32, 64] for r in results)
    text = md.read_text()
    assert text.startswith("# Benchmarks\n") and "| tiny | 1x32x64 | 8 (default) | 2 | cpu | 1 |" in text
    _append_markdown(md, results, steps=1)  # a second run appends a second table under the same title
    assert md.read_text().count("# Benchmarks") == 1 and md.read_text().count("## Training steps") == 2
