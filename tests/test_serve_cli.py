"""``kickgan serve`` and ``kickgan bench serve``: options, the warning off loopback, the benchmark's numbers."""

import pytest
import uvicorn

from kickgan.cli import main as cli_main
from kickgan.serve import bench
from serve_support import fitted_model, served


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return fitted_model(tmp_path_factory)


@pytest.fixture
def started(monkeypatch):
    """What ``uvicorn.run`` was called with (instead of serving forever)."""
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_serve_binds_loopback_by_default_and_says_where(model, started, capsys):
    assert cli_main.main(["serve", str(model)]) == 0
    (_, options), err = started[0], capsys.readouterr().err
    assert (options["host"], options["port"]) == ("127.0.0.1", 8000)
    assert "http://127.0.0.1:8000" in err and "warning" not in err


def test_serve_warns_when_listening_beyond_this_machine(model, started, capsys, tmp_path):
    assert cli_main.main(["serve", str(model), "--host", "0.0.0.0", "--port", "8123", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0: anyone who can reach this machine can use the app" in err
    assert started[0][1] == {"host": "0.0.0.0", "port": 8123, "log_level": "warning"}


@pytest.mark.parametrize("args, message", [
    (["--port", "0"], "--port: must be from 1 to 65535, got 0"),
    (["--encode-steps", "-1"], "--encode-steps: must be >= 0, got -1"),
])
def test_bad_serve_options_are_one_line_errors(model, started, capsys, args, message):
    assert cli_main.main(["serve", str(model), *args]) == 2
    assert message in capsys.readouterr().err and not started


def test_percentiles_are_in_milliseconds():
    p = bench.percentiles([i / 1000 for i in range(1, 101)])
    assert (p["p50_ms"], p["n"]) == (pytest.approx(50.5), 100) and p["p95_ms"] == pytest.approx(95.05)


def test_bench_serve_answers_every_concurrent_request(model, tmp_path):
    with served(model, tmp_path) as (url, _):
        result = bench.measure(url, repeats=2, n_concurrent=12)
    conc = result["concurrent"]
    assert (conc["requests"], conc["errors"]) == (12, 0)
    assert result["one_kick"]["n"] == 2 and result["pads_16"]["n"] == 5
    assert 0 < result["one_kick"]["p50_ms"] <= result["one_kick"]["p95_ms"] < result["pads_16"]["p95_ms"]
    table = bench.markdown({"date": "today", "model": "m.pt", "threads": 1, "machine": "x", "load_average": 0.0, **result})
    assert "| 12 concurrent new kicks |" in table and "12 concurrent requests: 0 errors" in table
