#!/usr/bin/env bash
# The demo behind `make demo`: a producer's first minute. The pretrained model that ships inside
# the package (kickgan models) makes 16 kicks by seed with their sidecars, a small SFZ kit and a
# page to listen to them, in seconds on a CPU. Everything goes to out/demo/ (set DEMO_OUT to change it).
# The training workflow (synthesise, build, train, generate, score) is `make demo-train`.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${DEMO_OUT:-out/demo}"
KICKGAN=.venv/bin/kickgan
[ -x "$KICKGAN" ] || KICKGAN=kickgan

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

START=$SECONDS
rm -rf "$OUT"
step "1. the pretrained model that ships with kickgan" \
    $KICKGAN models
step "2. 16 kicks by seed from it (no checkpoint given), 44.1 kHz / 24-bit WAV, each with a JSON sidecar" \
    $KICKGAN generate -n 16 --out "$OUT/kicks" --bit-depth 24
step "3. a small SFZ kit: 8 more kicks (seeds 16-23) on MIDI notes 36-43" \
    $KICKGAN kit --seeds 16-23 --out "$OUT/kit" --format sfz --name kickgan_demo --bit-depth 24
step "4. 8 full-band kicks from the second bundled model (native 44.1 kHz, 0.74 s, up to 22 kHz: its card)" \
    $KICKGAN generate openkicks-kick44k-v1 -n 8 --out "$OUT/fullband" --bit-depth 24
step "5. a page to listen to them in a browser" \
    $KICKGAN page "$OUT/kicks" "$OUT/kit" "$OUT/fullband" --out "$OUT/index.html" --title "kickgan: your first kicks"

cat <<MSG

Done in $((SECONDS - START)) s. Look at:
  $OUT/index.html                  listen to every kick (open it in a browser)
  $OUT/kicks/kick_s000000.wav ...  16 kicks, each with a JSON sidecar (model hash, seed, latent)
  $OUT/kit/kickgan_demo.sfz        the SFZ kit (load it in sfizz, Sforzando, Decent Sampler, ...)
  $OUT/fullband/                   8 full-band kicks (kickgan generate openkicks-kick44k-v1 ...)
Next: kickgan generate --seeds 42 --click 1 --out clickier/  (steer click / decay / pitch: docs/producer.md)
      make demo-train                                        (train your own model, about 5 minutes)
MSG
