#!/usr/bin/env bash
# Installs the peers bench/http.py compares against, outside the repository:
# wrk (Debian package), Prism (npm @stoplight/prism-cli) and moto's server (PyPI moto[server])
# under ${BENCH_TOOLS:-~/.cache/emulator-bench}. Not needed by the tests or by CI.
set -euo pipefail
tools="${BENCH_TOOLS:-$HOME/.cache/emulator-bench}"
mkdir -p "$tools"
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
if [ ! -x "$tools/node_modules/.bin/prism" ]; then
  npm install --prefix "$tools" --no-fund --no-audit @stoplight/prism-cli
fi
if [ ! -x "$tools/moto/bin/moto_server" ]; then
  python3 -m venv "$tools/moto" && "$tools/moto/bin/pip" install -q 'moto[server]'
fi
echo "peers ready under $tools"
