#!/usr/bin/env bash
# Installs the dependencies, builds the release binary, and runs every test: the unit tests,
# the end-to-end tests against that release binary, then each fuzz target for 20 s (fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
# The libgit2 wrappers are what the generator writes from the installed headers.
python3 ci/generate-libgit2-wrappers.py
git diff --exit-code -- Sources/CLibGit2Loader/wrappers.c
binary=$(ci/build-release.sh)
RELEASE_GUARDIAN_BINARY="$binary" swift test
fuzz/run.sh
