import Git

/// `tag-target`: a guarded tag must peel to a commit (not a tree or a blob).
struct TagTargetRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard !update.update.isDeletion, case .tag = update.kind, update.newCommit == nil else { return nil }
        let tag = update.shortName
        let kind = update.newObjectKind.map { "\($0)" } ?? "object"
        return Violation(
            rule: .tagTarget, ref: update.update.ref,
            message: "\(tag) points at a \(kind), not a commit: nothing could be deployed from it.",
            fix:
                "Re-create it on a commit: `git tag -d \(shellQuoted(tag)) && git tag -a \(shellQuoted(tag)) <commit> -m \(shellQuoted("Release \(tag)"))`."
        )
    }
}
