#!/usr/bin/env bash
# The plain git-CLI way of `release-guardian revert-to TAG --dry-run`: the runbook's steps up to
# the push — fetch with tags and prune, resolve the tag, read what prod runs, check it is a
# rollback, list what goes away.
set -u
tag=$1 target=$2 branch=${3:-master}
git fetch --quiet --prune --tags origin || exit 2
new=$(git rev-parse -q --verify "refs/tags/$tag^{commit}") || { echo "no tag $tag" >&2; exit 1; }
old=$(git ls-remote "$target" "refs/heads/$branch" | cut -f1)
[[ -n $old ]] || exit 2
git cat-file -e "$old" 2>/dev/null || git fetch --quiet "$target" "$branch" || exit 2
git merge-base --is-ancestor "$new" "$old" || { echo "$tag is not an ancestor of $old" >&2; exit 1; }
running=$(git tag --points-at "$old" | sort -V | tail -n1)
echo "Rollback plan: $target $branch: ${old:0:7} ($running) → ${new:0:7} ($tag)"
git log --oneline "$new..$old" | head -n 50
echo "Dry run: nothing was changed."
