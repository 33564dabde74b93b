#!/usr/bin/env bash
# Builds release-guardian and runs it on a sandbox it makes: a repository and its origin, with the
# pre-push hook installed. A bad release tag is refused; a good one goes through.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
bin=$(ci/build-release.sh 2>/dev/null)

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/release-guardian-demo.XXXXXX")
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.test GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.test

cd "$sandbox"
git init -q --bare -b main origin.git
git init -q -b main app
cd app
git remote add origin ../origin.git
git commit -q --allow-empty -m "First release"
git tag -a v1.0.0 -m "Release v1.0.0"
git push -q origin main v1.0.0
echo "Sandbox: $sandbox (origin.git has main and v1.0.0)"

run "$bin" install

git commit -q --allow-empty -m "New feature"
run git tag -a v1.2.0 -m "Release v1.2.0"
say git push --follow-tags origin main
if git push --follow-tags origin main; then
    echo "demo: the bad tag went through, which it must not" >&2
    exit 1
fi
echo "-> refused: v1.2.0 skips v1.1.0, and nothing was pushed."

run git tag -d v1.2.0
run git tag -a v1.1.0 -m "Release v1.1.0"
run git push --follow-tags origin main
echo "-> accepted. origin now has:"
git ls-remote --tags --refs origin
