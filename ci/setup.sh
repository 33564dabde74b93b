#!/usr/bin/env bash
# Installs what release-guardian needs to build and test on a Debian machine (as root, or with
# sudo): libgit2 (1.5.x), pkg-config and git. The Swift 6 toolchain must already be on PATH.
set -euo pipefail

packages=(libgit2-dev pkg-config git)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update
    $sudo apt-get install -y "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "ci/setup.sh: no Swift toolchain on PATH; install Swift 6 (swift.org) and run this again." >&2
    exit 2
fi
