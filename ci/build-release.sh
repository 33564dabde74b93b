#!/usr/bin/env bash
# Builds the release binary that hooks should run, and prints its path:
#   -c release               optimised
#   --static-swift-stdlib    the Swift runtime and Foundation linked in: no Swift shared
#                            libraries to find and relocate at each start
#   -z lazy                  symbols of libgit2 and its dependencies bound on first use, not all
#                            at start-up (a push of branches never calls libgit2)
#   --version-script         no symbol exported but main (ci/release-guardian.exports): the public
#                            symbols of every Swift module and C library linked in would otherwise
#                            fill the dynamic symbol table, which the Swift runtime's start-up
#                            dladdr walks one by one, and which the loader must map
# Run `release-guardian install` with this binary: the hook then runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib -Xlinker -z -Xlinker lazy \
    -Xlinker --version-script="$PWD/ci/release-guardian.exports" >&2
echo "$PWD/.build/release/release-guardian"
