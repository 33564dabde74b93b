#!/usr/bin/env bash
# The plain git-CLI way of `release-guardian ci --ref refs/tags/vX.Y.Z`: the after-the-fact
# checks of a tag (format, annotated, on main, order and skip against the tags made before it),
# then its environment.
set -u
. "$(dirname "$0")/common.sh"
ref=$1 remote=${2:-origin}
tag=${ref#refs/tags/}
fail() { echo "ci: [$1] $2" >&2; exit 1; }
[[ $tag =~ $semver ]] || fail tag-format "$tag"
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]} pre=${BASH_REMATCH[4]}
[[ $(git cat-file -t "refs/tags/$tag") == tag ]] || fail tag-annotated "$tag"
commit=$(git rev-parse -q --verify "refs/tags/$tag^{commit}") || fail tag-target "$tag"
main=$(git rev-parse -q --verify "refs/remotes/$remote/main" || git rev-parse -q --verify refs/heads/main) || exit 2
git merge-base --is-ancestor "$commit" "$main" || fail tag-on-main "$tag"
# The tags made before this one (by tagger or commit date), as release-guardian judges a re-run:
# earlier ones, and lower versions made in the same second.
made=$(git for-each-ref --format='%(creatordate:unix)' "refs/tags/$tag")
dated=$(git for-each-ref --format='%(creatordate:unix) %(refname:short)' 'refs/tags/v*')
earlier=$(awk -v t="$made" '$1 < t {print $2}' <<<"$dated")
same=$(awk -v t="$made" -v self="$tag" '$1 == t && $2 != self {print $2}' <<<"$dated")
same_lower=$(printf '%s\n%s\n' "$same" "$tag" | sort -V | sed "/^$tag\$/q" | grep -vx "$tag")
before=$(printf '%s\n%s\n' "$earlier" "$same_lower" | grep -E "$semver")
in_line=$(grep -E "^v$major\.$minor\." <<<"$before" | newest)
if [[ -n $in_line ]]; then
    [[ $(printf '%s\n%s\n' "$in_line" "$tag" | newest) == "$tag" ]] || fail tag-order "$tag below $in_line"
    [[ $in_line =~ $semver ]]
    [[ -n $pre ]] || ((patch <= BASH_REMATCH[3] + 1)) || fail tag-skip "$tag after $in_line"
else
    top=$(grep -E "^v$major\." <<<"$before" | newest)
    [[ -z $top ]] && top=$(newest <<<"$before")
    if [[ -n $top ]]; then
        [[ $(printf '%s\n%s\n' "$top" "$tag" | newest) == "$tag" ]] || fail tag-order "$tag below $top"
    fi
fi
environment=""
[[ -z $pre ]] && environment=prod
echo "environment=$environment"
echo "version=${tag#v}"
