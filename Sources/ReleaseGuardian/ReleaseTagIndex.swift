/// What the policy needs to know about the existing version tags, gathered in one pass.
///
/// The rules only ask about the lines and majors of the tags being pushed, so the index is made
/// for those versions (`tracking`) and keeps, for each, the highest tag of its line, of its major,
/// of all, and the tags that spell it — not one object per tag. At 100k tags that is one pass over
/// their names with no allocation for an ordinary `vX.Y.Z`.
///
/// One index holds one component's tags. A component's tags are inserted without its stem
/// (`google-gax-v5.0.4` as `v5.0.4`), so they are read as plain ones; the answers give their
/// whole names back.
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
    struct Plain: Comparable, Hashable, Sendable {
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

    /// The tracked lines, majors and spellings, each once, with the position of its entry.
    /// A push of 10k tags tracks 10k versions, so every lookup is by hash, never a scan.
    private var lines: [Top] = []
    private var lineSlots: [SemanticVersion.Line: Int] = [:]
    private var majors: [Top] = []
    private var majorSlots: [SemanticVersion.Numeric: Int] = [:]
    private var overall = Top()
    /// For each tracked version, the names that spell it (two are enough to find "another").
    private var spellings: [[String]] = []
    private var spellingSlots: [SemanticVersion: Int] = [:]
    /// The same slots keyed by integers, for the plain fast path (versions whose numbers do not
    /// fit a `UInt64` are left out: a plain tag cannot match them anyway).
    private var plainLineSlots: [PlainLine: Int] = [:]
    private var plainMajorSlots: [UInt64: Int] = [:]
    private var plainSpellingSlots: [Plain: Int] = [:]
    /// The one tracked major of an ordinary push, compared without hashing.
    private var soleMajor: (value: UInt64, slot: Int)?
    /// The component's stem (`google-gax-`), put back before the names the answers give.
    private let stem: String

    struct PlainLine: Hashable, Sendable {
        let major: UInt64, minor: UInt64
    }

    /// An index that can answer about these versions' lines, majors and spellings, in `component`.
    public init(tracking versions: [SemanticVersion], component: TagComponent = .plain) {
        stem = component.stem
        for version in versions {
            let major: UInt64? = if case .small(let value) = version.major.storage { value } else { nil }
            let minor: UInt64? = if case .small(let value) = version.minor.storage { value } else { nil }
            if lineSlots[version.line] == nil {
                lineSlots[version.line] = lines.count
                if let major, let minor { plainLineSlots[PlainLine(major: major, minor: minor)] = lines.count }
                lines.append(Top())
            }
            if majorSlots[version.major] == nil {
                majorSlots[version.major] = majors.count
                if let major { plainMajorSlots[major] = majors.count }
                majors.append(Top())
            }
            let key = Self.spellingKey(version)
            if spellingSlots[key] == nil {
                spellingSlots[key] = spellings.count
                if let plain = Plain(key) { plainSpellingSlots[plain] = spellings.count }
                spellings.append([])
            }
        }
        if plainMajorSlots.count == 1, let only = plainMajorSlots.first { soleMajor = (only.key, only.value) }
    }

    /// Adds a tag by name (without the component's stem); tags that spell no version are ignored.
    public mutating func insert(tagName name: String) {
        switch TagName(name) {
        case .release(let version, _):
            insert(release: version, name: { name })
        case .malformedVersion:
            if let version = TagName.normalizedVersion(of: name) { recordSpelling(version, name: { name }) }
        case .floating, .unversioned, .nonASCII:
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
        if let slot = lineSlots[version.line] { lines[slot].offer(version, name: name) }
        if let slot = majorSlots[version.major] { majors[slot].offer(version, name: name) }
        recordSpelling(version, name: name)
    }

    private mutating func insert(_ plain: Plain) {
        overall.offer(plain)
        // A line or a spelling is tracked only with its major: most tags stop at this lookup.
        let slot = soleMajor.map { $0.value == plain.major ? $0.slot : nil } ?? plainMajorSlots[plain.major]
        guard let major = slot else { return }
        majors[major].offer(plain)
        if let line = plainLineSlots[PlainLine(major: plain.major, minor: plain.minor)] { lines[line].offer(plain) }
        if let slot = plainSpellingSlots[plain], spellings[slot].count < 2 {
            let name = plain.name
            if !spellings[slot].contains(name) { spellings[slot].append(name) }
        }
    }

    private mutating func recordSpelling(_ version: SemanticVersion, name: () -> String) {
        guard let slot = spellingSlots[Self.spellingKey(version)], spellings[slot].count < 2 else { return }
        let text = name()
        if !spellings[slot].contains(text) { spellings[slot].append(text) }
    }

    /// Build metadata does not make another version.
    static func spellingKey(_ version: SemanticVersion) -> SemanticVersion {
        version.build.isEmpty
            ? version : SemanticVersion(major: version.major, minor: version.minor, patch: version.patch, prerelease: version.prerelease)
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

    /// Another tag that spells the same version as `name` (build metadata aside); `name` is whole.
    public func otherSpelling(of version: SemanticVersion, name: String) -> Entry? {
        let key = Self.spellingKey(version)
        guard let slot = spellingSlots[key], let other = spellings[slot].first(where: { stem + $0 != name }) else { return nil }
        return Entry(name: stem + other, version: key, isRelease: TagName(other).version != nil)
    }

    /// The highest release tag (pre-releases included) of a line, of a major, of all.
    public func highest(inLine line: SemanticVersion.Line) -> Entry? { whole(top(line: line).any) }
    public func highest(inMajor major: SemanticVersion.Numeric) -> Entry? { whole(top(major: major).any) }
    public func highest() -> Entry? { whole(overall.any) }

    /// The same questions about final releases only (a pre-release does not release a version,
    /// so it does not move the "next version").
    public func highestFinal(inLine line: SemanticVersion.Line) -> Entry? { whole(top(line: line).final) }
    public func highestFinal(inMajor major: SemanticVersion.Numeric) -> Entry? { whole(top(major: major).final) }
    public func highestFinal() -> Entry? { whole(overall.final) }

    /// The entry with its whole name (the stem put back).
    private func whole(_ entry: Entry?) -> Entry? {
        guard !stem.isEmpty, let entry else { return entry }
        return Entry(name: stem + entry.name, version: entry.version, isRelease: entry.isRelease)
    }

    private func top(line: SemanticVersion.Line) -> Top {
        guard let slot = lineSlots[line] else { preconditionFailure("line \(line) is not tracked") }
        return lines[slot]
    }

    private func top(major: SemanticVersion.Numeric) -> Top {
        guard let slot = majorSlots[major] else { preconditionFailure("major \(major) is not tracked") }
        return majors[slot]
    }
}
