import Git

/// `tag-format`: a version tag must be a strict release tag (`v` + SemVer, no build metadata), and
/// a look-alike of one is refused; a non-ASCII name only with `release.allowNonASCIITags`; with
/// `release.onlyVersionTags`, every tag must be a release tag. Floating tags (`v7`) are
/// `tag-floating`'s.
struct TagFormatRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) -> Violation? {
        guard !update.update.isDeletion, case .tag(let name) = update.kind else { return nil }
        let tag = update.shortName
        switch name {
        case .release, .floating:
            return nil
        case .malformedVersion(let reason, let suggestion):
            let component = context.settings.tagNaming.component(claiming: tag) ?? .plain
            let example = component.prefix + "1.0.0"
            var fix =
                suggestion.map { "Use the release tag \($0) instead: " + retag(tag, as: $0, update) }
                ?? "Delete it (`git tag -d \(shellQuoted(tag))`) and tag the release as \(component.prefix)MAJOR.MINOR.PATCH, e.g. `git tag -a \(shellQuoted(example)) -m \(shellQuoted("Release " + example))`."
            // `v7`, `v7.2`: the GitHub Actions convention, allowed once the team says so.
            if !context.settings.floatingTags, FloatingTag(tag.dropFirst(component.stem.count), component: component) != nil {
                fix +=
                    " If \(tag) is a floating tag, moved to each release of its line (the GitHub Actions convention: `uses: owner/action@\(tag)`), set release.floatingTags = true in .release-guardian: it may then point only at its line's highest release."
            }
            return Violation(
                rule: .tagFormat, ref: update.update.ref,
                message: "\(tag) looks like a version but is not a release tag: \(reason).", fix: fix)
        case .nonASCII(let reason):
            return Violation(
                rule: .tagFormat, ref: update.update.ref,
                message:
                    "\(tag) is not a plain ASCII tag name: \(reason). Such names look the same as others in every UI and are easy to mistype.",
                fix:
                    "Delete it (`git tag -d \(shellQuoted(tag))`) and tag with an ASCII name; or, if your team wants non-ASCII tag names (never for versions), set release.allowNonASCIITags = true in .release-guardian."
            )
        case .unversioned:
            return Violation(
                rule: .tagFormat, ref: update.update.ref,
                message: "\(tag) is not a release tag, and this repository allows only release tags (release.onlyVersionTags = true).",
                fix:
                    "Delete it (`git tag -d \(shellQuoted(tag))`) and do not push it, or set release.onlyVersionTags = false in .release-guardian."
            )
        }
    }
}

/// The commands that replace a local tag by another name on the same commit.
func retag(_ tag: String, as newName: String, _ update: GuardedUpdate) -> String {
    let commit = update.newCommit?.short ?? "<commit>"
    return
        "`git tag -d \(shellQuoted(tag)) && git tag -a \(shellQuoted(newName)) \(commit) -m \(shellQuoted("Release \(newName)"))`, then push \(newName)."
}
