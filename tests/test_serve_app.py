"""The web app's API on a live uvicorn server: kicks by seed (byte-identical to ``kickgan generate``),
steering, variations, morph, upload, kits; then attacks and load: traversal paths, bad uploads,
bad numbers, 200 concurrent requests. Every refusal is a one-line JSON error, never a 500."""

import concurrent.futures
import io
import json
import tarfile
import time
import zipfile

import numpy as np
import pytest
import soundfile as sf
import torch

from kickgan.cli import main as cli_main
from kickgan.data.synth import synthesize
from kickgan.serve import uploads
from serve_support import fitted_model, post, request, served


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return fitted_model(tmp_path_factory)


@pytest.fixture(scope="module")
def server(model, tmp_path_factory):
    with served(model, tmp_path_factory.mktemp("studio"), encode_steps=3) as (url, studio):
        yield url, studio


def get(url: str, path: str) -> bytes:
    status, _, data = request(url, "GET", path)
    assert status == 200, data
    return data



def test_the_model_is_named_with_its_hash_rate_and_length(server, model):
    from kickgan.checkpoints import file_sha256

    url, _ = server
    assert json.loads(get(url, "/api/model")) == {"name": "model", "sha256": file_sha256(model), "sr": 16000,
                                                  "seconds": 0.512}

def sidecar(url: str, kick: dict) -> dict:
    return json.loads(get(url, kick["url"].replace(".wav", ".json")))


def wav_bytes(y: np.ndarray, sr: int = 44100) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, y, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def multipart(filename: str, data: bytes) -> tuple[bytes, dict]:
    boundary = "kickgan-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(url: str, filename: str, data: bytes) -> tuple[int, dict]:
    body, headers = multipart(filename, data)
    status, _, answer = request(url, "POST", "/api/upload", body, headers)
    return status, json.loads(answer)


def test_a_batch_is_16_kicks_named_by_seed_with_a_waveform_and_spectrogram(server):
    url, _ = server
    status, data = post(url, "/api/batch", {"seed": 40, "n": 16})
    assert status == 200
    kicks = data["kicks"]
    assert [k["seed"] for k in kicks] == list(range(40, 56))
    assert [k["name"] for k in kicks[:2]] == ["kick_s000040", "kick_s000041"]
    assert len({k["id"] for k in kicks}) == 16
    assert len(kicks[0]["wave"]) == 96 and max(kicks[0]["wave"]) == pytest.approx(10 ** (-1 / 20), abs=2e-3)  # -1 dBFS peak
    assert np.array(kicks[0]["spec"]).shape == (24, 32) and np.array(kicks[0]["spec"]).max() == 255
    info = sf.info(io.BytesIO(get(url, kicks[0]["url"])))
    assert (info.samplerate, info.subtype) == (44100, "PCM_24")


@pytest.mark.parametrize("amounts", [{}, {"pitch": 1.0, "decay": -0.5}])
def test_a_download_is_byte_identical_to_kickgan_generate(server, model, tmp_path, amounts):
    url, _ = server
    _, data = post(url, "/api/batch", {"seed": 7, "n": 1})
    kick = data["kicks"][0]
    if amounts:
        _, data = post(url, "/api/steer", {"id": kick["id"], **amounts})
        kick = data["kick"]
    flags = [x for name, v in amounts.items() for x in (f"--{name}", str(v))]
    assert cli_main.main(["generate", str(model), "--seeds", "7", "--bit-depth", "24", "--out", str(tmp_path), *flags]) == 0
    status, headers, wav = request(url, "GET", kick["url"] + "?download=1")
    assert status == 200 and 'filename="kick_s000007.wav"' in headers["content-disposition"]
    assert wav == (tmp_path / "kick_s000007.wav").read_bytes()
    assert get(url, kick["url"].replace(".wav", ".json")) == (tmp_path / "kick_s000007.json").read_bytes()


def test_variations_lie_intensity_times_a_fixed_direction_away(server):
    url, _ = server
    _, data = post(url, "/api/batch", {"seed": 3, "n": 1})
    base = data["kicks"][0]
    z0 = np.array(sidecar(url, base)["latent"])
    dist = {}
    for intensity in (0.2, 0.8):
        status, data = post(url, "/api/variations", {"id": base["id"], "n": 4, "intensity": intensity})
        assert status == 200 and data["kicks"][0]["id"] == base["id"] and len(data["kicks"]) == 5
        assert [k["variation"] for k in data["kicks"][1:]] == [1, 2, 3, 4]
        dist[intensity] = np.array([np.linalg.norm(np.array(sidecar(url, k)["latent"]) - z0) for k in data["kicks"][1:]])
    np.testing.assert_allclose(dist[0.8] / dist[0.2], 4.0, rtol=1e-4)


