/// What the policy needs to know about the existing version tags, gathered in one pass.
///
/// The rules only ask about the lines and majors of the tags being pushed, so the index is made
/// for those versions (`tracking`) and keeps, for each, the highest tag of its line, of its major,
/// of all, and the tags that spell it — not one object per tag. At 100k tags that is one pass over
/// their names with no allocation for an ordinary `vX.Y.Z`.
public struct ReleaseTagIndex: Sendable {
    public struct Entry: Sendable {
        public let name: String
        /// The version the name spells (leniently read for malformed version tags).
        public let version: SemanticVersion
        /// Whether the name is a strict release tag (only those take part in ordering).
        public let isRelease: Bool
    }

    /// An ordinary `vX.Y.Z` with numbers that fit a `UInt64`: compared with integer operations,
    /// which is what keeps a pass over 100k tags cheap.
    struct Plain: Comparable, Sendable {
        let major: UInt64, minor: UInt64, patch: UInt64

        static func < (lhs: Plain, rhs: Plain) -> Bool {
            (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }

        var version: SemanticVersion {
            SemanticVersion(major: .init(small: major), minor: .init(small: minor), patch: .init(small: patch))
        }

        /// A plain tag's name is its version: nothing to keep while scanning.
        var name: String { "v\(major).\(minor).\(patch)" }

        var entry: Entry { Entry(name: name, version: version, isRelease: true) }

        init(major: UInt64, minor: UInt64, patch: UInt64) {
            (self.major, self.minor, self.patch) = (major, minor, patch)
        }

        init?(_ version: SemanticVersion) {
            guard version.prerelease.isEmpty, version.build.isEmpty, case .small(let major) = version.major.storage,
                  case .small(let minor) = version.minor.storage, case .small(let patch) = version.patch.storage
            else { return nil }
            self.init(major: major, minor: minor, patch: patch)
        }
    }

    /// The highest tag of some set, and the highest final release (no pre-release) of it. A
    /// plain top is kept as integers only (no reference counting on the hot path); other tops,
    /// rare, as entries. For each of the two, at most one of the pair is set.
    struct Top: Sendable {
        var anyPlain: Plain?
        var anyOther: Entry?
        var finalPlain: Plain?
        var finalOther: Entry?

        var any: Entry? { anyPlain.map(\.entry) ?? anyOther }
        var final: Entry? { finalPlain.map(\.entry) ?? finalOther }

        mutating func offer(_ version: SemanticVersion, name: () -> String) {
            if let plain = Plain(version) { return offer(plain) }
            let beatsAny = any.map { SemanticVersion.compare(version, $0.version) > 0 } ?? true
            let beatsFinal = !version.isPrerelease && (final.map { SemanticVersion.compare(version, $0.version) > 0 } ?? true)
            guard beatsAny || beatsFinal else { return }
            let entry = Entry(name: name(), version: version, isRelease: true)
            if beatsAny { (anyPlain, anyOther) = (nil, entry) }
            if beatsFinal { (finalPlain, finalOther) = (nil, entry) }
        }

        /// A plain version is a final release, so it competes for both.
        mutating func offer(_ plain: Plain) {
            if let top = anyPlain {
                if top < plain { anyPlain = plain }
            } else if anyOther.map({ SemanticVersion.compare($0.version, plain.version) < 0 }) ?? true {
                (anyPlain, anyOther) = (plain, nil)
            }
            if let top = finalPlain {
                if top < plain { finalPlain = plain }
            } else if finalOther.map({ SemanticVersion.compare($0.version, plain.version) < 0 }) ?? true {
                (finalPlain, finalOther) = (plain, nil)
            }
        }
    }

    private var lines: [(line: SemanticVersion.Line, top: Top)] = []
    private var majors: [(major: SemanticVersion.Numeric, top: Top)] = []
    private var overall = Top()
    /// For each tracked version, the names that spell it (two are enough to find "another").
    private var spellings: [(version: SemanticVersion, names: [String])] = []
    /// The tracked lines, majors and spellings as integers, for the plain fast path (nil where
    /// a number is too large, so a plain tag cannot match it anyway).
    private var plainLines: [(major: UInt64, minor: UInt64)?] = []
    private var plainMajors: [UInt64?] = []
    private var plainSpellings: [Plain?] = []

    /// An index that can answer about these versions' lines, majors and spellings.
    public init(tracking versions: [SemanticVersion]) {
        for version in versions {
            let core = Plain(version.core)
            if !lines.contains(where: { $0.line == version.line }) {
                lines.append((version.line, Top()))
                plainLines.append(core.map { ($0.major, $0.minor) })
            }
            if !majors.contains(where: { $0.major == version.major }) {
                majors.append((version.major, Top()))
                plainMajors.append(core?.major)
            }
            let key = Self.spellingKey(version)
            if !spellings.contains(where: { $0.version == key }) {
                spellings.append((key, []))
                plainSpellings.append(Plain(key))
            }
        }
    }

