#!/usr/bin/env bash
# Release build of the app into dist/ and a debug build of the sandbox.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
step "trunk build --release"
trunk build --release --offline=true
step "building the sandbox"
cargo build -p merchant-console-sandbox
