"""The web app in a real headless Chromium (Debian's ``chromium``, driven by Playwright's Python API;
nothing is downloaded): load the page, play a pad, move each slider (the kick's own descriptor moves
the right way), make variations, morph, upload a kick, download a WAV and both kits.

Skipped, saying why, where Chromium or the playwright package is missing (``make test`` prints the
reason; ``.ci/run`` installs Chromium first). With ``KICKGAN_SCREENSHOT=docs/serve.png`` the first
test saves its screenshot there (that is how docs/serve.png was made).
"""

import base64
import io
import json
import os
import shutil
import tarfile
import time
import zipfile

import numpy as np
import pytest
import soundfile as sf

from kickgan.data.synth import synthesize
from kickgan.io import atomic_path
from kickgan.audio.descriptors import NAMES, decay_t20_ms, describe
from serve_support import fitted_model, request, served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: the playwright package is not installed (pip install playwright)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="browser tests skipped: no chromium on PATH (apt-get install chromium)")
STEER_S = 10.0  # generous on a shared two-core machine; a steered kick takes about 0.2 s (docs/benchmarks.md)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(fitted_model(tmp_path_factory), tmp_path_factory.mktemp("studio"), encode_steps=3) as (url, studio):
        yield url, studio


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(accept_downloads=True, viewport={"width": 1180, "height": 820})
    page.goto(server[0])
    page.wait_for_function("window.kickgan && window.kickgan.state.pads.length === 16 && !window.kickgan.state.busy")
    yield page
    page.close()


def state(page, expression: str):
    return page.evaluate(f"(() => {{ const s = window.kickgan.state; return {expression}; }})()")


def played(page, kick_id: str) -> dict:
    page.wait_for_function(f"(window.kickgan.state.lastPlayed || {{}}).id === {json.dumps(kick_id)}", timeout=STEER_S * 1000)
    return state(page, "s.lastPlayed")


def fetch(server, path: str) -> bytes:
    status, _, data = request(server[0], "GET", path)
    assert status == 200
    return data


def descriptor(server, kick: dict, control: str) -> float:
    """The evaluation suite's descriptor of ``control`` on the kick's file (44.1 kHz, 24-bit)."""
    y, sr = sf.read(io.BytesIO(fetch(server, kick["url"])), dtype="float32")
    if control == "decay":
        return float(decay_t20_ms(y[None], sr)[0])
    name = {"pitch": "body_hz_100ms", "click": "click_db"}[control]
    return float(describe(y[None], sr)[0, NAMES.index(name)])


def slide(page, element_id: str, value: float) -> None:
    """Move a range slider as a user's drag ends: set it, then fire input and change."""
    page.evaluate(
        "([id, v]) => { const e = document.getElementById(id); e.value = v;"
        " e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); }", [element_id, value])


def test_the_page_shows_16_pads_and_a_key_plays_a_decodable_44k_kick(page, server):
    assert page.locator(".pad").count() == 16 and page.locator(".pad canvas").count() == 32
    page.wait_for_function("document.getElementById('model').textContent !== ''")
    assert page.inner_text("#model") == "model · 16 kHz · 0.51 s"  # which model the kicks come from
    page.keyboard.press("w")  # the second row's second pad
    kick = state(page, "s.pads[5]")
    sound = played(page, kick["id"])
    assert sound["fileRate"] == 44100 and sound["sampleRate"] == 44100
    assert sound["length"] == pytest.approx(kick["seconds"] * 44100, abs=1)
    assert sound["peak"] == pytest.approx(10 ** (-1 / 20), abs=0.01)  # the file's -1 dBFS peak, decoded
    assert state(page, "s.selected") == 5 and "seed 5" in page.inner_text("#selected-name")
    page.keyboard.press("ArrowDown")
    assert state(page, "s.selected") == 9
    shot = os.environ.get("KICKGAN_SCREENSHOT")
    if shot:
        page.keyboard.press("h")
        with atomic_path(shot) as tmp:
            tmp.write_bytes(page.screenshot(full_page=True))


