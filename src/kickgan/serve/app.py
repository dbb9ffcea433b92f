"""The web app: a Starlette ASGI app over a :class:`~kickgan.serve.studio.Studio`.

Routes (every error is JSON ``{"error": "one line"}`` with a 4xx status; never a traceback):

- ``GET /``: the page; ``/static/...``: its script and style (package data, nothing else);
- ``POST /api/batch {seed, n}``, ``/api/steer {id, pitch, decay, click}``,
  ``/api/variations {id, n, intensity}``, ``/api/morph {a, b, t}``: kicks, as JSON
  (id, seed, controls, a waveform outline and a small spectrogram, the file's URL);
- ``POST /api/upload`` (multipart ``file``): your own kick encoded, with variations around it;
- ``GET /kicks/<id>.wav`` / ``.json`` (``?download=1`` names the file): a kick made before;
- ``GET /api/kit?ids=<id>,<id>&format=sfz|hydrogen``: the favourites as a kit;
- ``GET /api/model``: the model's name, SHA-256, sample rate and kick length (the page's header).

Kicks are named by id only; the files served are the studio's own kicks and kits, found
through its table of ids, and the package's static folder.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kickgan.errors import KickganError
from kickgan.serve import kits, uploads
from kickgan.serve.pictures import pictures
from kickgan.serve.studio import CONTROL_NAMES, Studio, UnknownKick

STATIC = Path(__file__).parent / "static"
MAX_PADS = 16
MAX_SEED = 2**31 - 1
CONTROL_RANGE = 3.0  # sliders span +-2; the API accepts a little more
MAX_INTENSITY = 2.0
VARIATION_SPREAD = 0.3  # around an upload, as kickgan encode's default --spread
KICK_FILE = re.compile(r"(k[0-9a-f]{16})\.(wav|json)")
KICK_ID = re.compile(r"k[0-9a-f]{16}")
log = logging.getLogger("kickgan.serve")


def create_app(studio: Studio, allowed_hosts: list[str] | None = None) -> Starlette:
    """The ASGI app serving ``studio``; ``allowed_hosts`` (default any) guards against DNS rebinding."""
    api = Api(studio)
    routes = [
        Route("/", api.index), Route("/api/batch", api.batch, methods=["POST"]),
        Route("/api/steer", api.steer, methods=["POST"]), Route("/api/variations", api.vary, methods=["POST"]),
        Route("/api/morph", api.morph, methods=["POST"]), Route("/api/upload", api.upload, methods=["POST"]),
        Route("/api/kit", api.kit), Route("/api/model", api.model), Route("/kicks/{name}", api.kick_file),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["*"])]
    handlers = {KickganError: _user_error, HTTPException: _http_error, Exception: _server_error}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


class Api:
    """The route handlers: checked input in, the studio's work (in the thread pool, never on the
    event loop) out as JSON or files."""

    def __init__(self, studio: Studio):
        self.studio = studio

    def view(self, kick) -> dict:
        """A kick as the page gets it; its pictures recomputed each time (a few ms), never kept."""
        return {**kick.describe(), **pictures(kick.wav), "url": f"/kicks/{kick.id}.wav"}

    async def work(self, make) -> JSONResponse:
        """``make()`` (a kick or a list of kicks) run in the thread pool, as ``{"kick"}`` / ``{"kicks"}``."""
        def run() -> dict:
            made = make()
            return {"kicks": [self.view(k) for k in made]} if isinstance(made, list) else {"kick": self.view(made)}

        return JSONResponse(await run_in_threadpool(run))

    async def batch(self, request: Request) -> JSONResponse:
        body = await _body(request)
        seed, n = _int(body, "seed", 0, MAX_SEED), _int(body, "n", 1, MAX_PADS, MAX_PADS)
        return await self.work(lambda: self.studio.batch(seed, n))

    async def steer(self, request: Request) -> JSONResponse:
        body = await _body(request)
        amounts = {name: _float(body, name, -CONTROL_RANGE, CONTROL_RANGE, 0.0) for name in CONTROL_NAMES}
        kid = _id(body, "id")
        return await self.work(lambda: self.studio.steer(kid, amounts))

    async def vary(self, request: Request) -> JSONResponse:
        body = await _body(request)
        n = _int(body, "n", 1, MAX_PADS - 1, MAX_PADS - 1)
        intensity = _float(body, "intensity", 0.0, MAX_INTENSITY, VARIATION_SPREAD)
        kid = _id(body, "id")
        return await self.work(lambda: self.studio.variations(kid, n, intensity))

    async def morph(self, request: Request) -> JSONResponse:
        body = await _body(request)
        a, b, t = _id(body, "a"), _id(body, "b"), _float(body, "t", 0.0, 1.0)
        return await self.work(lambda: self.studio.morph(a, b, t))

    async def upload(self, request: Request) -> JSONResponse:
        size = request.headers.get("content-length")
        if size is None or not size.isdigit():
            raise HTTPException(411, "upload: send the file with a Content-Length")
        if int(size) > uploads.MAX_BYTES + 65536:
            raise HTTPException(413, f"upload: {int(size) / 2**20:.1f} MB, above the limit of {uploads.MAX_BYTES // 2**20} MB")
        form = await request.form(max_files=1, max_fields=1)
        file = form.get("file")
        if file is None or isinstance(file, str):
            raise KickganError("upload: no file in the form field 'file'")
        data, name = await file.read(uploads.MAX_BYTES + 1), uploads.label(file.filename)

        def encode() -> list:
            kick = self.studio.encode(uploads.store(data, name, self.studio.folder / "uploads"), name)
            return self.studio.variations(kick.id, MAX_PADS - 1, VARIATION_SPREAD)

        return await self.work(encode)

    async def kick_file(self, request: Request) -> FileResponse:
        match = KICK_FILE.fullmatch(request.path_params["name"])
        if match is None:
            raise HTTPException(404, "no such kick file (kicks are named <id>.wav or <id>.json)")
        kick = self.studio.get(match[1])
        name = f"{kick.name}.{match[2]}" if request.query_params.get("download") else None
        return FileResponse(kick.wav.with_suffix(f".{match[2]}"), filename=name, headers={"Cache-Control": "no-store"})

    async def kit(self, request: Request) -> FileResponse:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= MAX_PADS:
            raise KickganError(f"ids: a kit takes 1 to {MAX_PADS} kicks, got {len(ids)}")
        chosen = [self.studio.get(_checked_id(i, "ids")) for i in ids]
        fmt = request.query_params.get("format", "sfz")
        path = await run_in_threadpool(kits.build, chosen, fmt, self.studio.folder / "kits")
        return FileResponse(path, filename=path.name)

    async def model(self, request: Request) -> JSONResponse:
        return JSONResponse(self.studio.model())

    async def index(self, request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html")


async def _body(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise KickganError("request body: not valid JSON") from None
    if not isinstance(body, dict):
        raise KickganError("request body: expected a JSON object")
    return body


def _int(body: dict, key: str, lo: int, hi: int, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise KickganError(f"{key}: must be an integer from {lo} to {hi}, got {value!r}")
    return value


def _float(body: dict, key: str, lo: float, hi: float, default: float | None = None) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
        raise KickganError(f"{key}: must be a number from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def _id(body: dict, key: str) -> str:
    return _checked_id(body.get(key), key)


def _checked_id(value, key: str) -> str:
    if not isinstance(value, str) or KICK_ID.fullmatch(value) is None:
        raise KickganError(f"{key}: not a kick id (k + 16 hex digits), got {str(value)[:40]!r}")
    return value


async def _user_error(request: Request, exc: KickganError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=404 if isinstance(exc, UnknownKick) else 400)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("error serving %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": f"internal error ({type(exc).__name__}); the server's log has the details"}, status_code=500)
