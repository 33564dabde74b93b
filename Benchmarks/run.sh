#!/usr/bin/env bash
# Runs the benchmark suite: for repositories of 1k, 10k and 100k release tags (packed refs, over
# 20k commits), times release-guardian beside the plain git-CLI way of doing the same job
# (Benchmarks/baseline/), with hyperfine, and measures peak memory with /usr/bin/time.
# Writes Benchmarks/results/*.json and prints the Markdown tables of BENCHMARKS.md.
#   Benchmarks/run.sh [SIZE...]        e.g. Benchmarks/run.sh 1000 100000
# Environment: BENCH_DIR (where repositories are generated, default /tmp/release-guardian-bench),
# RUNS (hyperfine runs per command, default 30), SCENARIOS (the ones to run, e.g.
# SCENARIOS=revert-dry-run; default all: check-branch check-tag env ci revert-dry-run deploy-dry-run; the tables
# are made from every result in Benchmarks/results/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 10000 100000)
bench=${BENCH_DIR:-/tmp/release-guardian-bench}
runs=${RUNS:-30}
scenarios=" ${SCENARIOS:-check-branch check-tag env ci revert-dry-run deploy-dry-run} "
baseline=$root/Benchmarks/baseline
results=$root/Benchmarks/results
zero=0000000000000000000000000000000000000000

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[[ -x /usr/bin/time ]] || apt-get install -y -qq time
bin=$("$root/ci/build-release.sh")
mkdir -p "$results" "$bench"

# measure NAME SIZE OURS THEIRS: hyperfine both (medians), then peak RSS of one run each.
measure() {
    local name=$1 size=$2 ours=$3 theirs=$4
    [[ $scenarios == *" $name "* ]] || return 0
    hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$results/$name-$size.json" \
        -n release-guardian "$ours" -n baseline "$theirs" >/dev/null
    # Peak resident memory in KiB (the largest process of the command, children included).
    /usr/bin/time -f '%M' -o "$results/.ours" bash -c "$ours" >/dev/null 2>&1 || true
    /usr/bin/time -f '%M' -o "$results/.theirs" bash -c "$theirs" >/dev/null 2>&1 || true
    echo "{\"release-guardian\": $(tail -n1 "$results/.ours"), \"baseline\": $(tail -n1 "$results/.theirs")}" >"$results/$name-$size.memory.json"
    echo "  $name: done" >&2
}

for size in "${sizes[@]}"; do
    dir=$bench/$size
    [[ -d $dir/work ]] || "$root/Benchmarks/generate.sh" "$dir" "$size" >&2
    cd "$dir/work"
    echo "$size tags:" >&2
    head=$(git rev-parse HEAD)
    latest=$(git for-each-ref --sort=-v:refname --count=1 --format='%(refname:short)' 'refs/tags/v*')
    # The release before the latest that is on another commit (several tags share a commit).
    previous=$(git for-each-ref --sort=-v:refname --count=20 --format='%(refname:short) %(*objectname)' 'refs/tags/v*' |
        awk 'NR==1 {c=$2} $2 != c {print $1; exit}')
    IFS=. read -r major minor patch <<<"${latest#v}"
    next="v$major.$minor.$((patch + 1))"
    git tag -d "$next" >/dev/null 2>&1 || true
    git tag -a "$next" -m "Release $next" "$head"
    echo "refs/heads/feature $head refs/heads/feature $zero" >"$dir/feature.txt"
    echo "refs/tags/$next $(git rev-parse "$next") refs/tags/$next $zero" >"$dir/tag.txt"

    # A deploy remote on loopback for revert-to.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$dir" \
        --export-all --enable=receive-pack "$dir" >/dev/null 2>&1 &
    daemon=$!
    trap 'kill $daemon 2>/dev/null || true' EXIT
    sleep 0.5
    target="git://127.0.0.1:$port/prod.git"
    # A preprod target behind main, for deploy: it runs the release before the latest.
    if [[ ! -d $dir/preprod.git ]]; then
        git init -q --bare "$dir/preprod.git"
        git push -q "$dir/preprod.git" "$previous^{commit}:refs/heads/master"
    fi
    preprod="git://127.0.0.1:$port/preprod.git"
    printf '[environment "prod"]\n    target = %s master\n[environment "preprod"]\n    target = %s master\n' "$target" "$preprod" >.release-guardian
    # origin is reached over the network as a team's would be (libgit2's local transport reads
    # every tag object to advertise peeled values, which no real server makes it do).
    git remote set-url origin "git://127.0.0.1:$port/origin.git"

    measure check-branch "$size" "$bin check origin < $dir/feature.txt" "$baseline/pre-push origin < $dir/feature.txt"
    measure check-tag "$size" "$bin check origin < $dir/tag.txt" "$baseline/pre-push origin < $dir/tag.txt"
    measure env "$size" "$bin env $latest --format shell" "$baseline/env.sh $latest"
    measure ci "$size" "$bin ci --ref refs/tags/$latest" "$baseline/ci.sh refs/tags/$latest"
    measure revert-dry-run "$size" "$bin revert-to $previous --dry-run" "$baseline/revert-dry-run.sh $previous $target master"
    measure deploy-dry-run "$size" "$bin deploy main --dry-run" "$baseline/deploy-dry-run.sh $preprod master"

    kill "$daemon" 2>/dev/null || true
    trap - EXIT
    git remote set-url origin ../origin.git
    git tag -d "$next" >/dev/null
    rm -f .release-guardian
done
python3 "$root/Benchmarks/report.py" "$results"
