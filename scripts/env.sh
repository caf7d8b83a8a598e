# Sourced by the other scripts: tool paths and versions in one place.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TRUNK_VERSION="0.21.14"
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
CHROMIUM="/usr/bin/chromium"
SANDBOX_BIN="$ROOT/target/debug/merchant-console-sandbox"
export TRUNK_VERSION WASM_BINDGEN_VERSION CHROMIUM SANDBOX_BIN ROOT
step() { printf '\n==> %s\n' "$*"; }
