#!/usr/bin/env bash
# Generates a benchmark repository: COMMITS commits on main and TAGS annotated release tags
# (v0.0.0 upwards, in commit order, packed refs), a bare origin holding the same, and a prod deploy
# repository running the last release.
#   Benchmarks/generate.sh DIR TAGS [COMMITS]
set -euo pipefail
dir=$1 tags=$2 commits=${3:-20000}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.test GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.test

git init -q -b main work
# One fast-import stream: the commits, then the tags spread evenly over them.
python3 - "$tags" "$commits" <<'PY' | git -C work fast-import --quiet
import sys
tags, commits = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
t = 1700000000
for i in range(1, commits + 1):
    msg = f"commit {i}\n".encode()
    out.write(f"commit refs/heads/main\nmark :{i}\ncommitter Bench <bench@example.test> {t + i} +0000\ndata {len(msg)}\n")
    out.write(msg.decode())
    if i > 1:
        out.write(f"from :{i - 1}\n")
    out.write(f"M 644 inline file.txt\ndata {len(msg)}\n{msg.decode()}\n")
for n in range(tags):
    major, minor, patch = n // 10000, (n // 100) % 100, n % 100
    mark = 1 + n * commits // tags
    msg = f"Release v{major}.{minor}.{patch}\n"
    out.write(f"tag v{major}.{minor}.{patch}\nfrom :{mark}\ntagger Bench <bench@example.test> {t + mark} +0000\ndata {len(msg)}\n{msg}\n")
PY
git -C work pack-refs --all
git -C work checkout -q main
git clone -q --bare work origin.git
git -C work remote add origin ../origin.git
git -C work fetch -q origin
git init -q --bare -b master prod.git
last=$(git -C work for-each-ref --sort=-v:refname --count=1 --format="%(refname:short)" refs/tags)
git -C work push -q ../prod.git "$last^{commit}:refs/heads/master"
echo "$dir: $(git -C work rev-list --count main) commits, $(git -C work tag | wc -l) tags, prod runs $last"
