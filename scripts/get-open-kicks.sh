#!/usr/bin/env bash
# Build the open kick set: the kicks of four Debian sample packages, as a kickgan dataset.
#
#   scripts/get-open-kicks.sh [OUT] [kickgan data build options...]
#   scripts/get-open-kicks.sh data/open_kicks --sr 16000 --length 16384
#   SR=44100 LENGTH=32768 OUT=data/open_kicks_44k scripts/get-open-kicks.sh
#
# OUT, SR and LENGTH may also come from the environment (defaults: data/open_kicks, 16000 Hz,
# 16384 samples, the builder's own); an argument wins over the environment.
#
# Installs hydrogen-drumkits, hydrogen-data, lmms-common and sonic-pi-samples with
# apt-get when they are missing (as root, or with sudo), then runs
# `kickgan data open-kicks`. The kits' licences are listed in docs/data.md.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-${OUT:-data/open_kicks}}"
shift || true
SR="${SR:-16000}"
LENGTH="${LENGTH:-16384}"
PACKAGES=(hydrogen-drumkits hydrogen-data lmms-common sonic-pi-samples)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

KICKGAN=kickgan
[ -x .venv/bin/kickgan ] && KICKGAN=.venv/bin/kickgan
exec "$KICKGAN" data open-kicks --out "$OUT" --sr "$SR" --length "$LENGTH" "$@"
