import Git

/// `maintenance-branch`: a maintenance branch (`release.maintenance` naming a line, such as
/// `release/v1.4`) vouches for hotfix tags that are not on main, so it is guarded like main: it
/// starts at a release tag of its line or at a commit of main, only moves forward, and is never
/// deleted (a hotfix tag may depend on it).
struct MaintenanceBranchRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .maintenanceBranch(let branch) = update.kind else { return nil }
        let name = update.shortName
        let ref = update.update.ref
        let main = RefName.short(context.settings.mainBranch)
        if update.update.isDeletion {
            return Violation(
                rule: .maintenanceBranch, ref: ref,
                message:
                    "this push deletes \(name), a maintenance branch of line \(branch.lineName): hotfix tags of that line may be on it only.",
                fix:
                    "Do not push the deletion: maintenance branches are kept. A branch that is not a maintenance branch needs a name outside release.maintenance."
            )
        }
        guard let new = update.newCommit else { return nil }
        if update.update.oldID != nil {
            let forward = try context.isFastForward(update)
            if forward.fastForward { return nil }
            return Violation(
                rule: .maintenanceBranch, ref: ref,
                message: forward.oldIsKnown
                    ? "this push rewrites \(name), a maintenance branch of line \(branch.lineName): its commits would be lost."
                    : "\(name) on the remote is at \(update.update.oldID!.short), a commit this repository does not have: this push would drop it.",
                fix:
                    "Integrate the remote's commits, then push without --force: `git pull --rebase \(shellQuoted(context.remoteName)) \(shellQuoted(name))`."
                    + context.shallowHint)
        }
        // A new maintenance branch starts where a release of its line was made, or on main.
        if try context.existingReleaseCommits(of: branch).contains(new) { return nil }
        if let head = try context.branchAfterPush(context.settings.mainBranch), try context.isAncestor(new, of: head.commit) { return nil }
        return Violation(
            rule: .maintenanceBranch, ref: ref,
            message:
                "\(name) would start at \(new.short), which is neither a release tag of line \(branch.lineName) nor a commit of \(main).",
            fix:
                "Start the maintenance branch at the release it maintains, e.g. `git branch \(shellQuoted(name)) \(shellQuoted("\(branch.component.prefix)\(branch.major).\(branch.minor?.description ?? "0").0^{commit}"))`, push it, then add the hotfix commits on it."
                + context.shallowHint)
    }
}
