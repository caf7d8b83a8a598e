#!/usr/bin/env bash
# README command 2: every test. Fails on the first failure.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/install.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native crates, warnings denied)"
cargo clippy --locked -p merchant-console-core -p merchant-console-sandbox -p merchant-console-postbuild --all-targets -- -D warnings

step "fuzz targets type-check (stable, libFuzzer not linked; docs/fuzzing.md runs them)"
cargo check --locked --manifest-path fuzz/Cargo.toml --no-default-features

step "cargo clippy (the app on wasm32, warnings denied)"
cargo clippy --locked -p merchant-console --target wasm32-unknown-unknown -- -D warnings

step "cargo test (core, sandbox and the postbuild tool, native)"
cargo test --locked -p merchant-console-core -p merchant-console-sandbox -p merchant-console-postbuild

"$ROOT/scripts/build.sh"

step "browser tests (Playwright, headless Chromium, against the sandbox)"
npx playwright test

step "bundle sizes"
"$ROOT/scripts/sizes.sh"

step "benchmark smoke run"
"$ROOT/scripts/bench.sh" --smoke --dist dist --out "$ROOT/target/bench-smoke.json"
