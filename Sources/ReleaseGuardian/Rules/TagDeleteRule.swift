import Git

/// `tag-delete`: release tags are never deleted: what was deployed must stay traceable.
struct TagDeleteRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard update.update.isDeletion, case .tag(.release) = update.kind else { return nil }
        let tag = update.shortName
        let remote = context.remoteName
        return Violation(
            rule: .tagDelete, ref: update.update.ref,
            message: "this push deletes the release tag \(tag); release tags are never deleted.",
            fix:
                "Do not push the deletion (`git push \(shellQuoted(remote)) \(shellQuoted(":refs/tags/" + tag))` or `--delete`). If the release is bad, release a fix as the next version."
        )
    }
}
