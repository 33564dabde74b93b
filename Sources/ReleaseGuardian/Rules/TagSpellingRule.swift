import Git

/// `tag-spelling`: one version, one tag. `1.2.3` or `V1.2.3` beside `v1.2.3` is refused.
struct TagSpellingRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard !update.update.isDeletion, case .tag(let name) = update.kind else { return nil }
        let tag = update.shortName
        guard let version = name.version ?? TagName.normalizedVersion(of: tag),
            let existing = try context.existingTags().otherSpelling(of: version, name: tag)
        else { return nil }
        return Violation(
            rule: .tagSpelling, ref: update.update.ref,
            message: "\(tag) spells version \(version), which is already tagged as \(existing.name).",
            fix:
                "Tag each version once: delete this one (`git tag -d \(shellQuoted(tag))`) and do not push it; \(existing.name) already marks \(version)."
        )
    }
}
