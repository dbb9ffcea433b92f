"""The listening page: every kick below each folder gets a player whose relative path exists, the
model named by the sidecars, links to the kits; no kicks, or an existing page, is a clear error."""

import re
from pathlib import Path

import numpy as np

from kickgan.cli import main as cli_main
from kickgan.io import write_text
from kickgan.producer.export import ExportOptions, write_kick
from kickgan.producer.page import write_page


def kicks(folder: Path, seeds, digest: str = "ab" * 32, sub: str = "") -> list[Path]:
    y = np.sin(np.linspace(0, 200, 4410)).astype(np.float32) * 0.5
    paths = [folder / sub / f"kick_s{s:06d}.wav" for s in seeds]
    for path, seed in zip(paths, seeds):
        write_kick(path, y, ExportOptions(), {"checkpoint": "/x/bundled/open.pt", "checkpoint_hash": digest,
                                              "seed": seed, "latent": [0.0]})
    return paths


def test_every_kick_plays_from_a_relative_path_in_rows(tmp_path):
    kicks(tmp_path / "out" / "kicks", range(10))
    kicks(tmp_path / "out" / "kit", [20, 21], digest="cd" * 32, sub="samples")
    write_text(tmp_path / "out" / "kit" / "demo.sfz", "<region> sample=samples/kick_s000020.wav\n")
    page = write_page([tmp_path / "out" / "kicks", tmp_path / "out" / "kit"], tmp_path / "out" / "index.html", per_row=8)
    html = page.read_text()
    srcs = re.findall(r'<audio controls preload="none" src="([^"]+)">', html)
    assert srcs[:2] == ["kicks/kick_s000000.wav", "kicks/kick_s000001.wav"] and len(srcs) == 12
    assert all((page.parent / s).is_file() for s in srcs)
    assert "<th>1-8</th>" in html and "<th>9-10</th>" in html  # 10 kicks in rows of 8
    assert "Made by open.pt (sha256 abababababab)" in html and "(sha256 cdcdcdcdcdcd)" in html
    assert '<a href="kit/demo.sfz">demo.sfz</a>' in html


def test_no_kicks_or_an_existing_page_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli_main.main(["page", str(tmp_path / "empty"), "--out", str(tmp_path / "p.html")]) == 1
    assert "empty: no .wav files to listen to" in capsys.readouterr().err
    kicks(tmp_path / "k", [1])
    assert cli_main.main(["page", str(tmp_path / "k"), "--out", str(tmp_path / "p.html")]) == 0
    assert cli_main.main(["page", str(tmp_path / "k"), "--out", str(tmp_path / "p.html")]) == 1
    assert "p.html: already exists (use --force" in capsys.readouterr().err
