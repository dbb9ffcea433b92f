#!/usr/bin/env bash
# The demo behind `make demo-train`: the whole training workflow on an embedded default, in about
# five minutes on 2 CPU cores. Everything goes to out/demo-train/ (set DEMO_OUT to change it).
#   synthesise kicks -> build a dataset -> look at it -> train the default DCGAN briefly
#   -> generate 44.1 kHz / 24-bit kicks by seed -> score them against held-out kicks
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${DEMO_OUT:-out/demo-train}"
MINUTES="${DEMO_MINUTES:-2}"
KICKGAN=.venv/bin/kickgan
[ -x "$KICKGAN" ] || KICKGAN=kickgan

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

rm -rf "$OUT"
step "1. synthesise 240 procedural kicks (808, acoustic, electronic)" \
    $KICKGAN data synth --n 240 --out "$OUT/synth" --seed 0
step "2. build a dataset: 16 kHz, onset-aligned, split by kit" \
    $KICKGAN data build "$OUT/synth" --out "$OUT/dataset" --all
step "3. look at it" \
    $KICKGAN data show "$OUT/dataset"
step "4. train the default config (DCGAN, WGAN-GP, 128x64 log-magnitude) for $MINUTES minutes" \
    $KICKGAN train --config configs/dcgan_wgangp.yaml --data "$OUT/dataset" --out "$OUT/run" \
    --set time_budget_minutes="$MINUTES" --set preview_every=100 --set ckpt_every=100 --no-progress
step "5. generate 8 kicks by seed, 44.1 kHz / 24-bit WAV" \
    $KICKGAN generate "$OUT/run" -n 8 --out "$OUT/kicks" --bit-depth 24
step "6. score them against the held-out split" \
    $KICKGAN evaluate "$OUT/kicks" --reference "$OUT/dataset:test" --train "$OUT/dataset:train" \
    --json "$OUT/evaluation.json"

cat <<MSG

Done. Look at:
  $OUT/dataset/examples.png        the data (waveforms and log spectrograms)
  $OUT/run/previews/               the fixed-seed preview bank during training
  $OUT/kicks/kick_s000000.wav ...  the generated kicks (each with a JSON sidecar)
  $OUT/evaluation.json             the scores (read them with docs/evaluation.md)
Next: make open-kicks, then kickgan train --config configs/dcgan_wgangp.yaml --data data/open_kicks
MSG
