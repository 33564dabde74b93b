#!/usr/bin/env bash
# Builds the release binary that hooks should run, and prints its path:
#   -c release               optimised
#   --static-swift-stdlib    the Swift runtime and Foundation linked in: no Swift shared
#                            libraries to find and relocate at each start
#   -z lazy                  symbols of the shared libraries bound on first use, not all at
#                            start-up (libgit2 itself is not linked: CLibGit2Loader loads it on
#                            its first call, which a push of branches or `env` never makes)
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
