import Git

/// `main-force`: the main branch only moves forward; a rewrite would drop deployed commits.
struct MainForceRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard update.kind == .mainBranch, let old = update.update.oldID, let new = update.newCommit else { return nil }
        let branch = update.shortName
        let remote = context.remoteName
        let fix =
            "Integrate the remote's commits, then push without --force: `git pull --rebase \(shellQuoted(remote)) \(shellQuoted(branch))` (or `git fetch \(shellQuoted(remote)) && git rebase \(shellQuoted(remote + "/" + branch))`)."
            + context.shallowHint
        let forward = try context.isFastForward(update)
        if forward.fastForward { return nil }
        guard forward.oldIsKnown else {
            return Violation(
                rule: .mainForce, ref: update.update.ref,
                message: "\(branch) on the remote is at \(old.short), a commit this repository does not have: this push would drop it.",
                fix: fix)
        }
        return Violation(
            rule: .mainForce, ref: update.update.ref,
            message:
                "this push rewrites \(branch): \(old.short) is not an ancestor of \(new.short), so the commits after their common base would be lost.",
            fix: fix)
    }
}
