/// `tag-skip`: no version is skipped (`v1.2.3` → `v1.2.5`, `v1.2.3` → `v1.30.0`). Only final
/// releases count; `release.allowSkip = true` turns the rule off. The first release (of each
/// component) is free.
struct TagSkipRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard !context.settings.allowSkip, let (version, component) = update.newRelease else { return nil }
        typealias Number = SemanticVersion.Numeric
        let tags = try context.existingTags(of: component)
        let of = component.ofComponent
        let expected: SemanticVersion
        let after: String
        if let top = tags.highestFinal(inLine: version.line) {
            guard Number.compare(version.patch, top.version.patch.successor) > 0 else { return nil }
            expected = SemanticVersion(major: version.major, minor: version.minor, patch: top.version.patch.successor)
            after = "\(top.name), the next version of line \(version.line)\(of)"
        } else if let top = tags.highestFinal(inMajor: version.major) {
            let nextMinor = top.version.minor.successor
            let order = Number.compare(version.minor, nextMinor)
            guard order > 0 || (order == 0 && version.patch != .zero) else { return nil }
            expected = SemanticVersion(major: version.major, minor: nextMinor, patch: .zero)
            after = "\(top.name), the next minor version of major \(version.major)\(of)"
        } else if let top = tags.highestFinal() {
            let nextMajor = top.version.major.successor
            let order = Number.compare(version.major, nextMajor)
            guard order > 0 || (order == 0 && (version.minor != .zero || version.patch != .zero)) else { return nil }
            expected = SemanticVersion(major: nextMajor, minor: .zero, patch: .zero)
            after = "\(top.name), the next major version\(of)"
        } else {
            return nil
        }
        let name = component.tagName(expected)
        return Violation(
            rule: .tagSkip, ref: update.update.ref,
            message: "\(update.shortName) skips a version: after \(after) is \(name).",
            fix: "Tag \(name) instead: " + retag(update.shortName, as: name, update)
                + " Or allow skipping with release.allowSkip = true in .release-guardian.")
    }
}
