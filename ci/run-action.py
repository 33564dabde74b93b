#!/usr/bin/env python3
"""Runs a composite GitHub action's steps on this machine, as the runner would, for the tests.

    run-action.py ACTION_YML --cache DIR [--input NAME=VALUE]... [--temp DIR]

What it plays: the inputs (given, else their defaults), each step's `env`, `working-directory`,
`if:`, `$GITHUB_OUTPUT` read back into `steps.<id>.outputs`, the action's `outputs`, bash steps run
with `bash --noprofile --norc -eo pipefail` as GitHub runs `shell: bash`, and `actions/cache`
played by DIR: an exact key restores its copy (`cache-hit` is 'true'), a miss saves the path after
the last step when every step succeeded, as the action's post step does. The expressions are the
few the templates use (contexts, 'strings', ==, != and && — strings compared ignoring case, as
GitHub does); anything else stops with exit 3, so a template this cannot play is never passed.

Prints one JSON object on stdout: the action's outputs, which steps ran, what the cache did.
Exits with the status of the step that failed, else 0. The steps' own output goes to stderr.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ruamel.yaml import YAML


class Unsupported(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--temp")
    arguments = parser.parse_args()

    action_path = os.path.dirname(os.path.abspath(arguments.action))
    with open(arguments.action) as file:
        action = YAML(typ="safe").load(file)
    if action["runs"]["using"] != "composite":
        raise Unsupported("only composite actions")

    inputs = {name: str(spec.get("default", "")) for name, spec in (action.get("inputs") or {}).items()}
    for given in arguments.input:
        name, _, value = given.partition("=")
        if name not in inputs:
            raise Unsupported(f"the action has no input {name}")
        inputs[name] = value
    temp = arguments.temp or tempfile.mkdtemp()
    context = {
        "github": {"action_path": action_path, "workspace": os.getcwd()},
        "inputs": inputs,
        "runner": {"temp": temp, "os": "Linux", "arch": "X64"},
        "steps": {},
    }
    base_environment = dict(os.environ)
    base_environment.update(
        GITHUB_ACTION_PATH=action_path, GITHUB_WORKSPACE=os.getcwd(), RUNNER_TEMP=temp, RUNNER_OS="Linux",
        RUNNER_ARCH="X64")

    ran, saves, cache_events, failure = [], [], [], 0
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("id") or step.get("name") or f"step {index}"
        if failure or not condition(step.get("if"), context):
            continue
        ran.append(name)
        outputs = {}
        if "uses" in step:
            uses = step["uses"]
            if not uses.startswith("actions/cache@"):
                raise Unsupported(f"uses: {uses}")
            options = {key: expand(str(value), context) for key, value in step.get("with", {}).items()}
            stored = os.path.join(arguments.cache, options["key"])
            if os.path.isdir(stored):
                copy(stored, options["path"])
                outputs["cache-hit"] = "true"
                cache_events.append("hit")
            else:
                outputs["cache-hit"] = "false"
                cache_events.append("miss")
                saves.append((options["path"], stored))
        else:
            if step.get("shell") != "bash":
                raise Unsupported(f"shell: {step.get('shell')}")
            environment = dict(base_environment)
            environment.update({key: expand(str(value), context) for key, value in (step.get("env") or {}).items()})
            output_file = os.path.join(temp, f"output-{index}")
            open(output_file, "w").close()
            environment["GITHUB_OUTPUT"] = output_file
            directory = expand(step.get("working-directory", os.getcwd()), context)
            script = os.path.join(temp, f"step-{index}.sh")
            with open(script, "w") as file:
                file.write(step["run"])
            status = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=directory, env=environment,
                stdout=sys.stderr).returncode
            outputs = read_outputs(output_file)
            if status != 0:
                print(f"run-action: step {name} failed with exit {status}", file=sys.stderr)
                failure = status
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs}

    if not failure:
        for path, stored in saves:
            if os.path.exists(path):
                copy(path, stored)
                cache_events.append("saved")
    result = {
        "outputs": {name: expand(str(spec["value"]), context) for name, spec in (action.get("outputs") or {}).items()},
        "ran": ran,
        "cache": cache_events,
    }
    print(json.dumps(result, sort_keys=True))
    return failure


def copy(source, destination):
    if os.path.exists(destination):
        shutil.rmtree(destination)
    shutil.copytree(source, destination, symlinks=True)


def read_outputs(path):
    """`name=value` lines and `name<<DELIMITER` blocks, as GitHub reads $GITHUB_OUTPUT."""
    outputs, lines = {}, open(path).read().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            index += 1
            while lines[index] != delimiter:
                value.append(lines[index])
                index += 1
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        index += 1
    return outputs


TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<operator>==|!=|&&)|(?P<path>[A-Za-z_][\w.-]*))")


def evaluate(expression, context):
    tokens, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if not match:
            raise Unsupported(f"expression: {expression}")
        tokens.append(match)
        position = match.end()

    def operand(token):
        if token.group("string") is not None:
            return token.group("string")[1:-1].replace("''", "'")
        if token.group("path") is not None:
            value = context
            for part in token.group("path").split("."):
                if not isinstance(value, dict):
                    raise Unsupported(f"expression: {expression}")
                value = value.get(part, "")
            if isinstance(value, dict):
                raise Unsupported(f"expression: {expression}")
            return value
        raise Unsupported(f"expression: {expression}")

    # a (op b)? (&& a (op b)?)*
    clauses, current = [], []
    for token in tokens:
        if token.group("operator") == "&&":
            clauses.append(current)
            current = []
        else:
            current.append(token)
    clauses.append(current)
    values = []
    for clause in clauses:
        if len(clause) == 1:
            values.append(operand(clause[0]))
        elif len(clause) == 3 and clause[1].group("operator") in ("==", "!="):
            equal = str(operand(clause[0])).lower() == str(operand(clause[2])).lower()
            values.append(equal if clause[1].group("operator") == "==" else not equal)
        else:
            raise Unsupported(f"expression: {expression}")
    if len(values) == 1:
        return values[0]
    return all(bool(value) for value in values)


def expand(text, context):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda match: str(evaluate(match.group(1), context)), text)


def condition(text, context):
    if text is None:
        return True
    text = str(text).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return bool(evaluate(text, context))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Unsupported as error:
        print(f"run-action: cannot play this action: {error}", file=sys.stderr)
        sys.exit(3)
