#!/usr/bin/env bash
# The plain git-CLI way of `release-guardian deploy main --dry-run`: fetch with tags and prune,
# take main as origin has it, read what the target runs, check it goes forward, list what goes live.
set -u
target=$1 branch=${2:-master}
git fetch --quiet --prune --tags origin || exit 2
new=$(git rev-parse -q --verify "refs/remotes/origin/main^{commit}") || exit 2
old=$(git ls-remote "$target" "refs/heads/$branch" | cut -f1)
[[ -n $old ]] || exit 2
git cat-file -e "$old" 2>/dev/null || git fetch --quiet "$target" "$branch" || exit 2
if [[ $old != "$new" ]] && git merge-base --is-ancestor "$new" "$old"; then echo "that is a rollback" >&2; exit 1; fi
echo "Deployment plan: $target $branch: ${old:0:7} → ${new:0:7} (main)"
git log --oneline "$old..$new" | head -n 50
echo "Dry run: nothing was changed."
