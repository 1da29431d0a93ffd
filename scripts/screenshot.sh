#!/usr/bin/env bash
# Writes docs/audit.png, the README's picture of the example audit's HTML
# report, with headless Chromium (Debian's `chromium`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo run --quiet -- check --policy policies --data examples/data --as-of 2025-11-20T12:00 \
  --format html --group-by owner --output "$out/audit.html" || true
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1400 \
  --screenshot="$out/audit.png" "file://$out/audit.html" 2>/dev/null
cp "$out/audit.png" docs/audit.png
echo "wrote docs/audit.png"