@pytest.mark.parametrize("control", ["pitch", "decay", "click"])
def test_each_slider_moves_its_descriptor_the_right_way(page, server, control):
    page.keyboard.press("2")
    values = {}
    for amount in (-2.0, 2.0):
        start = time.monotonic()
        slide(page, control, amount)
        page.wait_for_function(f"(window.kickgan.state.pads[1].controls || {{}}).{control} === {amount}", timeout=STEER_S * 1000)
        kick = state(page, "s.pads[1]")
        played(page, kick["id"])
        assert time.monotonic() - start < STEER_S
        assert kick["seed"] == 1 and kick["controls"] == {control: amount}
        values[amount] = descriptor(server, kick, control)
    assert values[2.0] > values[-2.0], values


def test_variations_fill_the_pads_at_the_chosen_intensity_and_morph_plays_between(page, server):
    page.keyboard.press("3")
    base = state(page, "s.pads[2]")
    slide(page, "intensity", 0.6)
    page.click("#variations")
    page.wait_for_function("window.kickgan.state.pads[1].variation === 1")
    pads = state(page, "s.pads")
    assert pads[0]["id"] == base["id"] and [p["spread"] for p in pads[1:]] == [0.6] * 15
    page.keyboard.press("1")
    page.click("#set-a")
    page.keyboard.press("4")
    page.click("#set-b")
    slide(page, "morph", 0.5)
    page.wait_for_function("window.kickgan.state.pads[3].t === 0.5")
    kick = state(page, "s.pads[3]")
    assert (kick["from"], kick["to"]) == (pads[0]["id"], pads[3]["id"])
    assert played(page, kick["id"])["fileRate"] == 44100


def test_a_chosen_or_dropped_kick_is_encoded_and_a_text_file_gets_a_message(page, server, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is text, not audio\n" * 20)
    page.set_input_files("#upload", str(bad))
    page.wait_for_function("document.getElementById('message').textContent.includes('not-audio')")
    kick = tmp_path / "my_kick.wav"
    sf.write(kick, synthesize(1, seed=2, sr=44100)[0][0], 44100, subtype="PCM_16")
    page.set_input_files("#upload", str(kick))
    page.wait_for_function("window.kickgan.state.pads[0].encoded_from === 'my_kick.wav'", timeout=120_000)
    assert state(page, "s.pads.length") == 16 and page.inner_text("#message") == ""
    dropped = page.evaluate_handle(
        "(b64) => { const t = new DataTransfer(); const b = Uint8Array.from(atob(b64), c => c.charCodeAt(0));"
        " t.items.add(new File([b], 'dropped.wav', {type: 'audio/wav'})); return t; }",
        base64.b64encode(kick.read_bytes()).decode())
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    page.wait_for_function("window.kickgan.state.pads[0].encoded_from === 'dropped.wav'", timeout=120_000)


def test_downloads_a_wav_and_both_kits_of_the_favourites(page, server):
    for key in ("1", "h", "w", "h"):
        page.keyboard.press(key)
    favourites = state(page, "s.favourites")
    assert [f["seed"] for f in favourites] == [0, 5] and page.locator("#favourites li").count() == 2
    with page.expect_download() as info:
        page.click("#download-wav")
    download = info.value
    assert download.suggested_filename == "kick_s000005.wav"
    data = open(download.path(), "rb").read()
    assert data == fetch(server, favourites[1]["url"]) and sf.info(io.BytesIO(data)).subtype == "PCM_24"
    with page.expect_download() as info:
        page.click("#kit-sfz")
    with zipfile.ZipFile(info.value.path()) as zf:
        sfz = zf.read("kickgan_favourites/kickgan_favourites.sfz").decode()
        assert "sample=samples/kick_s000000.wav key=36" in sfz and "sample=samples/kick_s000005.wav key=37" in sfz
        assert zf.read("kickgan_favourites/samples/kick_s000005.wav") == data
    with page.expect_download() as info:
        page.click("#kit-hydrogen")
    assert info.value.suggested_filename == "kickgan_favourites.h2drumkit"
    with tarfile.open(info.value.path(), mode="r:gz") as tar:
        assert tar.extractfile("kickgan_favourites/kick_s000005.wav").read() == data
        assert np.char.count(tar.extractfile("kickgan_favourites/drumkit.xml").read().decode(), "<instrument>") == 2