def test_morph_ends_are_the_two_kicks_and_the_middle_keeps_the_norm(server):
    url, _ = server
    _, data = post(url, "/api/batch", {"seed": 10, "n": 2})
    a, b = data["kicks"]
    za, zb = (np.array(sidecar(url, k)["latent"]) for k in (a, b))
    ends = [post(url, "/api/morph", {"a": a["id"], "b": b["id"], "t": t})[1]["kick"] for t in (0.0, 0.5, 1.0)]
    latents = [np.array(sidecar(url, k)["latent"]) for k in ends]
    np.testing.assert_array_equal(latents[0], za)
    np.testing.assert_array_equal(latents[2], zb)
    assert get(url, ends[0]["url"]) == get(url, a["url"])  # the same latent, the same audio
    assert min(np.linalg.norm(za), np.linalg.norm(zb)) - 0.5 < np.linalg.norm(latents[1])  # slerp, not a line


def test_an_uploaded_kick_is_encoded_with_variations_around_it(server):
    url, studio = server
    y, _ = synthesize(1, seed=5, sr=44100)
    status, data = upload(url, "../../my kick.wav", wav_bytes(y[0]))
    assert status == 200, data
    encoded = data["kicks"][0]
    assert encoded["encoded_from"] == "my kick.wav" and encoded["distance"] > 0 and len(data["kicks"]) == 16
    stored = list((studio.folder / "uploads").iterdir())
    assert [p.suffix for p in stored] == [".wav"] and len(stored[0].stem) == 24  # named by hash, in its folder
    assert not (studio.folder.parent / "my kick.wav").exists()


def test_favourites_download_as_an_sfz_zip_and_a_hydrogen_kit(server):
    url, _ = server
    _, data = post(url, "/api/batch", {"seed": 20, "n": 2})
    first, second = data["kicks"]
    _, data = post(url, "/api/steer", {"id": first["id"], "click": 1.0})
    kicks = [first, second, data["kick"]]
    ids = ",".join(k["id"] for k in kicks)
    with zipfile.ZipFile(io.BytesIO(get(url, f"/api/kit?ids={ids}&format=sfz"))) as zf:
        sfz = zf.read("kickgan_favourites/kickgan_favourites.sfz").decode()
        assert "sample=samples/kick_s000020.wav key=36" in sfz and "sample=samples/kick_s000020_2.wav key=38" in sfz
        assert zf.read("kickgan_favourites/samples/kick_s000021.wav") == get(url, second["url"])
        assert zf.read("kickgan_favourites/samples/kick_s000020_2.wav") == get(url, kicks[2]["url"])
    with tarfile.open(fileobj=io.BytesIO(get(url, f"/api/kit?ids={ids}&format=hydrogen")), mode="r:gz") as tar:
        names = tar.getnames()
        assert "kickgan_favourites/drumkit.xml" in names and "kickgan_favourites/kick_s000020_2.wav" in names
        xml = tar.extractfile("kickgan_favourites/drumkit.xml").read().decode()
        assert xml.count("<instrument>") == 3


