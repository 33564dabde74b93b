#!/usr/bin/env bash
# Installs the dependencies, builds release-guardian in release mode and runs every test
# (unit and end-to-end) against that release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
swift build -c release
RELEASE_GUARDIAN_BINARY="$PWD/.build/release/release-guardian" swift test -c release
