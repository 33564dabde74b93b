#!/usr/bin/env python3
"""Runs commands in turn, one run of each per round, spawned directly (no shell), and writes the
median wall time and CPU time (user + system) of each: on a shared machine a burst of load then
lands on every command alike, where hyperfine's back-to-back runs put it on one.

    Benchmarks/interleave.py RUNS OUT.json NAME 'COMMAND ARG...' [NAME 'COMMAND ARG...' ...]

COMMAND is split as a shell would split it (shlex), never run through one; its output is
discarded. A command that exits non-zero stops the measurement.
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

runs, out = int(sys.argv[1]), sys.argv[2]
pairs = sys.argv[3:]
commands = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
wall = {name: [] for name, _ in commands}
cpu = {name: [] for name, _ in commands}
with open(os.devnull, "wb") as null:
    for round_ in range(runs + 1):
        for name, argv in commands:
            start = time.perf_counter()
            process = subprocess.Popen(argv, stdout=null, stderr=null)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                sys.exit(f"{name}: exit {process.returncode}")
            if round_ > 0:  # the first round warms the caches
                wall[name].append(elapsed * 1000)
                cpu[name].append((usage.ru_utime + usage.ru_stime) * 1000)
result = {name: {"wall": statistics.median(wall[name]), "cpu": statistics.median(cpu[name]), "runs": runs} for name, _ in commands}
with open(out, "w") as file:
    json.dump(result, file, indent=1)
for name, value in result.items():
    print(f"  {name}: {value['wall']:.1f} ms ({value['cpu']:.1f} ms CPU)", file=sys.stderr)