    /// Adds a tag by name; tags that spell no version are ignored.
    public mutating func insert(tagName name: String) {
        switch TagName(name) {
        case .release(let version):
            insert(release: version, name: { name })
        case .malformedVersion:
            if let version = TagName.normalizedVersion(of: name) { recordSpelling(version, name: { name }) }
        case .unversioned:
            break
        }
    }

    /// Adds a tag by the bytes of its name: an ordinary `vX.Y.Z` is read in place; anything
    /// else goes through `insert(tagName:)`.
    public mutating func insert(tagNameBytes bytes: UnsafeBufferPointer<UInt8>) {
        if let plain = Self.plainRelease(bytes) {
            insert(plain)
        } else if let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") || (first >= 48 && first <= 57) {
            insert(tagName: String(decoding: bytes, as: UTF8.self))
        }
    }

    private mutating func insert(release version: SemanticVersion, name: () -> String) {
        overall.offer(version, name: name)
        for index in lines.indices where lines[index].line == version.line { lines[index].top.offer(version, name: name) }
        for index in majors.indices where majors[index].major == version.major { majors[index].top.offer(version, name: name) }
        recordSpelling(version, name: name)
    }

    private mutating func insert(_ plain: Plain) {
        overall.offer(plain)
        for index in plainLines.indices {
            if let line = plainLines[index], line.major == plain.major, line.minor == plain.minor { lines[index].top.offer(plain) }
        }
        for index in plainMajors.indices where plainMajors[index] == plain.major {
            majors[index].top.offer(plain)
        }
        for index in plainSpellings.indices where plainSpellings[index] == plain && spellings[index].names.count < 2 {
            if !spellings[index].names.contains(plain.name) { spellings[index].names.append(plain.name) }
        }
    }

    private mutating func recordSpelling(_ version: SemanticVersion, name: () -> String) {
        let key = Self.spellingKey(version)
        for index in spellings.indices where spellings[index].version == key && spellings[index].names.count < 2 {
            let text = name()
            if !spellings[index].names.contains(text) { spellings[index].names.append(text) }
        }
    }

    /// Build metadata does not make another version.
    static func spellingKey(_ version: SemanticVersion) -> SemanticVersion {
        version.build.isEmpty ? version : SemanticVersion(major: version.major, minor: version.minor, patch: version.patch, prerelease: version.prerelease)
    }

    /// `v` + three numbers of at most 19 digits without leading zeros, and nothing else.
    static func plainRelease(_ bytes: UnsafeBufferPointer<UInt8>) -> Plain? {
        guard bytes.count >= 6, bytes[0] == UInt8(ascii: "v") else { return nil }
        var numbers: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var index = 1
        for part in 0..<3 {
            let start = index
            var value: UInt64 = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                value = value &* 10 &+ UInt64(bytes[index] - 48)
                index += 1
            }
            let length = index - start
            guard length > 0, length <= 19, length == 1 || bytes[start] != 48 else { return nil }
            switch part {
            case 0: numbers.0 = value
            case 1: numbers.1 = value
            default: numbers.2 = value
            }
            if part < 2 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
        }
        guard index == bytes.count else { return nil }
        return Plain(major: numbers.0, minor: numbers.1, patch: numbers.2)
    }

    // MARK: Questions (about tracked versions only)

    /// Another tag that spells the same version as `name` (build metadata aside).
    public func otherSpelling(of version: SemanticVersion, name: String) -> Entry? {
        let key = Self.spellingKey(version)
        guard let other = spellings.first(where: { $0.version == key })?.names.first(where: { $0 != name }) else { return nil }
        return Entry(name: other, version: key, isRelease: TagName(other).version != nil)
    }

    /// The highest release tag (pre-releases included) of a line, of a major, of all.
    public func highest(inLine line: SemanticVersion.Line) -> Entry? { top(line: line).any }
    public func highest(inMajor major: SemanticVersion.Numeric) -> Entry? { top(major: major).any }
    public func highest() -> Entry? { overall.any }

    /// The same questions about final releases only (a pre-release does not release a version,
    /// so it does not move the "next version").
    public func highestFinal(inLine line: SemanticVersion.Line) -> Entry? { top(line: line).final }
    public func highestFinal(inMajor major: SemanticVersion.Numeric) -> Entry? { top(major: major).final }
    public func highestFinal() -> Entry? { overall.final }

    private func top(line: SemanticVersion.Line) -> Top {
        guard let found = lines.first(where: { $0.line == line }) else { preconditionFailure("line \(line) is not tracked") }
        return found.top
    }

    private func top(major: SemanticVersion.Numeric) -> Top {
        guard let found = majors.first(where: { $0.major == major }) else { preconditionFailure("major \(major) is not tracked") }
        return found.top
    }
}
