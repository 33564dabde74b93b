import Git

/// `tag-immutable`: a release tag that exists on the remote never moves to another object.
struct TagImmutableRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard case .tag(.release) = update.kind, let old = update.update.oldID, let new = update.update.newID,
            old != new
        else { return nil }
        let tag = update.shortName
        let remote = context.remoteName
        return Violation(
            rule: .tagImmutable, ref: update.update.ref,
            message: "\(tag) already exists at \(old.short); a release tag never moves (this push would point it at \(new.short)).",
            fix:
                "Restore your copy of the released tag: `git tag -d \(shellQuoted(tag)) && git fetch \(shellQuoted(remote)) tag \(shellQuoted(tag))`. Ship the change as the next version instead."
        )
    }
}
