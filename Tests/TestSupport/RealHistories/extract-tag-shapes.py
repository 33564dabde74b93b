#!/usr/bin/env python3
"""Reads the shapes of a repository's tags for RealHistory (Tests/TestSupport/RealHistory.swift).

Usage: extract-tag-shapes.py REPOSITORY NAME MAIN [BRANCH...] > NAME.tags

Only names, kinds, dates and which branch each tagged commit is on are read: no file, message or
author. BRANCHes are the branches other than MAIN that hold tagged commits, most telling first
(a commit on several of them is placed on the first).
"""
import subprocess
import sys


def git(repository, *arguments):
    return subprocess.run(["git", "-C", repository, *arguments], check=True, capture_output=True, text=True).stdout


def is_ancestor(repository, ancestor, commit):
    return subprocess.run(["git", "-C", repository, "merge-base", "--is-ancestor", ancestor, commit]).returncode == 0


def main():
    repository, name, main_branch, branches = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    fields = "%(refname:short) %(objecttype) %(creatordate:unix) %(*objectname)%(objectname) %(*committerdate:unix)%(committerdate:unix)"
    tags = []
    for line in git(repository, "for-each-ref", "--format=" + fields, "refs/tags").splitlines():
        tag, kind, made, objects, committed = line.split()
        # An annotated tag prints its commit then itself: the commit is the first 40; one of the
        # two dates is empty.
        tags.append((int(made), tag, "a" if kind == "tag" else "l", objects[:40], int(committed)))
    tags.sort()
    placed = {}  # commit -> the first tag listed on it
    lines = []
    on_branch = {branch: [] for branch in branches}
    for made, tag, kind, commit, committed in tags:
        if commit in placed:
            where = "=" + placed[commit]
        elif is_ancestor(repository, commit, main_branch):
            where = main_branch
        else:
            where = next((b for b in branches if is_ancestor(repository, commit, b)), "-")
            if where != "-":
                on_branch[where].append((tag, commit))
        placed.setdefault(commit, tag)
        lines.append(f"{tag} {kind} {made} {committed} {where}")
    head = git(repository, "rev-parse", main_branch).strip()
    print(f"# {name}: the shapes of its {len(tags)} tags, in the order they were made, read from {main_branch} at {head}")
    print("# by extract-tag-shapes.py (names, kinds, dates and branches only). Lines:")
    print("#   branch NAME from TAG      a branch that starts at TAG's commit (TAG is listed before its own tags)")
    print("#   TAG KIND MADE COMMITTED ON  KIND l lightweight or a annotated; MADE when the tag was made (tagger date,")
    print("#   or commit date), COMMITTED its commit's date (unix seconds); ON the branch its new commit goes on")
    print("#   (- on no branch, as a deleted branch leaves it), or =TAG: the commit of a tag listed before.")
    order = [line.split()[0] for line in lines]
    for branch in branches:
        own = on_branch[branch]
        first = order.index(own[0][0]) if own else len(order)
        target = own[0][1] + "^" if own else branch
        fork = None
        for made, tag, kind, commit, committed in tags[:first]:
            if not any(tag == t for t, _ in own) and is_ancestor(repository, commit, target):
                fork = tag
        print(f"branch {branch} from {fork}")
    print("\n".join(lines))


main()
