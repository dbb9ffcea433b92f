// kickgan serve: pads, steering, variations, morph, upload and favourites over the JSON API.
// Plain JavaScript and Web Audio; window.kickgan exposes the state for the browser tests.
"use strict";

const KEYS = "1234qwerasdfzxcv";
const state = { pads: [], selected: -1, favourites: [], a: null, b: null, lastPlayed: null, busy: 0 };
const audio = new AudioContext({ sampleRate: 44100 });
const buffers = new Map(); // kick id -> decoded AudioBuffer
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const response = await fetch(path, body instanceof FormData ? { method: "POST", body } :
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: `${path}: the server answered ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `${path}: the server answered ${response.status}`);
  return data;
}

function say(text, ok = false) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "";
}

async function busy(what, work) {
  state.busy += 1;
  say(`${what} ...`, true);
  try {
    const result = await work();
    say("", true);
    return result;
  } catch (error) {
    say(error.message);
    return null;
  } finally {
    state.busy -= 1;
  }
}

// ---- sound ----
async function bufferOf(kick) {
  if (!buffers.has(kick.id)) {
    const bytes = await (await fetch(kick.url)).arrayBuffer();
    const fileRate = new DataView(bytes).getUint32(24, true); // the WAV header's sample rate
    const buffer = await audio.decodeAudioData(bytes);
    buffer.fileRate = fileRate;
    buffers.set(kick.id, buffer);
  }
  return buffers.get(kick.id);
}

async function play(kick) {
  if (!kick) return;
  await audio.resume();
  const buffer = await bufferOf(kick);
  const source = audio.createBufferSource();
  source.buffer = buffer;
  source.connect(audio.destination);
  source.start();
  const samples = buffer.getChannelData(0);
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  state.lastPlayed = { id: kick.id, fileRate: buffer.fileRate, sampleRate: buffer.sampleRate, length: buffer.length, peak };
}

// ---- drawing ----
function drawWave(canvas, wave) {
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#f0b060";
  const step = w / wave.length;
  wave.forEach((v, i) => g.fillRect(i * step, h / 2 - (v * h) / 2, Math.max(1, step - 0.5), v * h));
}

function drawSpec(canvas, spec) {
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  const bands = spec.length, frames = spec[0].length;
  spec.forEach((row, band) => row.forEach((shade, frame) => {
    g.fillStyle = `rgb(${shade},${Math.round(shade * 0.55)},${Math.round(18 + shade * 0.2)})`;
    g.fillRect((frame * w) / frames, h - ((band + 1) * h) / bands, w / frames + 1, h / bands + 1);
  }));
}

function label(kick) {
  if (kick.seed !== null && kick.seed !== undefined) return `seed ${kick.seed}`;
  if (kick.variation) return `variation ${kick.variation}`;
  if (kick.t !== undefined) return `morph ${kick.t}`;
  return kick.encoded_from ? `≈ ${kick.encoded_from}` : kick.id;
}

function steered(kick) {
  const c = Object.entries(kick.controls || {}).map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${v}`);
  return c.length ? ` (${c.join(", ")})` : "";
}

function renderPads() {
  const grid = $("pads");
  grid.replaceChildren();
  state.pads.forEach((kick, i) => {
    const pad = document.createElement("div");
    pad.className = "pad" + (i === state.selected ? " selected" : "");
    pad.dataset.index = i;
    pad.dataset.id = kick.id;
    pad.innerHTML = `<div class="label"><span></span><kbd>${KEYS[i].toUpperCase()}</kbd></div>` +
      `<canvas class="wave" width="180" height="40"></canvas><canvas class="spec" width="180" height="40"></canvas>`;
    pad.querySelector("span").textContent = label(kick) + steered(kick);
    drawWave(pad.querySelector(".wave"), kick.wave);
    drawSpec(pad.querySelector(".spec"), kick.spec);
    pad.addEventListener("click", () => select(i, true));
    grid.appendChild(pad);
  });
}

function renderSelected() {
  const kick = state.pads[state.selected];
  if (!kick) return;
  $("selected-name").textContent = label(kick) + steered(kick);
  drawWave($("selected-wave"), kick.wave);
  drawSpec($("selected-spec"), kick.spec);
  $("download-wav").href = `${kick.url}?download=1`;
  $("download-json").href = `${kick.url.replace(/\.wav$/, ".json")}?download=1`;
  for (const name of ["pitch", "decay", "click"]) {
    $(name).value = (kick.controls || {})[name] || 0;
    showValue($(name));
  }
}

