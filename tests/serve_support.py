"""Shared by the web-app tests: the test model with its controls fitted once per session, a studio
on it served by uvicorn on a free loopback port, and raw HTTP that sends paths exactly as written."""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import torch

from kickgan.producer import controls
from kickgan.sampler import KickSampler
from kickgan.serve.app import create_app
from kickgan.serve.server import running
from kickgan.serve.studio import Studio

MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"


def fitted_model(tmp_path_factory) -> Path:
    """A copy of the test model with its controls stored beside it (fitted by the first caller)."""
    path = tmp_path_factory.getbasetemp() / "serve_model" / "model.pt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MODEL, path)
    torch.set_num_threads(1)
    controls.load_or_fit(KickSampler.from_checkpoint(path))
    return path


@contextlib.contextmanager
def served(model: Path, folder: Path, **studio_options):
    """``(base URL, studio)`` of a studio on ``model`` writing into ``folder``, served while the block runs."""
    studio = Studio(KickSampler.from_checkpoint(model), folder, **studio_options)
    with running(create_app(studio, allowed_hosts=["127.0.0.1", "localhost"])) as url:
        yield url, studio


def request(url: str, method: str, path: str, body: bytes | dict | None = None, headers: dict | None = None):
    """``(status, headers, body bytes)`` of one request; ``path`` goes on the wire unnormalised."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = dict(headers or {})
    if isinstance(body, dict):
        body, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def post(url: str, path: str, body: dict) -> tuple[int, dict]:
    """``(status, JSON)`` of a JSON POST."""
    status, _, data = request(url, "POST", path, body)
    return status, json.loads(data)
