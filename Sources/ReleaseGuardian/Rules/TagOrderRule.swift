/// `tag-order`: a new tag is above every tag of its line; a new line is above every line of its
/// major; a new major is above all. Hotfixes on older lines stay allowed.
struct TagOrderRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard let version = update.newRelease else { return nil }
        let tags = try context.existingTags()
        let message: String
        let next: String
        if let top = tags.highest(inLine: version.line) {
            guard version <= top.version else { return nil }
            message = "v\(version) is not above \(top.name), the highest tag of line \(version.line)."
            next = "v" + Self.next(above: top.version, like: version)
        } else if let top = tags.highest(inMajor: version.major) {
            guard SemanticVersion.Numeric.compare(version.minor, top.version.minor) <= 0 else { return nil }
            message =
                "v\(version) opens line \(version.line), which is not above line \(top.version.line) (highest: \(top.name)); a new line must be above every line of major \(version.major)."
            next = "v\(version.major).\(top.version.minor.successor).0" + Self.prerelease(of: version)
        } else if let top = tags.highest() {
            guard SemanticVersion.Numeric.compare(version.major, top.version.major) <= 0 else { return nil }
            message = "v\(version) opens major \(version.major), which is not above major \(top.version.major) (highest: \(top.name))."
            next = "v\(top.version.major.successor).0.0" + Self.prerelease(of: version)
        } else {
            return nil
        }
        return Violation(
            rule: .tagOrder, ref: update.update.ref, message: message,
            fix: "Tag the next version instead: " + retag(update.shortName, as: next, update))
    }

    /// The next version above `top` of the kind the operator meant: a pre-release stays a
    /// pre-release (`v2.28.0-alpha.0` after `v2.28.1` → `v2.28.2-alpha.0`; after `v2.28.2-beta.1`,
    /// `v2.28.2-beta.2`), a release is the next patch.
    static func next(above top: SemanticVersion, like version: SemanticVersion) -> String {
        guard version.isPrerelease else { return "\(top.major).\(top.minor).\(top.patch.successor)" }
        guard top.isPrerelease else { return "\(top.major).\(top.minor).\(top.patch.successor)" + prerelease(of: version) }
        let core = "\(top.major).\(top.minor).\(top.patch)"
        let sameCore = SemanticVersion(major: top.major, minor: top.minor, patch: top.patch, prerelease: version.prerelease)
        if sameCore > top { return core + prerelease(of: version) }
        var identifiers = top.prerelease
        if case .numeric(let last) = identifiers.last {
            identifiers[identifiers.count - 1] = .numeric(last.successor)
        } else {
            identifiers.append(.numeric(SemanticVersion.Numeric(small: 1)))
        }
        return core + "-" + identifiers.map(\.description).joined(separator: ".")
    }

    /// `-alpha.0`, or nothing for a release.
    static func prerelease(of version: SemanticVersion) -> String {
        version.isPrerelease ? "-" + version.prerelease.map(\.description).joined(separator: ".") : ""
    }
}
