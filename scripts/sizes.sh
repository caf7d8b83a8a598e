#!/usr/bin/env bash
# Prints the bundle sizes of dist/: raw and gzip -9 bytes of the wasm, js glue and css.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT/dist"
total_raw=0; total_gz=0; line="bundle:"
for kind in wasm js css; do
  raw=0; gz=0
  for f in *."$kind"; do
    [ -e "$f" ] || continue
    raw=$(( raw + $(wc -c <"$f") ))
    gz=$(( gz + $(gzip -9 -c "$f" | wc -c) ))
  done
  total_raw=$(( total_raw + raw )); total_gz=$(( total_gz + gz ))
  line="$line $kind ${raw} B (gzip ${gz} B);"
done
echo "$line total ${total_raw} B (gzip ${total_gz} B = $(( (total_gz + 512) / 1024 )) KiB)"
