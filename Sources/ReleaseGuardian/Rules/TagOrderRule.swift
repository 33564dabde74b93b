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
            next = "v\(version.major).\(version.minor).\(top.version.patch.successor)"
        } else if let top = tags.highest(inMajor: version.major) {
            guard SemanticVersion.Numeric.compare(version.minor, top.version.minor) <= 0 else { return nil }
            message =
                "v\(version) opens line \(version.line), which is not above line \(top.version.line) (highest: \(top.name)); a new line must be above every line of major \(version.major)."
            next = "v\(version.major).\(top.version.minor.successor).0"
        } else if let top = tags.highest() {
            guard SemanticVersion.Numeric.compare(version.major, top.version.major) <= 0 else { return nil }
            message = "v\(version) opens major \(version.major), which is not above major \(top.version.major) (highest: \(top.name))."
            next = "v\(top.version.major.successor).0.0"
        } else {
            return nil
        }
        return Violation(
            rule: .tagOrder, ref: update.update.ref, message: message,
            fix: "Tag the next version instead: " + retag(update.shortName, as: next, update))
    }
}
