#!/usr/bin/env bash
# Installs the dependencies, builds the release binary, and runs every test: the unit tests,
# and the end-to-end tests against that release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
binary=$(ci/build-release.sh)
RELEASE_GUARDIAN_BINARY="$binary" swift test
