#!/usr/bin/env python3
"""Turns Benchmarks/results/*.json into the Markdown tables of BENCHMARKS.md."""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "results")
scenarios = [
    ("check-branch", "`check`, push of a feature branch"),
    ("check-tag", "`check`, push of a new release tag on main"),
    ("env", "`env TAG --format shell`"),
    ("ci", "`ci --ref refs/tags/TAG`"),
    ("revert-dry-run", "`revert-to PREVIOUS --dry-run` (git daemon remote)"),
    ("deploy-dry-run", "`deploy main --dry-run` (git daemon remote)"),
]
sizes = sorted({int(p.name.split("-")[-1].split(".")[0]) for p in results.glob("*.json") if "memory" not in p.name})


def load(name, size):
    timing = results / f"{name}-{size}.json"
    memory = results / f"{name}-{size}.memory.json"
    if not timing.exists():
        return None
    data = {r["command"]: r for r in json.loads(timing.read_text())["results"]}
    peak = json.loads(memory.read_text()) if memory.exists() else {}
    return {
        who: (data[who]["median"] * 1000, peak.get(who, 0) / 1024)
        for who in ("release-guardian", "baseline")
    }


print("| scenario | tags | release-guardian median | baseline median | speed-up | release-guardian peak | baseline peak |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, label in scenarios:
    for size in sizes:
        row = load(name, size)
        if row is None:
            continue
        (ours, our_mem), (theirs, their_mem) = row["release-guardian"], row["baseline"]
        print(f"| {label} | {size:,} | {ours:.1f} ms | {theirs:.1f} ms | {theirs / ours:.1f}× | {our_mem:.1f} MiB | {their_mem:.1f} MiB |")

print()
print("| scenario | release-guardian at the largest / smallest size | baseline |")
print("| --- | ---: | ---: |")
for name, label in scenarios:
    small, large = load(name, sizes[0]) if sizes else None, load(name, sizes[-1]) if sizes else None
    if small and large and sizes[0] != sizes[-1]:
        growth = large["release-guardian"][0] / small["release-guardian"][0]
        base = large["baseline"][0] / small["baseline"][0]
        print(f"| {label} | {growth:.2f}× | {base:.2f}× |")
