#!/usr/bin/env bash
# README command 1: the app against the sandbox, with demo data, on one port.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
"$ROOT/scripts/install.sh"
"$ROOT/scripts/build.sh"
PORT="${PORT:-8787}"
step "starting the sandbox with demo data"
echo "Open http://127.0.0.1:$PORT/ in your browser (Ctrl+C stops it)."
exec "$SANDBOX_BIN" --port "$PORT" --dist dist "$@"
