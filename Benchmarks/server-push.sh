#!/usr/bin/env bash
# A real `git push` to a server repository guarded by `install --server` (pre-receive, then the
# reference-transaction hook for each ref written), beside the same push to the same repository
# without hooks (the git-CLI way: what the push costs by itself). Repositories of N release tags
# (default 1,000 and 100,000; packed refs, annotated, one commit each):
#   - one new release tag at main's tip;
#   - 1,000 new release tags in one push, `--atomic` (one transaction) and not (one per ref);
#     at 100k tags git itself spends minutes on a push of 1,000 refspecs, hooks or not, so this
#     one tells little there (MANY=0 skips it).
#   Benchmarks/server-push.sh [N...]      environment: BENCH_DIR, RUNS (default 10)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 100000)
runs=${RUNS:-10}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
bin=$("$root/ci/build-release.sh")
export GIT_CONFIG_NOSYSTEM=1

for n in "${sizes[@]}"; do
    dir=${BENCH_DIR:-/tmp/release-guardian-bench}/server-push-$n
    export HOME=$dir/home
    if [[ ! -d $dir/work ]]; then
        mkdir -p "$dir/home"
        git init -q -b main "$dir/work"
        cd "$dir/work"
        git config user.name Bench && git config user.email bench@example.test
        {
            for ((i = 1; i <= n + 1001; i++)); do
                printf 'commit refs/heads/main\nmark :%d\ncommitter B <b@example.test> %d +0000\ndata 2\nc\n\n' "$i" $((1700000000 + i))
            done
            for ((i = 1; i <= n; i++)); do
                printf 'tag v1.%d.0\nfrom :%d\ntagger B <b@example.test> %d +0000\ndata 8\nrelease\n\n' "$((i - 1))" "$i" $((1700000000 + i))
            done
            # What the benchmark pushes: one tag, and 1,000 more, on the commits after.
            for ((i = 1; i <= 1001; i++)); do
                printf 'tag v1.%d.0\nfrom :%d\ntagger B <b@example.test> %d +0000\ndata 8\nrelease\n\n' "$((n + i - 1))" "$((n + i))" $((1800000000 + i))
            done
        } | git fast-import --quiet
        git reset -q --hard main
        # Both servers hold main (with every commit) and the first N tags, packed.
        for server in guarded plain; do
            git init -q --bare -b main "$dir/$server.git"
            git push -q --no-verify "$dir/$server.git" main 'refs/tags/*'
            git -C "$dir/$server.git" for-each-ref --format='delete %(refname)' 'refs/tags/*' | awk -F. -v n="$n" '$2 >= n' |
                git -C "$dir/$server.git" update-ref --stdin
            git -C "$dir/$server.git" pack-refs --all
        done
        "$bin" install --server --repo "$dir/guarded.git" >/dev/null
    fi
    cd "$dir/work"
    one="v1.$n.0"
    many=$(printf 'refs/tags/v1.%d.0 ' $(seq $((n + 1)) $((n + 1000))))
    # Removing what a run pushed, past the hooks (they refuse deleting release tags).
    reset="for s in guarded plain; do git -C $dir/\$s.git -c core.hooksPath=/dev/null for-each-ref --format='delete %(refname)' 'refs/tags/v1.*' | awk -F. '\$2 >= $n' | git -C $dir/\$s.git -c core.hooksPath=/dev/null update-ref --stdin; done"
    echo "$n tags:" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" --prepare "$reset" --export-markdown "$dir/one.md" \
        -n "guarded: push of one new tag" "git push -q $dir/guarded.git $one" \
        -n "no hooks: push of one new tag" "git push -q $dir/plain.git $one"
    [[ ${MANY:-1} == 0 ]] && { cat "$dir/one.md"; continue; }
    hyperfine --style basic --warmup 0 --runs 3 --prepare "$reset; git push -q --no-verify $dir/guarded.git $one; git push -q $dir/plain.git $one" \
        --export-markdown "$dir/many.md" \
        -n "guarded: 1,000 new tags, --atomic" "git push -q --atomic $dir/guarded.git $many" \
        -n "guarded: 1,000 new tags, not atomic" "git push -q $dir/guarded.git $many" \
        -n "no hooks: 1,000 new tags" "git push -q $dir/plain.git $many"
    cat "$dir/one.md" "$dir/many.md"
done
