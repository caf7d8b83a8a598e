#!/usr/bin/env bash
# Brings a fresh machine of this kind to a working state; quick when all is present.
# Called by scripts/demo.sh and scripts/test.sh, so nobody has to run it by hand.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
started=$(date +%s)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "installing the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    step "installing $component"
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lockfile names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm: binaryen 132 (wasm-opt) and the Playwright test runner. Browsers are never downloaded.
if [ ! -x node_modules/.bin/playwright ] || [ ! -x node_modules/.bin/wasm-opt ] \
   || [ ! -f node_modules/axe-core/axe.min.js ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if [ ! -x "$CHROMIUM" ]; then
  step "installing Chromium from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# nginx for the portal browser test (docs/deployment.md's configuration, run as is), with
# set-misc for the files proxy's set_unescape_uri, and openssl for its test certificate.
if [ ! -x /usr/sbin/nginx ] || [ ! -f /usr/lib/nginx/modules/ngx_http_set_misc_module.so ] \
   || ! command -v openssl >/dev/null; then
  step "installing nginx from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx libnginx-mod-http-set-misc openssl >/dev/null
fi

# Lets `trunk build --offline=true` and the native builds work without the network.
cargo fetch --locked -q

echo "install: tools ready in $(( $(date +%s) - started )) s"
