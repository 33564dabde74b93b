#!/usr/bin/env bash
# Generates release-guardian's man page from its commands' help (swift-argument-parser's
# generate-manual plugin, offline) and installs it, then prints its path:
#   ci/install-man-page.sh                          into /usr/local/share/man/man1 (may need sudo)
#   ci/install-man-page.sh ~/.local/share/man/man1  for yourself
# The plugin builds the tool in debug mode only to read its help: its release build would
# replace the binary of ci/build-release.sh with one built without that script's flags.
set -euo pipefail
directory=${1:-/usr/local/share/man/man1}
cd "$(dirname "$0")/.."
swift package generate-manual --configuration debug >&2
install -d "$directory"
install -m 0644 .build/plugins/GenerateManual/outputs/release-guardian/release-guardian.1 "$directory/release-guardian.1"
echo "$directory/release-guardian.1"
