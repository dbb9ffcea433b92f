"""The report layer on a synthetic experiment.json: tables, figures, gallery, methods, `kickgan report`."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from kickgan.cli import report as report_cli
from kickgan.errors import KickganError
from kickgan.experiment import results
from kickgan.experiment.figures import FORMATS
from kickgan.experiment.gallery import FIGURES, write_gallery
from kickgan.experiment.record import FORMAT, budget_text, curves_from_stats, load_record, save_record
from kickgan.experiment.report import write_report
from kickgan.io import append_jsonl, write_wav

SR = 8000
MODELS = ("dcgan_bce", "dcgan_wgangp")


def _kick(f0: float, decay: float) -> np.ndarray:
    t = np.arange(2048) / SR
    return (0.9 * np.exp(-t / decay) * np.sin(2 * np.pi * f0 * t)).astype(np.float32)


def _metrics(fd: float, kid: float, s_per_iter: float | None = None) -> dict:
    """Values for every column: FD, KID, descriptors, memorisation, artefacts, validity (+ speed)."""
    keys = [c.key for c in results.COLUMNS]
    out = dict(zip(keys, (fd, kid, fd / 10, 0.5 + fd / 100, 0.1, 1.0)))
    out.update({c.key: fd / 10 + k / 100 for k, c in enumerate(results.DESCRIPTOR_COLUMNS)})
    if s_per_iter is not None:
        out.update(dict(zip(keys[6:], (s_per_iter, 100.0))))
    return out


def make_record(folder: Path) -> dict:
    """A complete record: 2 models x 2 seeds, gallery WAVs on disk, curves, baselines, one ceiling."""
    rng = np.random.default_rng(0)
    freqs = np.linspace(0, SR / 2, 65)

    def audio(label: str, f0: float) -> list[str]:
        paths = [f"audio/{label}/{i:04d}.wav" for i in range(3)]
        for i, rel in enumerate(paths):
            write_wav(folder / rel, _kick(f0 + 5 * i, 0.1), SR)
        return paths

    def descriptors(shift: float) -> dict:
        return {"body_hz": list(rng.normal(60 + shift, 5, 40)), "decay_ms": list(rng.normal(200, 30, 40))}

    runs = []
    for m, (model, fds) in enumerate(zip(MODELS, ((10.0, 14.0), (6.0, 8.0)))):
        for seed, fd in enumerate(fds):
            steps = list(range(0, 100, 10))
            curves = {"step": steps, "time": [s * 0.5 for s in steps], "loss/d": list(rng.normal(size=10)),
                      "loss/g": list(rng.normal(size=10)), "val/spectral": [1 / (s + 1) for s in steps]}
            runs.append({"model": model, "seed": seed, "dir": f"runs/{model}-s{seed}", "steps": 100,
                         "train_seconds": 50.0 + seed, "checkpoint": "best",
                         "metrics": _metrics(fd, fd / 1000, 0.2 + m * 0.1), "curves": curves,
                         "descriptors": descriptors(10 * m), "power_spectrum": list(-freqs / 100 - m),
                         "freqs": list(freqs),
                         "audio": audio(f"{model}", 50 + 10 * m) if seed == 0 else []})
    record = {
        "format": FORMAT, "name": "fixture",
        "spec": {"seeds": [0, 1], "gallery": 8,
                 "eval": {"n": 40, "reference": "test", "train": "train", "checkpoint": "best"}},
        "budget": {"steps": 100},
        "versions": {"kickgan": "0.1.0", "torch": "2.x"},
        "hardware": {"processor": "x86_64", "cpu_count": 2, "torch_threads": 1, "device": "cpu"},
        "dataset": {"path": "synth", "sr": SR, "length": 2048, "split_by": "kit",
                    "splits": {"train": 30, "val": 5, "test": 5},
                    "kits": {"kitA": {"train": 30}, "kitB": {"val": 5}, "kitC": {"test": 5}},
                    "licences": {"kitA": "CC0"}, "preprocessing": {"normalize": "peak"}},
        "models": [{"name": m, "config": {"representation": {"kind": "logmag"}, "model": {"arch": "dcgan", "width": 8},
                                          "loss": {"kind": "bce"}, "batch_size": 4},
                    "layers": {"G": [["fc", [64, 4, 4], 1000], ["up1", [1, 8, 8], 200]],
                               "D": [["conv1", [8, 4, 4], 300]]},
                    "params": {"G": 1200, "D": 300}, "inputs": {"G": [16], "D": [1, 8, 8]}} for m in MODELS],
        "runs": runs,
        "real": {"audio": audio("real", 55), "descriptors": descriptors(0), "power_spectrum": list(-freqs / 100),
                 "freqs": list(freqs)},
        "baselines": {"real_floor": _metrics(1.0, 0.0001), "copy_train": _metrics(2.0, 0.0003)},
        "ceilings": [{"name": "logmag / pghi", "representation": {"kind": "logmag"}, "metrics": _metrics(0.5, 0.0)}],
        "metric_notes": {"fd": "Frechet distance (Kilgour et al. 2019)"},
    }
    save_record(folder, record)
    return load_record(folder)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href")]


def html_refs(path: Path) -> list[str]:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.refs


def md_table(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    """One report, drawn once for the module: tests that change files make their own."""
    folder = tmp_path_factory.mktemp("report")
    record = make_record(folder)
    write_report(folder)
    return folder, record


def test_aggregate_is_mean_and_sample_std_of_finite_values():
    cell = results.aggregate([1.0, 3.0, float("nan"), None])
    assert (cell.mean, cell.std, cell.n) == (2.0, pytest.approx(np.sqrt(2.0)), 2)
    assert results.aggregate([5.0]).std is None
    assert results.aggregate([None, float("inf")]) is None


def test_best_values_follow_each_columns_goal(report):
    _, record = report
    rows = results.result_rows(record)
    best = results.best_labels(rows)
    wgan, bce = "dcgan_wgangp (2 seeds)", "dcgan_bce (2 seeds)"
    fd_key, mem_key, valid_key, speed_key = (results.COLUMNS[i].key for i in (0, 3, 5, 6))
    assert best[fd_key] == {wgan}  # 7 < 12
    assert best[speed_key] == {bce}  # 0.2 < 0.3 s/iter
    assert best[mem_key] == {bce}  # 0.62 is closer to 1 than 0.57
    assert best[valid_key] == {bce, wgan}  # a tie marks both
    fd = next(r for r in rows if r.label == wgan).cells[fd_key]
    assert (fd.mean, fd.std) == (7.0, pytest.approx(np.sqrt(2.0)))


def test_markdown_table_parses_with_one_row_per_model_baseline_and_ceiling(report):
    folder, record = report
    table = md_table((folder / "results.md").read_text())
    header, rule, body = table[0], table[1], table[2:]
    assert len(header) == 1 + len(results.COLUMNS) and all(len(r) == len(header) for r in table)
    assert all(re.fullmatch(r"-+:?", c) for c in rule)
    labels = [r[0] for r in body]
    assert labels == ["dcgan_bce (2 seeds)", "dcgan_wgangp (2 seeds)", "*real floor (test vs test)*",
                      "*copy the training set*", "*round trip: logmag / pghi*"]
    fd_col = header.index("FD ↓")
    assert body[1][fd_col] == "**7.00 ± 1.41**" and body[0][fd_col] == "12.0 ± 2.8"
    assert body[2][fd_col] == "1.00"  # baselines: one value, never bold


def test_latex_table_is_a_balanced_tabular(report):
    folder, _ = report
    tex = (folder / "results.tex").read_text()
    assert tex.count("\\begin{tabular}") == tex.count("\\end{tabular}") == 1
    spec = re.search(r"\\begin\{tabular\}\{(\w+)\}", tex).group(1)
    rows = [line for line in tex.splitlines() if line.endswith("\\\\")]
    assert len(rows) == 1 + 5
    assert all(row.count("&") == len(spec) - 1 for row in rows)
    assert tex.count("{") == tex.count("}")
    assert "dcgan\\_wgangp" in tex and "\\textbf{7.00 $\\pm$ 1.41}" in tex


def test_a_metrics_subset_drops_empty_columns(tmp_path):
    record = make_record(tmp_path)
    for run in record["runs"]:
        run["metrics"] = {"fd/aisfx-512": run["metrics"]["fd/aisfx-512"]}
    record["baselines"], record["ceilings"] = {}, []
    header = md_table(results.markdown_table(record))[0]
    assert header == ["model", "FD ↓"]


def test_every_figure_exists_as_png_and_pdf(report):
    folder, _ = report
    for stem, _ in FIGURES:
        for fmt in FORMATS:
            path = folder / "figures" / f"{stem}.{fmt}"
            assert path.stat().st_size > 1000, path
    assert (folder / "figures/loss_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert (folder / "figures/power_spectra.pdf").read_bytes()[:4] == b"%PDF"


def test_html_references_only_existing_files_with_relative_paths(report):
    folder, record = report
    refs = html_refs(folder / "index.html")
    assert refs, "the gallery links nothing"
    for ref in refs:
        assert not ref.startswith(("/", "http:", "https:", "file:")), ref
        assert (folder / ref).is_file(), ref
    audio = [r for r in refs if r.endswith(".wav")]
    assert set(record["real"]["audio"]) <= set(audio)
    assert {"figures/spectrograms.png", "figures/spectrograms.pdf", "results.md", "methods.md"} <= set(refs)
    headings = re.findall(r"<h3>(.*?)</h3>", (folder / "index.html").read_text())
    assert len(headings) == 5 and all(f"{budget_text(record)} per run, seeds 0, 1" in h for h in headings)


def test_html_leaves_out_a_missing_wav(tmp_path):
    folder, record = tmp_path, make_record(tmp_path)
    gone = record["runs"][0]["audio"][1]
    (folder / gone).unlink()
    write_gallery(record, folder)
    refs = html_refs(folder / "index.html")
    assert gone not in refs and record["runs"][0]["audio"][0] in refs


def test_methods_has_dataset_layers_hyperparameters_and_metrics(report):
    folder, _ = report
    text = (folder / "methods.md").read_text()
    assert "| kitA | 30 | 0 | 0 | CC0 |" in text
    assert "| kitB | 0 | 5 | 0 | see docs/data.md |" in text
    assert "| up1 | [1, 8, 8] | 200 |" in text and "1,200 parameters" in text
    assert text.count("| up1 | [1, 8, 8] | 200 |") == 1  # models with the same layers share one table
    assert f"### {MODELS[1]}\n\nRepresentation `logmag`, architecture `dcgan`.\n\nThe same layers as `{MODELS[0]}`." in text
    assert "100 steps per run" in text and "x86_64, 2 CPUs, 1 torch threads, device cpu" in text
    assert "- `fd`: Frechet distance (Kilgour et al. 2019)" in text


def test_methods_show_the_training_recipe_only_when_the_configs_hold_one(tmp_path):
    from kickgan.experiment.methods import methods_markdown

    record = make_record(tmp_path)
    assert "memorisation guard" not in methods_markdown(record)  # none of the configs has one
    record["models"][1]["config"].update({"pitch_shifts": [-1, 1], "restarts": 7, "best_metric": "kid+descriptors",
                                          "val_n": 64, "best_min_memorisation": 0.95})
    text = methods_markdown(record)
    assert f"| {MODELS[1]} | -1, 1 | - | 7 | kid+descriptors | 64 | 0.95 |" in text
    assert f"| {MODELS[0]} | - | - | - | - | - | - |" in text


def test_report_command_regenerates_from_experiment_json_alone(tmp_path, capsys):
    folder = tmp_path
    make_record(folder)
    assert report_cli.main([str(folder)], "kickgan report") == 0
    for name in ("results.md", "results.tex", "index.html", "methods.md", "figures/descriptors.png"):
        assert (folder / name).is_file()
    assert "results.md" in capsys.readouterr().out


def test_load_record_refuses_other_files(tmp_path):
    with pytest.raises(KickganError, match="experiment.json: no such file"):
        load_record(tmp_path)
    (tmp_path / "experiment.json").write_text(json.dumps({"format": FORMAT, "name": "x"}))
    with pytest.raises(KickganError, match="missing spec, budget"):
        load_record(tmp_path)


def test_curves_from_stats_thins_rows_but_keeps_every_periodic_evaluation(tmp_path):
    path = tmp_path / "stats.jsonl"
    for step in range(1000):
        row = {"step": step, "loss/d": float(step), "time/step": 0.5}
        if step % 250 == 0:
            row["val/spectral"] = step / 1000
        append_jsonl(path, row)
    curves = curves_from_stats(path, max_points=50)
    assert 50 <= len(curves["step"]) <= 54
    assert [v for v in curves["val/spectral"] if v is not None] == [0.0, 0.25, 0.5, 0.75]
    assert curves["time"][curves["step"].index(999)] == pytest.approx(500.0)


@pytest.mark.parametrize("mean, std, text", [(349.2, None, "349"), (2.615, 0.04, "2.62 ± 0.04"),
                                             (-0.001694, None, "-0.00169"), (0.0, 0.0, "0.00 ± 0.00")])
def test_cells_show_three_significant_digits(mean, std, text):
    assert results.format_cell(results.Cell(mean, std, 2), " ± ") == text


def test_loss_curves_draw_each_familys_losses():
    from kickgan.experiment.figures import loss_curves

    steps = [1, 2, 3]
    record = {"models": [{"name": "gan"}, {"name": "flow"}],
              "runs": [{"model": "gan", "curves": {"step": steps, "loss/d": [1.0, 0.5, 0.2], "loss/g": [0.1, 0.2, 0.3]}},
                       {"model": "flow", "curves": {"step": steps, "loss/fm": [2.0, 1.0, 0.5]}}]}
    gan, flow = loss_curves(record).axes[:2]
    assert [line.get_label() for line in gan.lines] == ["loss/d", "loss/g"]
    assert [line.get_label() for line in flow.lines] == ["loss/fm"]
    assert list(flow.lines[0].get_ydata()) == [2.0, 1.0, 0.5]


def test_seconds_per_iteration_reads_the_budgets_clock():
    from kickgan.experiment.evaluation import seconds_per_iteration

    # CPU time 0.3 s a step while the wall clock (time/step) says 1.0: a loaded machine, a CPU budget
    cpu = [{"step": s, "time": 0.3 * s, "time/step": 1.0} for s in range(1, 11)] + [{"step": 10, "val/x": 1.0}]
    assert seconds_per_iteration(cpu) == pytest.approx(0.3)
    wall = [{"step": s, "time/step": 0.5} for s in range(1, 5)]
    assert seconds_per_iteration(wall) == 0.5
