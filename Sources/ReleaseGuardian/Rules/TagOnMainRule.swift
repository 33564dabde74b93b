import Git

/// `tag-on-main`: a release tag's commit is on the main branch as it will be after this push, or
/// on a maintenance branch (`release.maintenance`, default `release/v*`) for a hotfix.
struct TagOnMainRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .tag(.release(let version)) = update.kind, let commit = update.newCommit else { return nil }
        let main = context.settings.mainBranch
        let mainName = main.dropFirst("refs/heads/".count)
        if try context.branchValueAfterPush(main)?.id == commit { return nil }  // tagged at main's tip
        let head = try context.branchAfterPush(main)
        if let head, try context.isAncestor(commit, of: head.commit) { return nil }
        for branch in try context.maintenanceBranchesAfterPush() where try context.isAncestor(commit, of: branch.commit) {
            return nil
        }
        let tag = update.shortName
        let remote = context.remoteName
        let whereMain = head.map { "\(mainName) is at \($0.commit.short), from \($0.source)" } ?? "\(mainName) does not exist"
        return Violation(
            rule: .tagOnMain, ref: update.update.ref,
            message: "\(tag) (\(commit.short)) is not on \(mainName) as it will be after this push (\(whereMain)), nor on a maintenance branch (\(context.settings.maintenanceBranches.dropFirst("refs/heads/".count))).",
            fix: "Merge the commit into \(mainName) and push both together: `git push --follow-tags \(shellQuoted(remote)) \(shellQuoted(String(mainName)))`; or tag a commit of \(mainName). For a hotfix of an older line, push its maintenance branch with the tag: `git push \(shellQuoted(remote)) \(shellQuoted("release/v\(version.line)")) \(shellQuoted(tag))`." + context.shallowHint)
    }
}
