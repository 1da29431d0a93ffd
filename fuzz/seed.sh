#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the project: the bundled
# policy and the broken-policy fixtures for `policy`, the example export's
# files for the ingest targets, and rules + example cases/events for
# `pipeline`. Run from anywhere; corpora are not committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
c="$here/corpus"
mkdir -p "$c"/{policy,ingest_accounts,ingest_opportunities,ingest_cases,ingest_events,ingest_dialect,pipeline}
for f in "$root"/policies/*.docket "$root"/tests/broken/*.docket; do
  [ -f "$f" ] && cp "$f" "$c/policy/$(basename "$f")"
done
cp "$root/examples/data/accounts.csv" "$c/ingest_accounts/"
cp "$root/examples/data/opportunities.csv" "$c/ingest_opportunities/"
cp "$root/examples/data/cases.csv" "$c/ingest_cases/"
cp "$root/examples/data/case_events.csv" "$c/ingest_events/"
# Small slices too: libFuzzer mutates short inputs faster.
head -c 2048 "$root/examples/data/cases.csv" > "$c/ingest_cases/head.csv"
head -c 2048 "$root/examples/data/case_events.csv" > "$c/ingest_events/head.csv"
# ingest_dialect: four bytes choosing the dialect, then the file: the
# report export's cases (`;`, Windows-1252), and the cases workbook.
{ printf '\001\000\004\000'; cat "$root/examples/report/cases.csv"; } > "$c/ingest_dialect/report.csv"
{ printf '\000\000\000\000'; cat "$root/examples/workbook/cases.xlsx"; } > "$c/ingest_dialect/cases.xlsx"
for f in "$root"/policies/requests.docket "$root"/policies/billing.docket "$root"/policies/rate-reductions.docket; do
  { cat "$f"; printf '\xff'; head -c 3000 "$root/examples/data/cases.csv"; printf '\xff';
    head -c 3000 "$root/examples/data/case_events.csv"; } > "$c/pipeline/$(basename "$f" .docket)"
done
echo "seeded $(find "$c" -type f | wc -l) files into $c"
