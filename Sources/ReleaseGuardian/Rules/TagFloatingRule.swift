import Git

/// `tag-floating` (`release.floatingTags`): a floating tag (`v7`, `v7.2`, a component's
/// `google-gax-v5`) points at the commit of its line's highest final release as this push leaves
/// it, never moves backwards, and is never deleted: workflows that use `owner/action@v7` would
/// break. Lightweight or annotated, either is fine.
struct TagFloatingRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard let floating = update.floatingTag else { return nil }
        let tag = update.shortName
        let ref = update.update.ref
        let line = floating.lineName + floating.component.ofComponent
        let tags = try context.existingTags(of: floating.component)
        let top: ReleaseTagIndex.Entry? =
            if let minor = floating.minor {
                tags.highestFinal(inLine: SemanticVersion.Line(major: floating.major, minor: minor))
            } else {
                tags.highestFinal(inMajor: floating.major)
            }
        let topCommit = try top.flatMap { entry throws(PolicyError) in try context.tagCommitAfterPush(entry.name) }
        /// The commands that point the tag at its line's highest release.
        func moveTo(_ release: String) -> String {
            "`git tag -f \(shellQuoted(tag)) \(shellQuoted(release + "^{commit}")) && git push --force \(shellQuoted(context.remoteName)) \(shellQuoted(ref))`"
        }
        if update.update.isDeletion {
            return Violation(
                rule: .tagFloating, ref: ref,
                message:
                    "this push deletes the floating tag \(tag); every workflow and script that uses it (`uses: owner/action@\(tag)`) would break.",
                fix:
                    "Do not push the deletion (`git push \(shellQuoted(context.remoteName)) \(shellQuoted(":" + ref))` or `--delete`): floating tags stay and only move forward"
                    + (top.map { ", to their line's highest release: " + moveTo($0.name) } ?? ".")
            )
        }
        guard let new = update.newCommit else { return nil }  // tag-target's
        // Backwards: workflows pinned to the tag would silently get older code.
        if let old = update.update.oldID, try context.contains(old), let oldCommit = try context.peeledCommit(old, ref: ref),
            oldCommit != new, try context.isAncestor(new, of: oldCommit)
        {
            return Violation(
                rule: .tagFloating, ref: ref,
                message:
                    "this push moves the floating tag \(tag) backwards, from \(oldCommit.short) to \(new.short), an ancestor: a floating tag only moves forward, or its users would silently get older code.",
                fix:
                    "Restore your copy: `git tag -d \(shellQuoted(tag)) && git fetch \(shellQuoted(context.remoteName)) tag \(shellQuoted(tag))`. To undo a bad release, release a fix as the next version and move \(tag) to it."
            )
        }
        guard let top, let topCommit else {
            let first = floating.component.tagName(SemanticVersion(major: floating.major, minor: floating.minor ?? .zero, patch: .zero))
            return Violation(
                rule: .tagFloating, ref: ref,
                message:
                    "\(tag) names line \(line), which has no final release (a pre-release does not count): a floating tag follows the highest release of its line.",
                fix:
                    "Release the line first (e.g. `git tag -a \(shellQuoted(first)) -m \(shellQuoted("Release " + first))`), then point \(tag) at it: "
                    + "`git tag -f \(shellQuoted(tag)) \(shellQuoted(first + "^{commit}"))`, and push both.")
        }
        if new == topCommit { return nil }
        // Say so when the commit is a pre-release's: the likeliest mistake.
        let highest: ReleaseTagIndex.Entry? =
            if let minor = floating.minor {
                tags.highest(inLine: SemanticVersion.Line(major: floating.major, minor: minor))
            } else {
                tags.highest(inMajor: floating.major)
            }
        var preRelease = ""
        if let highest, highest.version.isPrerelease, try context.tagCommitAfterPush(highest.name) == new {
            preRelease = " \(new.short) is \(highest.name), a pre-release: floating tags never point at one."
        }
        return Violation(
            rule: .tagFloating, ref: ref,
            message:
                "\(tag) would point at \(new.short), but the highest release of line \(line) is \(top.name) (\(topCommit.short)) as this push leaves it: a floating tag points only at that commit."
                + preRelease,
            fix: "Point it at \(top.name): " + moveTo(top.name)
                + ". If this push also creates the release it should follow, push them with `git push --atomic`, or the release first: otherwise git writes the floating tag first, before its release exists."
        )
    }
}
