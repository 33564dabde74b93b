#!/usr/bin/env python3
"""Prints the shell script GitLab's runner runs for a job, for the tests:

    gitlab-job.py JOB FILE...

The job is looked up in the files (an `include`d template and the file that includes it), its
`extends` resolved as GitLab does (hashes merged, the job's own keys winning, lists replaced), and
its `variables` exported where the environment does not set them already (as project variables
win over a job's), and its `before_script` and `script` lines printed as one bash script that
stops at the first failing line, as the runner's shell does.
"""

import shlex
import sys

from ruamel.yaml import YAML


def merge(base, override):
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve(name, jobs):
    job = jobs[name]
    parents = job.get("extends", [])
    resolved = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        resolved = merge(resolved, resolve(parent, jobs))
    return merge(resolved, {key: value for key, value in job.items() if key != "extends"})


def main():
    name, files = sys.argv[1], sys.argv[2:]
    jobs = {}
    for path in files:
        with open(path) as file:
            jobs.update(YAML(typ="safe").load(file) or {})
    job = resolve(name, jobs)
    lines = ["set -eo pipefail"]
    # The job's variables, under those of the environment (project variables win over them).
    for key, value in (job.get("variables") or {}).items():
        lines.append(f'[ -n "${{{key}+set}}" ] || export {key}={shlex.quote(str(value))}')
    for key in ("before_script", "script"):
        lines += [str(line) for line in job.get(key, [])]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
