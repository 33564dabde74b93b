/// A Semantic Versioning 2.0.0 version, parsed by the official grammar.
///
/// Numeric identifiers keep their digits as written (no leading zeros are allowed, so the
/// digits are canonical) and compare by length then digits: any size, never an overflow.
public struct SemanticVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let major: Numeric
    public let minor: Numeric
    public let patch: Numeric
    public let prerelease: [Identifier]
    public let build: [String]

    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// `MAJOR.MINOR`, the release line this version belongs to.
    public var line: Line { Line(major: major, minor: minor) }

    /// The version without pre-release and build parts.
    public var core: SemanticVersion {
        SemanticVersion(major: major, minor: minor, patch: patch, prerelease: [], build: [])
    }

    public init(major: Numeric, minor: Numeric, patch: Numeric, prerelease: [Identifier] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.map(\.description).joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// Precedence (§11): build metadata is ignored, so two versions that differ only in build
    /// compare equal here while still being different values for `==`.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 by SemVer precedence.
    public static func compare(_ lhs: SemanticVersion, _ rhs: SemanticVersion) -> Int {
        for (l, r) in [(lhs.major, rhs.major), (lhs.minor, rhs.minor), (lhs.patch, rhs.patch)] {
            let order = Numeric.compare(l, r)
            if order != 0 { return order }
        }
        // A version with a pre-release has lower precedence than the same version without.
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (l, r) in zip(lhs.prerelease, rhs.prerelease) {
            let order = Identifier.compare(l, r)
            if order != 0 { return order }
        }
        // A larger set of pre-release fields has higher precedence when all before are equal.
        return lhs.prerelease.count == rhs.prerelease.count ? 0 : (lhs.prerelease.count < rhs.prerelease.count ? -1 : 1)
    }

    // MARK: Parts

    /// A numeric identifier: ASCII digits, no leading zero unless it is `0`.
    ///
    /// Up to 19 digits it is kept as a `UInt64` (no allocation, integer comparison: the hook
    /// compares 100k tags); longer numbers keep their digits and compare by length then digits.
    public struct Numeric: Hashable, Sendable, CustomStringConvertible {
        enum Storage: Hashable, Sendable {
            case small(UInt64)
            /// More than 19 digits, so larger than any `.small`.
            case large(String)
        }

        let storage: Storage

        public init?(_ digits: some StringProtocol) {
            guard !digits.isEmpty, digits.utf8.allSatisfy(isDigit),
                digits.utf8.first != UInt8(ascii: "0") || digits.utf8.count == 1
            else { return nil }
            if digits.utf8.count <= 19 {
                storage = .small(digits.utf8.reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) })
            } else {
                storage = .large(String(digits))
            }
        }

        /// A number already known to fit (at most 19 digits).
        init(small value: UInt64) {
            storage = .small(value)
        }

        public var digits: String {
            switch storage {
            case .small(let value): String(value)
            case .large(let digits): digits
            }
        }

        public var description: String { digits }

        /// The next number; never overflows (a 19-digit 999… becomes 20 digits).
        public var successor: Numeric {
            if case .small(let value) = storage, value < 9_999_999_999_999_999_999 { return Numeric(small: value + 1) }
            var bytes = Array(digits.utf8)
            var index = bytes.count - 1
            while index >= 0, bytes[index] == UInt8(ascii: "9") {
                bytes[index] = UInt8(ascii: "0")
                index -= 1
            }
            if index >= 0 { bytes[index] += 1 } else { bytes.insert(UInt8(ascii: "1"), at: 0) }
            return Numeric(String(decoding: bytes, as: UTF8.self))!
        }

        public static let zero = Numeric(small: 0)

        static func compare(_ lhs: Numeric, _ rhs: Numeric) -> Int {
            switch (lhs.storage, rhs.storage) {
            case (.small(let l), .small(let r)): return l == r ? 0 : (l < r ? -1 : 1)
            case (.small, .large): return -1
            case (.large, .small): return 1
            case (.large(let l), .large(let r)):
                if l.utf8.count != r.utf8.count { return l.utf8.count < r.utf8.count ? -1 : 1 }
                for (a, b) in zip(l.utf8, r.utf8) where a != b { return a < b ? -1 : 1 }
                return 0
            }
        }
    }

    /// A pre-release identifier: numeric (compared as a number) or alphanumeric (compared in
    /// ASCII order); numeric ones have lower precedence.
    public enum Identifier: Hashable, Sendable, CustomStringConvertible {
        case numeric(Numeric)
        case alphanumeric(String)

        public var description: String {
            switch self {
            case .numeric(let number): number.digits
            case .alphanumeric(let text): text
            }
        }

        static func compare(_ lhs: Identifier, _ rhs: Identifier) -> Int {
            switch (lhs, rhs) {
            case (.numeric(let l), .numeric(let r)): return Numeric.compare(l, r)
            case (.numeric, .alphanumeric): return -1
            case (.alphanumeric, .numeric): return 1
            case (.alphanumeric(let l), .alphanumeric(let r)):
                return l == r ? 0 : (Array(l.utf8).lexicographicallyPrecedes(Array(r.utf8)) ? -1 : 1)
            }
        }
    }

    /// A release line, `MAJOR.MINOR`.
    public struct Line: Hashable, Sendable, CustomStringConvertible {
        public let major: Numeric
        public let minor: Numeric
        public var description: String { "\(major).\(minor)" }
    }
}

