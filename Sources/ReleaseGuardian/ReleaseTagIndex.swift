/// The version tags that already exist, kept compact (one small value per tag, no git objects)
/// so that a repository with 100k tags costs one pass over their names.
public struct ReleaseTagIndex: Sendable {
    public struct Entry: Sendable {
        public let name: String
        /// The version the name spells (leniently read for malformed version tags).
        public let version: SemanticVersion
        /// Whether the name is a strict release tag (only those take part in ordering).
        public let isRelease: Bool
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// Adds a tag by name; tags that spell no version are ignored.
    public mutating func insert(tagName name: String) {
        switch TagName(name) {
        case .release(let version):
            entries.append(Entry(name: name, version: version, isRelease: true))
        case .malformedVersion:
            if let version = TagName.normalizedVersion(of: name) {
                entries.append(Entry(name: name, version: version, isRelease: false))
            }
        case .unversioned:
            break
        }
    }

    public mutating func remove(tagName name: String) {
        entries.removeAll { $0.name == name }
    }

    private var releases: LazyFilterSequence<[Entry]> { entries.lazy.filter(\.isRelease) }

    /// Another tag that spells the same version as `name` (build metadata aside).
    public func otherSpelling(of version: SemanticVersion, name: String) -> Entry? {
        let key = SemanticVersion(major: version.major, minor: version.minor, patch: version.patch, prerelease: version.prerelease)
        return entries.first { $0.name != name && $0.version == key }
    }

    /// The highest release tag (pre-releases included) of a line.
    public func highest(inLine line: SemanticVersion.Line) -> Entry? {
        highest(releases.filter { $0.version.line == line })
    }

    /// The highest release tag (pre-releases included) of a major version.
    public func highest(inMajor major: SemanticVersion.Numeric) -> Entry? {
        highest(releases.filter { $0.version.major == major })
    }

    /// The highest release tag of all.
    public func highest() -> Entry? {
        highest(releases)
    }

    /// The same three questions about final releases only (pre-releases do not count as a
    /// version having been released, so they do not move the "next version").
    public func highestFinal(inLine line: SemanticVersion.Line) -> Entry? {
        highest(releases.filter { !$0.version.isPrerelease && $0.version.line == line })
    }

    public func highestFinal(inMajor major: SemanticVersion.Numeric) -> Entry? {
        highest(releases.filter { !$0.version.isPrerelease && $0.version.major == major })
    }

    public func highestFinal() -> Entry? {
        highest(releases.filter { !$0.version.isPrerelease })
    }

    private func highest(_ candidates: some Sequence<Entry>) -> Entry? {
        candidates.max { $0.version < $1.version }
    }
}
