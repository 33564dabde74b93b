/// `tag-annotated`: with `release.requireAnnotated = true`, release tags are annotated (they
/// record who released, when and why). Off by default: release-please's tags are lightweight.
struct TagAnnotatedRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard context.settings.requireAnnotated, !update.update.isDeletion,
            case .tag(.release) = update.kind, update.newCommit != nil, update.newObjectKind != .tag
        else { return nil }
        let tag = update.shortName
        return Violation(
            rule: .tagAnnotated, ref: update.update.ref,
            message: "\(tag) is a lightweight tag; release tags must be annotated (they record who released, when and why).",
            fix: "Annotate it: " + retag(tag, as: tag, update)
                + " Or set release.requireAnnotated = false in .release-guardian.")
    }
}