// MARK: - Parsing

/// Why a string is not a SemVer 2.0.0 version; each case is one sentence for the user.
public enum SemanticVersionError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notThreeNumbers(String)
    case notANumber(part: String, value: String)
    case leadingZero(part: String, value: String)
    case emptyIdentifier(part: String)
    case invalidCharacter(part: String, identifier: String)

    public var description: String {
        switch self {
        case .empty:
            "the version is empty"
        case .notThreeNumbers(let core):
            "'\(core)' is not MAJOR.MINOR.PATCH (three numbers separated by dots)"
        case .notANumber(let part, let value):
            "the \(part) version '\(value)' is not a number"
        case .leadingZero(let part, let value):
            "the \(part) '\(value)' has a leading zero, which SemVer forbids"
        case .emptyIdentifier(let part):
            "the \(part) has an empty identifier (two dots in a row, or a dot at an end)"
        case .invalidCharacter(let part, let identifier):
            "the \(part) identifier '\(identifier)' may only contain ASCII letters, digits and '-'"
        }
    }
}

extension SemanticVersion {
    /// Parses a version exactly as SemVer 2.0.0's grammar allows (no `v` prefix).
    public init(parsing text: some StringProtocol) throws(SemanticVersionError) {
        guard !text.isEmpty else { throw .empty }
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = try Self.identifiers(rest[rest.index(after: plus)...], part: "build metadata").map(String.init)
            rest = rest[..<plus]
        }
        var prerelease: [Identifier] = []
        if let dash = rest.firstIndex(of: "-") {
            for identifier in try Self.identifiers(rest[rest.index(after: dash)...], part: "pre-release") {
                if identifier.utf8.allSatisfy(isDigit) {
                    guard let number = Numeric(identifier) else {
                        throw .leadingZero(part: "pre-release identifier", value: String(identifier))
                    }
                    prerelease.append(.numeric(number))
                } else {
                    prerelease.append(.alphanumeric(String(identifier)))
                }
            }
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { throw .notThreeNumbers(String(rest)) }
        var parsed: [Numeric] = []
        for (part, value) in zip(["major", "minor", "patch"], numbers) {
            guard !value.isEmpty, value.utf8.allSatisfy(isDigit) else {
                throw .notANumber(part: part, value: String(value))
            }
            guard let number = Numeric(value) else { throw .leadingZero(part: "\(part) version", value: String(value)) }
            parsed.append(number)
        }
        self.init(major: parsed[0], minor: parsed[1], patch: parsed[2], prerelease: prerelease, build: build)
    }

    /// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty.
    private static func identifiers(_ text: Substring, part: String) throws(SemanticVersionError) -> [Substring] {
        let identifiers = text.split(separator: ".", omittingEmptySubsequences: false)
        for identifier in identifiers {
            guard !identifier.isEmpty else { throw .emptyIdentifier(part: part) }
            guard identifier.utf8.allSatisfy(isIdentifierCharacter) else {
                throw .invalidCharacter(part: part, identifier: String(identifier))
            }
        }
        return identifiers
    }

    /// Accepts `1.2.3` and `v1.2.3` (the forms the `semver` command takes).
    public init(parsingAllowingPrefix text: some StringProtocol) throws(SemanticVersionError) {
        let body = String(text)
        try self.init(parsing: body.first == "v" ? body.dropFirst() : Substring(body))
    }
}

private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

private func isIdentifierCharacter(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
}
