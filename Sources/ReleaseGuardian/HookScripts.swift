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
