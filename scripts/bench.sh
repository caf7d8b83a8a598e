#!/usr/bin/env bash
# Benchmarks (issue 8): bundle, start-up, purchase history, export merge and polling.
# Prints one table and writes bench-results.json. See BENCHMARKS.md.
#
#   scripts/bench.sh                 full run: builds the app into dist-bench/ first
#   scripts/bench.sh --smoke         tiny run (1 load, 1,000 purchases, 5 merge files)
#   scripts/bench.sh --dist DIR      use an already built app instead of building one
#   other flags go to scripts/bench.mjs (--runs N, --heavy-runs N, --port P, --out FILE,
#   --sizes N,M, --huge: add 500,000 purchases in range (1M loaded; --huge-runs N, default 1),
#   --history-only: skip start-up, merge and polling)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

dist=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [ -z "$dist" ]; then
  dist="dist-bench"
  step "trunk build --release into $dist"
  trunk build --release --offline=true --dist "$dist"
fi
step "building the sandbox and the native benchmarks"
cargo build -q -p merchant-console-sandbox
cargo build -q --release -p merchant-console-core --example bench_merge --example bench_polling
# Where cargo put them: CARGO_TARGET_DIR when set (a second checkout or engineer), else target/.
target="${CARGO_TARGET_DIR:-$ROOT/target}"

step "benchmarks${args[*]:+ (${args[*]})}"
node scripts/bench.mjs --dist "$dist" --sandbox "$target/debug/merchant-console-sandbox" \
  --merge-bin "$target/release/examples/bench_merge" \
  --poll-bin "$target/release/examples/bench_polling" ${args[@]+"${args[@]}"}
