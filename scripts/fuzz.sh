#!/usr/bin/env bash
# Runs one fuzz target (docs/fuzzing.md): scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags]
# TARGET is purchases, export_object or merge. Needs a nightly toolchain (rustup); uses
# `cargo fuzz` when installed, else builds the target with the flags cargo fuzz uses.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
target=${1:?usage: scripts/fuzz.sh purchases|export_object|merge [SECONDS] [libFuzzer flags]}
secs=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "corpus/$target" artifacts/"$target"
flags=(-max_total_time="$secs" -dict=dict.txt -artifact_prefix="artifacts/$target/" -print_final_stats=1 -rss_limit_mb=4096 "$@")
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  exec cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- "${flags[@]}"
fi
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address \
-Cdebug-assertions -Coverflow-checks -Cforce-frame-pointers" \
  cargo +nightly build --release --target "$triple" --bin "$target"
exec "target/$triple/release/$target" "${flags[@]}" "corpus/$target" "seeds/$target"
