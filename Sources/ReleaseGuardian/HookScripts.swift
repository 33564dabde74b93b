// The hook scripts `install` writes: the same text as `hooks/pre-push`, `hooks/pre-receive` and
// `hooks/reference-transaction` in this repository (a test keeps them equal).

extension Hook {
    static let prePushScript = #"""
        #!/bin/sh
        # release-guardian pre-push hook: refuses bad release tags and rewrites of main before they
        # leave this machine. Installed by `release-guardian install`, which writes the binary's path on
        # the next line; $RELEASE_GUARDIAN overrides it.
        release_guardian=release-guardian
        [ -n "${RELEASE_GUARDIAN:-}" ] && release_guardian=$RELEASE_GUARDIAN

        if ! command -v "$release_guardian" >/dev/null 2>&1; then
            echo "pre-push: '$release_guardian' not found; install release-guardian or set RELEASE_GUARDIAN. Push refused." >&2
            exit 1
        fi

        # git writes the refs to push on stdin once: keep them for the chained hook and for the check.
        input=$(cat)
        chained="$(dirname "$0")/pre-push.chained"
        if [ -x "$chained" ]; then
            printf '%s\n' "$input" | "$chained" "$@" || exit $?
        fi
        # No lines: git has nothing to push.
        [ -n "$input" ] || exit 0
        printf '%s\n' "$input" | "$release_guardian" check "$@"

        """#

    static let preReceiveScript = #"""
        #!/bin/sh
        # release-guardian pre-receive hook: applies the release rules to every push this repository
        # receives, whoever pushes and however (no --no-verify escape). Installed by
        # `release-guardian install --server`, which writes the binary's path on the next line;
        # $RELEASE_GUARDIAN overrides it.
        release_guardian=release-guardian
        [ -n "${RELEASE_GUARDIAN:-}" ] && release_guardian=$RELEASE_GUARDIAN

        if ! command -v "$release_guardian" >/dev/null 2>&1; then
            echo "pre-receive: '$release_guardian' not found; install release-guardian or set RELEASE_GUARDIAN. Push refused." >&2
            exit 1
        fi

        # git writes the updates on stdin once: keep them for the chained hook and for the check.
        input=$(cat)
        chained="$(dirname "$0")/pre-receive.chained"
        if [ -x "$chained" ]; then
            printf '%s\n' "$input" | "$chained" "$@" || exit $?
        fi
        printf '%s\n' "$input" | "$release_guardian" server-hook pre-receive

        """#

    static let referenceTransactionScript = #"""
        #!/bin/sh
        # release-guardian reference-transaction hook: when git has locked the refs of a push and is
        # about to write them ("prepared"), judges them again against the refs as they are then, so a
        # ref that pre-receive allowed on the strength of another update that then failed (a race with
        # another push) is not written. Installed by `release-guardian install --server`, which writes
        # the binary's path on the next line; $RELEASE_GUARDIAN overrides it.
        release_guardian=release-guardian
        [ -n "${RELEASE_GUARDIAN:-}" ] && release_guardian=$RELEASE_GUARDIAN

        # git writes the refs on stdin once: keep them for the chained hook and for the check.
        input=$(cat)
        chained="$(dirname "$0")/reference-transaction.chained"
        if [ -x "$chained" ]; then
            printf '%s\n' "$input" | "$chained" "$@" || exit $?
        fi
        # Only "prepared" can abort a transaction; "committed" and "aborted" release the lock that
        # "prepared" took for a guarded transaction, when there is one.
        if [ "$1" != prepared ]; then
            [ -e "${GIT_DIR:-.}/release-guardian.transaction.keeper" ] || exit 0
            printf '%s\n' "$input" | "$release_guardian" server-hook reference-transaction "$1"
            exit 0
        fi
        if ! command -v "$release_guardian" >/dev/null 2>&1; then
            echo "reference-transaction: '$release_guardian' not found; install release-guardian or set RELEASE_GUARDIAN. Update refused." >&2
            exit 1
        fi
        printf '%s\n' "$input" | "$release_guardian" server-hook reference-transaction "$1"

        """#
}

// What `install` writes or asks for when a hook manager runs the hooks: the same text as the
// README's "Hook managers" section shows (a test keeps them equal).

extension Hook {
    /// The lines `install` puts at the top of husky's `.husky/pre-push`: a file the team tracks,
    /// so the binary comes from PATH. git's stdin is read once, judged, then given back to the
    /// rest of the file (a here-document on the shell's own stdin).
    static let huskyLines = #"""
        # release-guardian pre-push hook: judges the refs this push writes (git's lines on stdin), then
        # gives them on to the rest of this file. Written by `release-guardian install`; keep it first.
        release_guardian_refs=$(cat)
        if [ -n "$release_guardian_refs" ]; then
            if ! command -v "${RELEASE_GUARDIAN:-release-guardian}" >/dev/null 2>&1; then
                echo "pre-push: '${RELEASE_GUARDIAN:-release-guardian}' not found; install release-guardian or set RELEASE_GUARDIAN. Push refused." >&2
                exit 1
            fi
            printf '%s\n' "$release_guardian_refs" | "${RELEASE_GUARDIAN:-release-guardian}" check "$@" || exit $?
            exec <<release_guardian_refs
        $release_guardian_refs
        release_guardian_refs
        fi
        # end of the release-guardian pre-push hook

        """#

    /// The end of `huskyLines`.
    static let huskyLinesEnd = "# end of the release-guardian pre-push hook\n"

    /// What lefthook's configuration needs under `pre-push:`: a script (lefthook skips a
    /// `commands:` entry when no file changes, as in a push of tags only) that gets git's stdin.
    static let lefthookConfiguration = #"""
        pre-push:
          scripts:
            "release-guardian.sh":
              runner: sh
              use_stdin: true

        """#

    /// The script `lefthookConfiguration` names, in `.lefthook/pre-push/`.
    static let lefthookScript = #"""
        #!/bin/sh
        # release-guardian judges the refs git pushes: lefthook gives git's stdin to this script
        # (use_stdin: true in lefthook.yml; to one script only, so to no other of pre-push).
        exec "${RELEASE_GUARDIAN:-release-guardian}" check "$@"

        """#
}
