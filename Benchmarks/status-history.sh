#!/usr/bin/env bash
# `status` and `history` beside the git-CLI way, on the repository of Benchmarks/generate.sh
# (TAGS release tags, default 10,000, over 20,000 commits) with a deployment ledger of RECORDS
# records (default 10,000: 5,000 deployments, each an intent and its outcome, written by
# Benchmarks/ledger.py as release-guardian writes them) and 3 environments × 2 targets, bare
# repositories served by `git daemon` on loopback:
#   - `status` (every target read, the tags at each commit, the ledger's last records, the
#     warnings) against `git ls-remote` of each target alone (the slowest is the floor for a
#     parallel read), of the six in sequence, and of the six at once;
#   - `history --limit 20` and `history --json --limit RECORDS` (every deployment) against
#     `git log --format=%B` of the ledger (its last 40 commits, and all of it).
# Each command is timed with hyperfine (3 warm-up runs, RUNS runs, default 30; medians), then
# again with the commands run in turn, one run of each per round (Benchmarks/interleave.py: on a
# shared machine a burst of load lands on all of them alike), and its peak resident memory read
# with `/usr/bin/time -f %M`. Writes Benchmarks/results/status*.json and history*.json and
# prints the Markdown tables of BENCHMARKS.md.
#   Benchmarks/status-history.sh       environment: BENCH_DIR, RUNS, TAGS, RECORDS, and BIN (a
#                                      release-guardian binary to measure instead of building one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-30}
tags=${TAGS:-10000}
records=${RECORDS:-10000}
dir=${BENCH_DIR:-/tmp/release-guardian-bench}/status-history-$tags-$records
results=$root/Benchmarks/results
environments=(preprod staging prod)

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[[ -x /usr/bin/time ]] || apt-get install -y -qq time
bin=${BIN:-$("$root/ci/build-release.sh")}
mkdir -p "$results"

if [[ ! -f $dir/ready ]]; then
    "$root/Benchmarks/generate.sh" "$dir" "$tags" >&2
    cd "$dir/work"
    git for-each-ref --sort=v:refname --format='%(refname:short) %(*objectname)' 'refs/tags/v*' >"$dir/releases.txt"
    newest=$(tail -n1 "$dir/releases.txt" | cut -d' ' -f2)
    # Each target a bare repository of its own (the history through alternates), running the
    # newest release on master; in the clone, a remote of that name (its URL set at each run).
    for environment in "${environments[@]}"; do
        for n in 1 2; do
            target=$dir/targets/$environment-$n.git
            git init -q --bare -b master "$target"
            echo "$dir/work/.git/objects" >"$target/objects/info/alternates"
            git -C "$target" update-ref refs/heads/master "$newest"
            git remote add "$environment-$n" "$target"
        done
    done
    printf '[environment "preprod"]\n    target = preprod-1 master\n    target = preprod-2 master\n' >.release-guardian
    printf '[environment "staging"]\n    ref = release-tags\n    target = staging-1 master\n    target = staging-2 master\n' >>.release-guardian
    printf '[environment "prod"]\n    target = prod-1 master\n    target = prod-2 master\n' >>.release-guardian
    python3 "$root/Benchmarks/ledger.py" "$records" "$dir/releases.txt" | git fast-import --quiet
    echo "$dir: ledger of $(git rev-list --count refs/release-guardian/ledger) records" >&2
    touch "$dir/ready"
fi
export GIT_CONFIG_NOSYSTEM=1 HOME=$dir/home
mkdir -p "$HOME"
cd "$dir/work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$dir/targets" \
    --export-all "$dir/targets" >/dev/null 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null || true' EXIT
sleep 0.5
urls=()
for environment in "${environments[@]}"; do
    for n in 1 2; do
        git remote set-url "$environment-$n" "git://127.0.0.1:$port/$environment-$n.git"
        urls+=("git://127.0.0.1:$port/$environment-$n.git")
    done
done
"$bin" status >&2

# peak NAME COMMAND: peak resident memory in KiB (the largest process of the command).
peak() {
    /usr/bin/time -f '%M' -o "$results/.peak" bash -c "$2" >/dev/null 2>&1 || true
    echo "\"$1\": $(tail -n1 "$results/.peak")"
}

