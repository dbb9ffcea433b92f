"""``kickgan bench train``: one measurement per (config, batch), JSON and a Markdown table."""

import json
from pathlib import Path

import pytest

from kickgan.cli.bench import run_one
from kickgan.errors import KickganError
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
    assert text.startswith("# Benchmarks\n") and "| tiny | 1x32x64 | 8 (default) | 2 | cpu | fp32 | 1 |" in text
    _append_markdown(md, results, steps=1)  # a second run appends a second table under the same title
    assert md.read_text().count("# Benchmarks") == 1 and md.read_text().count("## Training steps") == 2


@pytest.mark.slow
def test_bench_puts_precisions_side_by_side_as_ratios(tmp_path):
    md = tmp_path / "benchmarks.md"
    args = ["--configs", "tiny", "--config-dir", str(CONFIGS), "--steps", "1", "--threads", "1", "--batch", "8",
            "--precisions", "fp32,bf16", "--rounds", "2", "--json", str(tmp_path / "bench.json"), "--markdown", str(md)]
    assert run_one("kickgan.train.bench", args, "kickgan bench train") == 0
    fp32, bf16 = json.loads((tmp_path / "bench.json").read_text())
    assert (fp32["precision"], bf16["precision"], fp32["batch_size"], bf16["batch_size"]) == ("fp32", "bf16", 8, 8)
    assert fp32["rounds"] == bf16["rounds"] == 2
    assert fp32["time_ratio"] == 1.0 and fp32["cpu_ratio"] == 1.0
    assert bf16["time_ratio"] == pytest.approx(bf16["seconds_per_step"] / fp32["seconds_per_step"], abs=2e-3)
    assert bf16["cpu_ratio"] == pytest.approx(bf16["cpu_seconds_per_step"] / fp32["cpu_seconds_per_step"], abs=2e-3)
    assert f"| cpu | bf16 | 1 | {bf16['seconds_per_step']:.3f} |" in md.read_text() and "medians of 2 round(s)" in md.read_text()


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--precisions", "fp32,fp8", r"--precisions fp32,fp8: expected names from fp32, bf16, fp16"),
    ("--batch", "16,x", r"--batch 16,x: expected positive integers"),
    ("--rounds", "0", r"--rounds 0: must be at least 1"),
])
def test_bench_refuses_bad_precisions_and_batches(tmp_path, option, value, message):
    with pytest.raises(KickganError, match=message):
        run_one("kickgan.train.bench", ["--configs", "tiny", "--config-dir", str(CONFIGS), option, value,
                                        "--markdown", str(tmp_path / "b.md")], "kickgan bench train")
