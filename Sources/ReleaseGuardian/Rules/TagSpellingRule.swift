import Git

/// `tag-spelling`: one version, one tag. `1.2.3` or `V1.2.3` beside `v1.2.3` is refused (and
/// `google-gax-V5.0.4` beside `google-gax-v5.0.4`).
struct TagSpellingRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard !update.update.isDeletion, case .tag = update.kind, let (component, version) = update.spelled,
            let existing = try context.existingTags(of: component).otherSpelling(of: version, name: update.shortName)
        else { return nil }
        let tag = update.shortName
        return Violation(
            rule: .tagSpelling, ref: update.update.ref,
            message: "\(tag) spells version \(version)\(component.ofComponent), which is already tagged as \(existing.name).",
            fix:
                "Tag each version once: delete this one (`git tag -d \(shellQuoted(tag))`) and do not push it; \(existing.name) already marks \(version)."
        )
    }
}
