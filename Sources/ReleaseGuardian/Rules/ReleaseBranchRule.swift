import Git

/// `release-branch`: a rollback branch `release/vX.Y.Z` holds exactly tag `vX.Y.Z`'s commit.
struct ReleaseBranchRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .releaseBranch(let tag) = update.kind, !update.update.isDeletion else { return nil }
        let branch = update.shortName
        let tagCommit = try context.tagCommitAfterPush(tag)
        guard tagCommit == nil || tagCommit != update.newCommit else { return nil }
        let message =
            tagCommit.map {
                "\(branch) points at \(update.newCommit?.short ?? "a non-commit"), but \(tag) is \($0.short); a release/vX.Y.Z branch holds exactly its tag's commit."
            } ?? "\(branch) is a rollback branch, but the tag \(tag) does not exist."
        let fix =
            tagCommit == nil
            ? "Create and push the tag first, or name a maintenance branch release/vMAJOR.MINOR."
            : "Reset it to the tag: `git branch -f \(shellQuoted(branch)) \(shellQuoted(tag + "^{commit}"))` and push it; maintenance work goes on a release/vMAJOR.MINOR branch."
        return Violation(rule: .releaseBranch, ref: update.update.ref, message: message, fix: fix)
    }
}
