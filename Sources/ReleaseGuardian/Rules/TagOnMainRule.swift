import Git

/// `tag-on-main`: a release tag's commit is on the main branch as it will be after this push, or,
/// for a hotfix, on a maintenance branch of the tag's line that existed before this push.
struct TagOnMainRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .tag(.release(let version)) = update.kind, let commit = update.newCommit else { return nil }
        let main = context.settings.mainBranch
        let mainName = RefName.short(main)
        if try context.branchValueAfterPush(main)?.id == commit { return nil }  // tagged at main's tip
        let head = try context.branchAfterPush(main)
        if let head, try context.isAncestor(commit, of: head.commit) { return nil }
        let tags = try context.existingTags()
        for branch in try context.maintenanceBranchesAfterPush()
        where !branch.isNew && branch.branch.vouchesFor(version, existing: tags) {
            if try context.isAncestor(commit, of: branch.commit) { return nil }
        }
        let tag = update.shortName
        let remote = context.remoteName
        let whereMain = head.map { "\(mainName) is at \($0.commit.short), from \($0.source)" } ?? "\(mainName) does not exist"
        return Violation(
            rule: .tagOnMain, ref: update.update.ref,
            message:
                "\(tag) (\(commit.short)) is not on \(mainName) as it will be after this push (\(whereMain)), nor on a maintenance branch of line \(version.line) that existed before it (\(context.settings.maintenanceBranches.map(RefName.short).joined(separator: ", "))); a branch counts only for hotfixes of the line it names, once pushed).",
            fix:
                "Merge the commit into \(mainName) and push both together: `git push --follow-tags \(shellQuoted(remote)) \(shellQuoted(String(mainName)))`; or tag a commit of \(mainName). For a hotfix of a released line, push its maintenance branch first (`git push \(shellQuoted(remote)) \(shellQuoted("release/v\(version.line)"))`, started at that line's release), then the tag: `git push \(shellQuoted(remote)) \(shellQuoted(tag))`."
                + context.shallowHint)
    }
}
