#!/usr/bin/env bash
# Installs what release-guardian needs to build and test on a Debian machine (as root, or with
# sudo): libgit2 (1.5.x), pkg-config, git, OpenSSH (the tests start an sshd on loopback), OpenSSL
# (a throwaway certificate for the HTTPS test server), libgit2's own test fixtures (inputs for
# FixtureDifferentialTests), libcurl's headers and library (the webhook notices; libcurl is loaded
# when the first one is sent, never linked),
# Python's venv; and, from PyPI into .build/tools,
# check-jsonschema (the tests validate the CI templates with it), alembic and Django at the
# versions ci/migration-tools.txt pins (the migration-gap tests run them on SQLite), pre-commit and
# lefthook at the versions ci/hook-managers.txt pins (the hook-manager tests). The Swift 6
# toolchain must already be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libgit2-dev libgit2-fixtures libcurl4-openssl-dev pkg-config git openssh-client openssh-server openssl python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || packages+=(python3-venv)
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

if [[ ! -x .build/tools/bin/check-jsonschema ]]; then
    python3 -m venv .build/tools
    .build/tools/bin/pip install --quiet --disable-pip-version-check check-jsonschema
fi
# Installed again whenever the pins change (the copy beside them says what is installed).
if ! cmp -s ci/migration-tools.txt .build/tools/migration-tools.txt; then
    [[ -x .build/tools/bin/pip ]] || python3 -m venv .build/tools
    .build/tools/bin/pip install --quiet --disable-pip-version-check -r ci/migration-tools.txt
    cp ci/migration-tools.txt .build/tools/migration-tools.txt
fi
# pre-commit and lefthook at the versions ci/hook-managers.txt pins (the hook-manager tests run them).
if ! cmp -s ci/hook-managers.txt .build/tools/hook-managers.txt; then
    [[ -x .build/tools/bin/pip ]] || python3 -m venv .build/tools
    .build/tools/bin/pip install --quiet --disable-pip-version-check -r ci/hook-managers.txt
    cp ci/hook-managers.txt .build/tools/hook-managers.txt
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "ci/setup.sh: no Swift toolchain on PATH; install Swift 6 (swift.org) and run this again." >&2
    exit 2
fi
