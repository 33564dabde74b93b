#!/usr/bin/env bash
# One push of N new release tags (default 10,000), each annotated on its own new commit of main
# (v1.0.1…v1.0.N after v1.0.0), judged by `check` (the pre-push hook) and by
# `server-hook pre-receive`, beside the push itself done by git with no hook at all (the git-CLI
# way: `git push --no-verify` of the same refs to a fresh bare repository). The bash baseline
# hook of Benchmarks/baseline/pre-push cannot serve here: it judges each tag against every local
# tag, the other new ones included, so it refuses the first tag at once.
#   Benchmarks/many-tags.sh [N]      environment: BENCH_DIR, RUNS (default 10)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
runs=${RUNS:-10}
dir=${BENCH_DIR:-/tmp/release-guardian-bench}/many-tags-$n
zero=0000000000000000000000000000000000000000
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
bin=$("$root/ci/build-release.sh")
export GIT_CONFIG_NOSYSTEM=1 HOME=$dir/home

if [[ ! -d $dir/work ]]; then
    mkdir -p "$dir/home"
    git init -q --bare -b main "$dir/origin.git"
    git init -q -b main "$dir/work"
    cd "$dir/work"
    git config user.name Bench && git config user.email bench@example.test
    git commit -q --allow-empty -m first && git tag -a v1.0.0 -m v1.0.0
    git remote add origin ../origin.git && git push -q origin main v1.0.0
    base=$(git rev-parse main)
    {
        for ((i = 1; i <= n; i++)); do
            printf 'commit refs/heads/main\nmark :%d\ncommitter B <b@example.test> %d +0000\ndata 2\nc\n' "$i" $((1700000000 + i))
            ((i == 1)) && printf 'from %s\n' "$base"
            printf '\n'
        done
        for ((i = 1; i <= n; i++)); do
            printf 'tag v1.0.%d\nfrom :%d\ntagger B <b@example.test> %d +0000\ndata 8\nrelease\n\n' "$i" "$i" $((1700000000 + i))
        done
    } | git fast-import --quiet
    git reset -q --hard main
    # git's own hook input for `git push origin main --tags`, and the server's.
    { echo "refs/heads/main $(git rev-parse main) refs/heads/main $base"
      git for-each-ref --format="%(refname) %(objectname) %(refname) $zero" 'refs/tags/v1.0.*' | grep -v ' refs/tags/v1.0.0 '; } >"$dir/pre-push.txt"
    { echo "$base $(git rev-parse main) refs/heads/main"
      git for-each-ref --format="$zero %(objectname) %(refname)" 'refs/tags/v1.0.*' | grep -v 'refs/tags/v1.0.0$'; } >"$dir/pre-receive.txt"
    # The server side: a bare repository holding the pushed objects (as the quarantine would).
    git clone -q --mirror "$dir/work" "$dir/server.git"
fi
cd "$dir/work"
echo "$n tags: $(wc -l <"$dir/pre-push.txt") hook lines" >&2
"$bin" check origin <"$dir/pre-push.txt" || { echo "check refused the push" >&2; exit 1; }
(cd "$dir/server.git" && GIT_DIR=. "$bin" server-hook pre-receive <"$dir/pre-receive.txt") || { echo "pre-receive refused the push" >&2; exit 1; }
hyperfine --style basic --warmup 1 --runs "$runs" --export-markdown "$dir/result.md" \
    -n "check (pre-push)" "$bin check origin < $dir/pre-push.txt" \
    -n "server-hook pre-receive" "cd $dir/server.git && GIT_DIR=. $bin server-hook pre-receive < $dir/pre-receive.txt" \
    -n "git push --no-verify (no hook)" \
    --prepare "rm -rf $dir/target.git && git init -q --bare $dir/target.git" \
    "git push -q --no-verify $dir/target.git main 'refs/tags/*'"
cat "$dir/result.md"
