#!/usr/bin/env bash
# The plain git-CLI way of `release-guardian env REF --format shell`: resolve the ref as git
# does, map main → preprod and a final release tag (or release/vX.Y.Z) → prod.
set -u
. "$(dirname "$0")/common.sh"
ref=$(git rev-parse --symbolic-full-name "${1:-HEAD}") || exit 2
[[ -z $ref ]] && ref=$(git show-ref --tags -- "$1" | awk 'NR==1{print $2}')
environment="" version=""
case $ref in
refs/heads/main) environment=preprod ;;
refs/tags/v* | refs/heads/release/v*)
    name=${ref#refs/tags/}
    name=${name#refs/heads/release/}
    if [[ $name =~ $semver ]]; then
        version=${name#v}
        [[ -z ${BASH_REMATCH[4]} ]] && environment=prod
    fi
    ;;
esac
echo "export RELEASE_GUARDIAN_ENVIRONMENT='$environment'"
echo "export RELEASE_GUARDIAN_VERSION='$version'"