single=()
for url in "${urls[@]}"; do single+=(-n "git ls-remote ${url##*/}" "git ls-remote $url refs/heads/master"); done
sequence=$(printf 'git ls-remote %s refs/heads/master; ' "${urls[@]}")
parallel="$(printf 'git ls-remote %s refs/heads/master & ' "${urls[@]}") wait"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$results/status.json" \
    -n "release-guardian status" "$bin status" "${single[@]}" \
    -n "6 git ls-remote in sequence" "$sequence" -n "6 git ls-remote at once" "$parallel" >/dev/null
{
    echo "{"
    peak "release-guardian status" "$bin status"
    echo ","
    peak "git ls-remote ${urls[5]##*/}" "git ls-remote ${urls[5]} refs/heads/master"
    echo ","
    peak "6 git ls-remote in sequence" "$sequence"
    echo "}"
} >"$results/status.memory.json"
interleaved=("release-guardian status" "$bin status")
for url in "${urls[@]}"; do interleaved+=("git ls-remote ${url##*/}" "git ls-remote $url refs/heads/master"); done
python3 "$root/Benchmarks/interleave.py" "$runs" "$results/status.interleaved.json" "${interleaved[@]}"
echo "  status: done" >&2

hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$results/history.json" \
    -n "release-guardian history --limit 20" "$bin history --limit 20" \
    -n "release-guardian history --json --limit $records" "$bin history --json --limit $records" \
    -n "git log --format=%B -n 40 (the last 20 deployments)" "git log --format=%B -n 40 refs/release-guardian/ledger" \
    -n "git log --format=%B (the whole ledger)" "git log --format=%B refs/release-guardian/ledger" >/dev/null
{
    echo "{"
    peak "release-guardian history --limit 20" "$bin history --limit 20"
    echo ","
    peak "release-guardian history --json --limit $records" "$bin history --json --limit $records"
    echo ","
    peak "git log --format=%B (the whole ledger)" "git log --format=%B refs/release-guardian/ledger"
    echo "}"
} >"$results/history.memory.json"
python3 "$root/Benchmarks/interleave.py" "$runs" "$results/history.interleaved.json" \
    "release-guardian history --limit 20" "$bin history --limit 20" \
    "release-guardian history --json --limit $records" "$bin history --json --limit $records" \
    "git log --format=%B -n 40 (the last 20 deployments)" "git log --format=%B -n 40 refs/release-guardian/ledger" \
    "git log --format=%B (the whole ledger)" "git log --format=%B refs/release-guardian/ledger"
echo "  history: done" >&2
kill "$daemon" 2>/dev/null || true
trap - EXIT

python3 - "$results" <<'PY'
import json, pathlib, sys
results = pathlib.Path(sys.argv[1])
for name in ("status", "history"):
    timing = json.loads((results / f"{name}.json").read_text())["results"]
    memory = json.loads((results / f"{name}.memory.json").read_text())
    turns = json.loads((results / f"{name}.interleaved.json").read_text())
    print(f"| {name}: command | median (hyperfine) | median, in turn (CPU) | peak memory |")
    print("| --- | ---: | ---: | ---: |")
    for r in timing:
        peak = f"{memory[r['command']] / 1024:.1f} MiB" if r["command"] in memory else ""
        turn = turns.get(r["command"])
        turn = f"{turn['wall']:.1f} ms ({turn['cpu']:.1f})" if turn else ""
        print(f"| `{r['command']}` | {r['median'] * 1000:.1f} ms | {turn} | {peak} |")
    print()
for source, key in (("status.json", None), ("status.interleaved.json", "wall")):
    data = json.loads((results / source).read_text())
    medians = {r["command"]: r["median"] * 1000 for r in data["results"]} if key is None else {k: v[key] for k, v in data.items()}
    slowest = max((v, k) for k, v in medians.items() if k.startswith("git ls-remote "))
    ours = medians["release-guardian status"]
    print(f"status / slowest single git ls-remote ({slowest[1]}, {source}): {ours:.1f} / {slowest[0]:.1f} ms = {ours / slowest[0]:.2f}x")
PY
