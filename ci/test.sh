#!/usr/bin/env bash
# Installs the dependencies, builds the release binary, and runs every test: the unit tests,
# the end-to-end tests against that release binary, then each fuzz target for 20 s (fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
binary=$(ci/build-release.sh)
RELEASE_GUARDIAN_BINARY="$binary" swift test
fuzz/run.sh