function renderFavourites() {
  const list = $("favourites");
  list.replaceChildren(...state.favourites.map((kick) => {
    const item = document.createElement("li");
    item.textContent = label(kick) + steered(kick);
    return item;
  }));
  const ids = state.favourites.map((k) => k.id).join(",");
  for (const format of ["sfz", "hydrogen"]) {
    $(`kit-${format}`).href = `/api/kit?ids=${ids}&format=${format}`;
    $(`kit-${format}`).classList.toggle("disabled", !ids);
  }
}

function showValue(input) {
  input.nextElementSibling.textContent = Number(input.value).toFixed(2);
}

// ---- actions ----
function setPads(kicks) {
  state.pads = kicks;
  state.selected = 0;
  renderPads();
  renderSelected();
}

function select(i, andPlay) {
  if (i < 0 || i >= state.pads.length) return;
  state.selected = i;
  document.querySelectorAll(".pad").forEach((p, j) => p.classList.toggle("selected", j === i));
  renderSelected();
  if (andPlay) play(state.pads[i]);
}

function replaceSelected(kick) {
  state.pads[state.selected] = kick;
  renderPads();
  renderSelected();
  return play(kick);
}

async function loadBatch(seed) {
  $("seed").value = seed;
  const data = await busy(`making 16 kicks from seed ${seed}`, () => api("/api/batch", { seed, n: 16 }));
  if (data) setPads(data.kicks);
}

async function steer() {
  const kick = state.pads[state.selected];
  if (!kick) return;
  const body = { id: kick.id };
  for (const name of ["pitch", "decay", "click"]) body[name] = Number($(name).value);
  const data = await busy("steering", () => api("/api/steer", body));
  if (data) await replaceSelected(data.kick);
}

async function variations() {
  const kick = state.pads[state.selected];
  if (!kick) return;
  const intensity = Number($("intensity").value);
  const data = await busy("making variations", () => api("/api/variations", { id: kick.id, n: 15, intensity }));
  if (data) setPads(data.kicks);
}

async function morph() {
  if (!state.a || !state.b) return;
  const t = Number($("morph").value);
  const data = await busy("morphing", () => api("/api/morph", { a: state.a.id, b: state.b.id, t }));
  if (data) await replaceSelected(data.kick);
}

function setEnd(which) {
  const kick = state.pads[state.selected];
  if (!kick) return;
  state[which] = kick;
  $(`morph-${which}`).textContent = `${which.toUpperCase()}: ${label(kick)}`;
  $("morph").disabled = !(state.a && state.b);
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const data = await busy(`encoding ${file.name}`, () => api("/api/upload", form));
  if (data) setPads(data.kicks);
}

function favourite() {
  const kick = state.pads[state.selected];
  if (kick && !state.favourites.some((k) => k.id === kick.id)) state.favourites.push(kick);
  renderFavourites();
}

// ---- wiring ----
$("load").addEventListener("click", () => loadBatch(Number($("seed").value) || 0));
$("new-batch").addEventListener("click", () => loadBatch(Math.floor(Math.random() * 1e6)));
$("play").addEventListener("click", () => play(state.pads[state.selected]));
$("favourite").addEventListener("click", favourite);
$("variations").addEventListener("click", variations);
$("set-a").addEventListener("click", () => setEnd("a"));
$("set-b").addEventListener("click", () => setEnd("b"));
for (const input of document.querySelectorAll("input[type=range]")) {
  showValue(input);
  input.addEventListener("input", () => showValue(input));
}
for (const input of document.querySelectorAll(".control")) input.addEventListener("change", steer);
$("morph").addEventListener("change", morph);
$("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
$("drop").addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
$("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => {
  e.preventDefault();
  $("drop").classList.remove("over");
  if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
});
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT" && e.target.type !== "range") return;
  const key = e.key.toLowerCase();
  const moves = { arrowleft: -1, arrowright: 1, arrowup: -4, arrowdown: 4 };
  if (KEYS.includes(key) && key.length === 1) select(KEYS.indexOf(key), true);
  else if (key === " ") { e.preventDefault(); play(state.pads[state.selected]); }
  else if (key in moves && e.target.type !== "range") { e.preventDefault(); select(state.selected + moves[key], true); }
  else if (key === "h") favourite();
  else if (key === "j") variations();
  else if (key === "n") loadBatch(Math.floor(Math.random() * 1e6));
});

async function showModel() {
  const response = await fetch("/api/model");
  if (!response.ok) return;
  const m = await response.json();
  $("model").textContent = `${m.name} · ${(m.sr / 1000).toFixed(m.sr % 1000 ? 1 : 0)} kHz · ${m.seconds.toFixed(2)} s`;
  $("model").title = `sha256 ${m.sha256}`;
}

window.kickgan = { state, play, loadBatch };
showModel();
loadBatch(Number($("seed").value) || 0);
