#!/usr/bin/env bash
# Makes the bundled model (src/kickgan/bundled/, see its MODEL_CARD.md) from scratch:
#   the open kick set -> train the default config, seed 0, 2500 steps, one thread, fp32 (as shipped)
#   -> export its best checkpoint (chosen on the validation kits) -> score it on the test kits
#   -> fit and measure its controls, write its models.json entry -> rewrite the card's measured part.
#
#   scripts/make-bundled-model.sh            (NAME, DATA, RUN and N may be set in the environment)
#
# Training takes 30-45 minutes on one CPU thread; an existing $RUN is reused, not retrained.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="${NAME:-openkicks-dcgan-v1}"
DATA="${DATA:-data/open_kicks}"
RUN="${RUN:-runs/bundle-s0}"
N="${N:-256}"
BUNDLED=src/kickgan/bundled
KICKGAN=kickgan
[ -x .venv/bin/kickgan ] && KICKGAN=.venv/bin/kickgan
export OMP_NUM_THREADS=1

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

[ -f "$DATA/dataset.json" ] || step "the open kick set" bash scripts/get-open-kicks.sh "$DATA"
[ -f "$RUN/checkpoints/latest.pt" ] || step "train the default config" \
    $KICKGAN train --config configs/dcgan_wgangp.yaml --data "$DATA" --out "$RUN" \
    --set seed=0 --set steps=2500 --set time_budget_minutes=0 --set precision=fp32 --no-progress
step "export the best checkpoint's generator" \
    $KICKGAN export "$RUN" --out "$BUNDLED/$NAME.pt" --force
step "score it on the test kits ($N kicks, seeds 0-$((N - 1)))" \
    $KICKGAN evaluate "$BUNDLED/$NAME.pt" --reference "$DATA:test" --train "$DATA:train" --n "$N" -q \
    --json "$RUN/bundled-evaluation.json"
step "fit and measure its controls; its models.json entry" \
    $KICKGAN models add "$BUNDLED/$NAME.pt" --name "$NAME" --data "$DATA" --evaluation "$RUN/bundled-evaluation.json"
step "the card's measured section" \
    $KICKGAN models card "$NAME" --update
