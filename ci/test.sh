#!/usr/bin/env bash
# Installs the dependencies, builds the release binary, and runs every test: the unit tests,
# the end-to-end tests against that release binary, then each fuzz target for 20 s (fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
# The libgit2 wrappers are what the generator writes from the installed headers.
python3 ci/generate-libgit2-wrappers.py
git diff --exit-code -- Sources/CLibGit2Loader/wrappers.c
# The code stays formatted as .swift-format says (swift-format ships with the Swift toolchain).
if command -v swift-format >/dev/null; then
    swift-format lint --strict --recursive --parallel Sources Tests fuzz Package.swift
else
    echo "ci/test.sh: no swift-format in this toolchain; formatting not checked" >&2
fi
binary=$(ci/build-release.sh)
RELEASE_GUARDIAN_BINARY="$binary" swift test
fuzz/run.sh
