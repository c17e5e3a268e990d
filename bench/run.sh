#!/bin/sh
# One benchmark run (see bench/README.md): installs wrk and nginx if missing, then measures.
#   bench/run.sh [--posts 10000] [--duration 10] [--cache off,memory] [--keep]
set -eu
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
    apt-get install -y wrk nginx
fi
# Compiled modules kept, as an installed site has them (the export's start reads them).
unset PYTHONDONTWRITEBYTECODE
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec python -m bench.harness "$@"
