/// `policy-file`: on a server, a push that changes main carries a `.release-guardian` that git
/// can read and whose values are valid, so a broken policy file never lands on main.
struct PolicyFileRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .server = context.vantage, update.kind == .mainBranch, let commit = update.newCommit else { return nil }
        do {
            _ = try Settings.committedFile(onBranch: context.settings.mainBranch, at: commit, in: context.repository)
            return nil
        } catch {
            return Violation(
                rule: .policyFile, ref: update.update.ref,
                message: "\(Settings.fileName) at \(commit.short) cannot be used: \(error)",
                fix:
                    "Fix \(Settings.fileName) (check it with `git config -f \(Settings.fileName) --list`), amend the commit and push again."
            )
        }
    }
}
