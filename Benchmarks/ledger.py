#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a deployment ledger on refs/release-guardian/ledger, as
release-guardian writes it (Sources/ReleaseGuardian/Revert/Ledger.swift): one commit per record,
its message the title, a blank line and the record's JSON (sorted keys, no spaces), with an empty
tree, each deployment an intent (`started`) then its outcome (`done`, or `failed`).

    Benchmarks/ledger.py RECORDS TAGS_FILE > stream

TAGS_FILE holds `TAG COMMIT` lines in version order (the releases that can be deployed). The
environments are preprod, staging and prod, each with two targets (`<env>-1 master`,
`<env>-2 master`); their last deployments put the newest release on every target.
"""
import json
import random
import sys
import uuid
from datetime import datetime, timezone

records, tags_file = int(sys.argv[1]), sys.argv[2]
releases = [line.split() for line in open(tags_file) if line.strip()]
rng = random.Random(10)
environments = ["preprod", "staging", "prod"]
people = [
    "Ana Ops <ana@example.test>",
    "Bo Deploy <bo@example.test>",
    "Chidi Release <chidi@example.test>",
    "Dana SRE <dana@example.test>",
    "release-bot <ci@example.test>",
]
reasons = [
    None,
    None,
    "checkout broken after the release (INC-{n})",
    "payment errors up 4x, rolling back (INC-{n})",
    "rehearsal of the prod rollback",
    "memory leak in the worker, see #{n}",
    'latency p99 > 2s on "search"; reverting',
]
start = 1_700_000_000
running = {env: None for env in environments}
out = sys.stdout
mark = 0


def commit(record, author, time):
    global mark
    mark += 1
    title = f"{record['action']} {record.get('tag') or record['commit']} on {record['environment']}: {record['outcome']}"
    message = f"{title}\n\n{json.dumps(record, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}\n".encode()
    name, email = author[: author.index(" <")], author[author.index("<") + 1 : -1]
    out.write(f"commit refs/release-guardian/ledger\nmark :{mark}\n")
    out.write(f"author {name} <{email}> {time} +0000\ncommitter {name} <{email}> {time} +0000\n")
    out.write(f"data {len(message)}\n")
    out.flush()
    out.buffer.write(message)
    if mark > 1:
        out.write(f"from :{mark - 1}\n")
    out.write("\n")


deployments = records // 2
for index in range(deployments):
    last = index >= deployments - len(environments)
    environment = environments[index % 3] if last else rng.choice(environments)
    # Releases go out in order over the ledger's life; one deployment in six goes back a few.
    position = index * (len(releases) - 1) // max(deployments - 1, 1)
    if not last and rng.random() < 1 / 6:
        position = max(0, position - rng.randint(1, 20))
    tag, target_commit = releases[-1] if last else releases[position]
    time = start + index * 3_600
    when = datetime.fromtimestamp(time, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = datetime.fromtimestamp(time, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    before = running[environment]
    who = rng.choice(people)
    reason = rng.choice(reasons)
    targets = [f"{environment}-{n} master" for n in (1, 2)]
    changing = before != target_commit
    record = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "outcome": "started",
        "action": "revert-to",
        "environment": environment,
        "ref": f"refs/tags/{tag}",
        "tag": tag,
        "version": tag[1:],
        "commit": target_commit,
        "targets": [
            {k: v for k, v in {"target": t, "before": before, "after": target_commit, "result": "planned" if changing else "already there"}.items() if v is not None}
            for t in targets
        ],
        "who": who,
        "when": when,
        "backups": [f"refs/release-guardian/backup/{environment}/{stamp}"] if changing and before else [],
        "checks": [],
        "migrations": [],
        "process": f"ci-runner-{rng.randint(1, 9)}:{rng.randint(1000, 65000)}",
    }
    if reason:
        record["reason"] = reason.format(n=rng.randint(100, 9999))
    commit(record, who, time)
    failed = not last and changing and rng.random() < 0.04
    record["outcome"] = "failed" if failed else "done"
    del record["process"]
    for n, entry in enumerate(record["targets"]):
        if entry["result"] == "planned":
            if failed:
                entry["result"] = "failed" if n == 0 else "not changed"
                if before:
                    entry["after"] = before
                else:
                    entry.pop("after", None)
            else:
                entry["result"] = "pushed"
    commit(record, who, time + rng.randint(5, 90))
    if not failed:
        running[environment] = target_commit
