#!/usr/bin/env bash
# Formats the Swift sources with the checked-in .swift-format and fails if that changed anything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
swift format --in-place --recursive --parallel Package.swift Sources Tests
if ! git diff --quiet -- Package.swift Sources Tests; then
    echo "validate.sh: swift format changed files (shown above); commit the formatted code" >&2
    git --no-pager diff --stat -- Package.swift Sources Tests >&2
    exit 1
fi
