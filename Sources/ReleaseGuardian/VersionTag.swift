/// What a tag name means to the policy.
///
/// A *version tag* is any tag whose name starts with `v`, `V` or a digit followed by a digit
/// (`v1…`, `V2…`, `3…`); it must be a *release tag*: `v` + a SemVer 2.0.0 version without build
/// metadata. Other tags are not guarded (unless `release.onlyVersionTags`).
public enum TagName: Equatable, Sendable {
    case release(SemanticVersion)
    /// A version tag that is not a release tag; `reason` says why, `suggestion` is the release
    /// tag it probably meant (when one can be derived).
    case malformedVersion(reason: String, suggestion: String?)
    case unversioned

    public init(_ name: String) {
        guard Self.looksLikeVersion(name) else {
            self = .unversioned
            return
        }
        let suggestion = Self.normalizedVersion(of: name).map { "v\($0)" }
        guard name.first == "v" else {
            let reason = name.first == "V"
                ? "release tags start with a lowercase 'v'"
                : "release tags start with 'v' (v + MAJOR.MINOR.PATCH)"
            self = .malformedVersion(reason: reason, suggestion: suggestion)
            return
        }
        do {
            let version = try SemanticVersion(parsing: name.dropFirst())
            if version.build.isEmpty {
                self = .release(version)
            } else {
                self = .malformedVersion(
                    reason: "build metadata '+\(version.build.joined(separator: "."))' is not allowed on release tags: it does not order versions, so two tags could tie",
                    suggestion: suggestion)
            }
        } catch {
            self = .malformedVersion(reason: "'\(name.dropFirst())' is not a SemVer 2.0.0 version: \(error)", suggestion: suggestion)
        }
    }

    public var version: SemanticVersion? {
        if case .release(let version) = self { return version }
        return nil
    }

    /// `v1…`, `V2…`, `3…`
    static func looksLikeVersion(_ name: String) -> Bool {
        var bytes = name.utf8.makeIterator()
        guard var first = bytes.next() else { return false }
        if first == UInt8(ascii: "v") || first == UInt8(ascii: "V") {
            guard let next = bytes.next() else { return false }
            first = next
        }
        return first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")
    }

    /// The version a version tag spells, read leniently: any `v`/`V` prefix, leading zeros and
    /// build metadata are ignored. `V1.2.3`, `1.2.3`, `v01.2.3` and `v1.2.3+x` all spell 1.2.3.
    static func normalizedVersion(of name: String) -> SemanticVersion? {
        guard looksLikeVersion(name) else { return nil }
        var text = Substring(name)
        if text.first == "v" || text.first == "V" { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        var suffix: Substring = ""
        if let dash = text.firstIndex(of: "-") {
            suffix = text[dash...]
            text = text[..<dash]
        }
        let numbers = text.split(separator: ".", omittingEmptySubsequences: false).map { number -> Substring in
            let trimmed = number.drop { $0 == "0" }
            return trimmed.isEmpty && !number.isEmpty ? "0" : trimmed
        }
        return try? SemanticVersion(parsing: numbers.joined(separator: ".") + suffix)
    }
}
