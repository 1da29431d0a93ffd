#!/usr/bin/env bash
# Writes what docket prints for a fixed set of commands into DIR, one file
# per command: check, case, diff and lint in every format, on the example
# export and on a generated 20k-case export. Run it with the binary before
# a refactor and after, then `diff -r` the two directories: a refactor
# changes no byte.
#
#   scripts/outputs.sh target/release/docket /tmp/before
set -uo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p "$out" target/outputs
gen=target/outputs/gen20k
if [ ! -f "$gen/cases.csv" ]; then
  rm -rf "$gen"
  "$bin" gen --cases 20000 --seed 7 --out "$gen" > /dev/null
fi
# A changed policy for diff: the SPS notice is 45 days instead of 60.
changed=target/outputs/changed-policy
rm -rf "$changed" && mkdir -p "$changed"
cp policies/*.docket "$changed/"
sed -i 's/: 60 days/: 45 days/' "$changed/requests.docket"
run() {
  local name=$1; shift
  "$bin" "$@" > "$out/$name.out" 2> "$out/$name.err"
  echo "exit $?" >> "$out/$name.out"
}
asof=2025-11-20T12:00
for d in examples/data "$gen"; do
  tag=$(basename "$d")
  for f in human json ndjson csv sarif junit github; do
    run "check-$tag-$f" check --policy policies --data "$d" --as-of $asof --format $f --quiet
  done
  run "check-$tag-rule" check --policy policies --data "$d" --as-of $asof --format json --rule vendor-followup --quiet
  for f in human json markdown; do
    run "diff-$tag-$f" diff --base policies --policy "$changed" --data "$d" --as-of $asof --format $f
  done
done
for c in C-0000003 C-0000052 C-0000082; do
  for f in human json; do
    run "case-$c-$f" case "$c" --policy policies --data examples/data --as-of $asof --format $f
  done
done
for f in human short json sarif junit github; do
  run "lint-$f" lint policies --data examples/data --format $f
done
run "lint-broken" lint tests/broken/names.unknown-value.docket
run "rules-json" rules --policy policies --format json
run "rules-human" rules --policy policies
run "explain" explain vendor-followup
run "test" test policies --require-coverage
run "fmt-check" fmt --check policies
