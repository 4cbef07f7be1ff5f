#!/usr/bin/env bash
# Formats the Swift sources with the checked-in .swift-format and fails if that changed anything.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
swift format format --in-place --recursive Sources Tests Package.swift
swift format lint --strict --recursive Sources Tests Package.swift
git diff --exit-code -- Sources Tests Package.swift
