import Git
import GitFiles

/// One proposed change to a ref on the receiving side of a push.
public struct RefUpdate: Equatable, Sendable {
    /// The ref being written on the remote (what the rules are about).
    public let ref: String
    /// Its value before the push, nil when the remote does not have it yet.
    public let oldID: ObjectID?
    /// Its value after the push, nil for a deletion.
    public let newID: ObjectID?

    public init(ref: String, oldID: ObjectID?, newID: ObjectID?) {
        self.ref = ref
        self.oldID = oldID
        self.newID = newID
    }

    public var isDeletion: Bool { newID == nil }
    public var isCreation: Bool { oldID == nil && newID != nil }
}

/// Input a hook received that does not follow git's protocol; exit 2.
public enum HookInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedLine(number: Int, line: String, reason: String, expected: String)

    public var description: String {
        switch self {
        case .malformedLine(let number, let line, let reason, let expected):
            "line \(number) of the hook input is malformed (\(reason)): '\(line)'. git passes `\(expected)` per line; was the hook called by git?"
        }
    }
}

extension RefUpdate {
    /// Parses the lines git writes to a `pre-push` hook (githooks(5)):
    /// `<local ref> SP <local object name> SP <remote ref> SP <remote object name> LF`.
    /// Deletions come as `(delete)` with an all-zero id; a ref missing on the remote has an
    /// all-zero remote id. Empty input (nothing to push) gives no update.
    public static func parsePrePush(_ input: String) throws(HookInputError) -> [RefUpdate] {
        var updates: [RefUpdate] = []
        for (index, line) in hookLines(input).enumerated() {
            if line.isEmpty { continue }
            let number = index + 1
            func malformed(_ reason: String) -> HookInputError {
                .malformedLine(
                    number: number, line: String(line.prefix(200)), reason: reason,
                    expected: "<local ref> <local object> <remote ref> <remote object>")
            }
            let fields = hookFields(line)
            guard fields.count == 4, fields.allSatisfy({ !$0.isEmpty }) else {
                throw malformed("expected 4 fields separated by single spaces, found \(fields.count)")
            }
            let localRef = String(fields[0])
            let newID = try objectName(fields[1], malformed)
            let remoteRef = try refName(fields[2], malformed)
            let oldID = try objectName(fields[3], malformed)
            if (localRef == "(delete)") != (newID == nil) {
                throw malformed("a deletion has `(delete)` and an all-zero local object, and only a deletion does")
            }
            updates.append(RefUpdate(ref: remoteRef, oldID: oldID, newID: newID))
        }
        return updates
    }

    /// The lines of a hook's input, split on LF bytes (a CR before it dropped). Not on
    /// Characters: `\r\n` is one grapheme to Swift, so a split on "\n" would join two lines.
    static func hookLines(_ input: String) -> [Substring] {
        input.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            Substring(bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes)
        }
    }

    /// The fields of a hook line, split on space bytes (a space followed by a combining mark is
    /// one Character, but still git's separator).
    static func hookFields(_ line: Substring) -> [Substring] {
        line.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// A 40- or 64-digit hexadecimal object name; all zeros means "none".
    static func objectName(_ field: Substring, _ malformed: (String) -> HookInputError) throws(HookInputError) -> ObjectID? {
        guard field.utf8.count == 40 || field.utf8.count == 64,
            field.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) })
        else {
            throw malformed("'\(field.prefix(80))' is not an object name (40 or 64 hexadecimal digits)")
        }
        if field.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) { return nil }
        guard let id = ObjectID(hex: String(field)) else {
            throw malformed("'\(field)' is a SHA-256 object name; libgit2 1.5 reads SHA-1 repositories only")
        }
        return id
    }

    /// A full, well-formed ref name (`refs/…`).
    static func refName(_ field: Substring, _ malformed: (String) -> HookInputError) throws(HookInputError) -> String {
        let name = String(field)
        guard name.hasPrefix("refs/"), RefNameFormat.isValid(name) else {
            throw malformed("'\(field.prefix(200))' is not a valid full ref name")
        }
        return name
    }
}
