/// `tag-order`: a new tag is above every tag of its line; a new line is above every line of its
/// major; a new major is above all. Hotfixes on older lines stay allowed. Each component's tags
/// are ordered among themselves.
struct TagOrderRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard let (version, component) = update.newRelease else { return nil }
        let tags = try context.existingTags(of: component)
        let tag = update.shortName
        let of = component.ofComponent
        let message: String
        let next: SemanticVersion
        if let top = tags.highest(inLine: version.line) {
            guard version <= top.version else { return nil }
            message = "\(tag) is not above \(top.name), the highest tag of line \(version.line)\(of)."
            next = SemanticVersion(major: version.major, minor: version.minor, patch: top.version.patch.successor)
        } else if let top = tags.highest(inMajor: version.major) {
            guard SemanticVersion.Numeric.compare(version.minor, top.version.minor) <= 0 else { return nil }
            message =
                "\(tag) opens line \(version.line)\(of), which is not above line \(top.version.line) (highest: \(top.name)); a new line must be above every line of major \(version.major)."
            next = SemanticVersion(major: version.major, minor: top.version.minor.successor, patch: .zero)
        } else if let top = tags.highest() {
            guard SemanticVersion.Numeric.compare(version.major, top.version.major) <= 0 else { return nil }
            message = "\(tag) opens major \(version.major)\(of), which is not above major \(top.version.major) (highest: \(top.name))."
            next = SemanticVersion(major: top.version.major.successor, minor: .zero, patch: .zero)
        } else {
            return nil
        }
        return Violation(
            rule: .tagOrder, ref: update.update.ref, message: message,
            fix: "Tag the next version instead: " + retag(tag, as: component.tagName(next), update))
    }
}