TRAVERSALS = [
    "/kicks/../../../../etc/passwd", "/static/../../../../../etc/passwd", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/app.py", "/static/%2e%2e%2fapp.py", "/kicks/%2e%2e%2fstudio.py", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", "/kicks//etc/passwd", "/static/..\\..\\app.py", "/static/..%5c..%5capp.py",
    "/kicks/k0123456789abcdef.wav/../../../app.py", "/api/kit?ids=../../etc/passwd&format=sfz",
    "/api/kit?ids=/etc/passwd", "/static/%252e%252e/app.py", "/..%2f..%2f..%2fetc%2fpasswd",
    "/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/kicks/k0123456789abcdef.wav?path=/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_and_absolute_paths_are_refused_with_json(server, path):
    url, _ = server
    status, headers, body = request(url, "GET", path)
    assert status in (400, 404), (status, body[:200])
    assert headers["content-type"] == "application/json" and "error" in json.loads(body)
    assert b"root:" not in body and b"import" not in body


@pytest.mark.parametrize("path, body, message", [
    ("/api/batch", {"seed": 0, "n": 10**9}, "n: must be an integer from 1 to 16, got 1000000000"),
    ("/api/batch", {"seed": -1}, "seed: must be an integer from 0"),
    ("/api/batch", {"seed": True}, "seed: must be an integer"),
    ("/api/steer", {"id": "../../etc/passwd", "pitch": 1}, "id: not a kick id"),
    ("/api/steer", {"id": "/etc/passwd"}, "id: not a kick id"),
    ("/api/steer", {"id": "k0123456789abcdef", "pitch": 1}, "no such kick"),
    ("/api/variations", {"id": "k0123456789abcdef", "n": 100000}, "n: must be an integer from 1 to 15"),
    ("/api/morph", {"a": "k0123456789abcdef", "b": "k0123456789abcdef", "t": 7}, "t: must be a number from 0 to 1"),
])
def test_bad_requests_get_one_line_errors(server, path, body, message):
    url, _ = server
    status, data = post(url, path, body)
    assert status in (400, 404) and message in data["error"]


def test_non_finite_and_malformed_json_is_refused(server):
    url, _ = server
    _, _, answer = request(url, "POST", "/api/steer", b'{"id": "k0123456789abcdef", "pitch": NaN}', {"Content-Type": "application/json"})
    assert "pitch: must be a number" in json.loads(answer)["error"]
    status, _, answer = request(url, "POST", "/api/batch", b"{nope", {"Content-Type": "application/json"})
    assert status == 400 and json.loads(answer)["error"] == "request body: not valid JSON"
    status, _, answer = request(url, "POST", "/api/batch", b"[1, 2]", {"Content-Type": "application/json"})
    assert status == 400 and json.loads(answer)["error"] == "request body: expected a JSON object"


def test_bad_uploads_are_refused_and_the_server_still_serves(server):
    url, studio = server
    kick = wav_bytes(synthesize(1, seed=1, sr=44100)[0][0])
    long = wav_bytes(np.tile(synthesize(1, seed=1, sr=44100)[0][0], 20))  # about 10 s
    cases = [
        ("kick.wav", b"this is not a wav, it is text\n" * 10, "kick.wav: not-audio"),
        ("kick.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "kick.wav: "),
        ("kick.wav", kick[:60], "kick.wav: "),
        ("kick.wav", b"", "kick.wav: empty"),
        ("kick.exe", kick, "uploads must be WAV, FLAC, AIFF or OGG"),
        ("../../../etc/passwd", kick, "passwd: uploads must be WAV"),
        ("long.wav", long, "above the limit of 5 s"),
        ("silent.wav", wav_bytes(np.zeros(4410)), "silent"),
    ]
    for name, data, message in cases:
        status, answer = upload(url, name, data)
        assert status == 400 and message in answer["error"], (name, answer)
    big, headers = multipart("big.wav", b"RIFF" + b"\x00" * (uploads.MAX_BYTES + 100_000))
    status, _, answer = request(url, "POST", "/api/upload", big, headers)
    assert status == 413 and "above the limit of 10 MB" in json.loads(answer)["error"]
    status, _, answer = request(url, "POST", "/api/upload", b"--x\r\ngarbage", {"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 400 and "error" in json.loads(answer)
    status, _, answer = request(url, "POST", "/api/upload", b"", {"Content-Type": "multipart/form-data; boundary=x"})
    assert status == 400 and "no file" in json.loads(answer)["error"]
    assert [p.name for p in (studio.folder / "uploads").glob("*") if not p.name.endswith(".wav")] == []
    assert post(url, "/api/batch", {"seed": 0, "n": 1})[0] == 200


def test_an_unknown_host_header_is_refused(server):
    url, _ = server
    status, _, _ = request(url, "GET", "/", headers={"Host": "evil.example:8000"})
    assert status == 400


def test_200_concurrent_requests_are_all_answered_one_model_call_at_a_time(server, model, tmp_path):
    url, studio = server
    torch.set_num_threads(1)
    _, data = post(url, "/api/batch", {"seed": 2000, "n": 1})
    base = data["kicks"][0]["id"]
    running, most = [0], [0]

    def enter(module, inputs):  # counts generator calls in flight; the sleep widens any overlap
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.002)

    def leave(module, inputs, output):
        running[0] -= 1

    def one(i: int) -> tuple[int, dict]:
        if i % 8 == 7:
            return request(url, "GET", "/")[0], {}
        if i % 8 == 6:
            return post(url, "/api/steer", {"id": base, "pitch": 0.5 + 0.1 * (i % 3)})
        return post(url, "/api/batch", {"seed": 1000 + i % 25, "n": 1})

    hooks = [studio.sampler.G.register_forward_pre_hook(enter), studio.sampler.G.register_forward_hook(leave)]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            results = list(pool.map(one, range(200)))
    finally:
        for hook in hooks:
            hook.remove()
    assert [s for s, _ in results if s != 200] == [] and most[0] == 1
    assert cli_main.main(["generate", str(model), "--seeds", "1000", "--bit-depth", "24", "--out", str(tmp_path)]) == 0
    made = next(d["kicks"][0] for _, d in results if "kicks" in d and d["kicks"][0]["seed"] == 1000)
    assert get(url, made["url"]) == (tmp_path / "kick_s001000.wav").read_bytes()
