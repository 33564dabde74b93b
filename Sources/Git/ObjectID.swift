import CLibGit2

/// A SHA-1 object id (libgit2 1.5 reads SHA-1 repositories only).
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    var oid: git_oid

    init(_ oid: git_oid) {
        self.oid = oid
    }

    /// Parses 40 hexadecimal digits; anything else is nil.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy(\.isHexDigit) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, 40) == 0 else { return nil }
        self.oid = oid
    }

    /// The all-zero id git uses for "no object".
    public var isZero: Bool {
        withUnsafeBytes(of: oid) { $0.allSatisfy { $0 == 0 } }
    }

    public var hex: String {
        var buffer = [UInt8](repeating: 0, count: 40)
        var copy = oid
        _ = buffer.withUnsafeMutableBufferPointer { git_oid_fmt($0.baseAddress, &copy) }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The first 7 digits, as git abbreviates in messages.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.oid) { l in withUnsafeBytes(of: rhs.oid) { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: oid) { hasher.combine(bytes: $0) }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
