import GitFiles

/// The JSON of ledger records read and written without Foundation's coders, which cost
/// 15–25 µs a record: `history --json` over a ledger of 10,000 records took 0.6 s, most of it in
/// `JSONDecoder` and `JSONEncoder`.
///
/// The reader reads what release-guardian writes (the record's keys in any order, whitespace,
/// every escape of RFC 8259) and answers `.unknown` for anything else — a key it does not know,
/// one given twice, a number, `true`, a `null` where a value is required, a lone surrogate — for
/// `JSONDecoder` to decide. The writer writes what `JSONEncoder` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes`, byte for byte. `LedgerJSONTests` holds both to Foundation's over
/// generated records, mangled ones included.
enum LedgerJSON {
    /// The record in `json` (one JSON object, as the ledger commit's message holds it).
    static func record(_ json: UnsafeBufferPointer<UInt8>) -> Answer<LedgerRecord> {
        var reader = Reader(bytes: json)
        guard let record = reader.record(), reader.atEnd else { return .unknown }
        return .known(record)
    }

    /// `records` as one JSON array, as `JSONEncoder` writes it with `.sortedKeys` and
    /// `.withoutEscapingSlashes`.
    static func array(_ records: [LedgerRecord]) -> String {
        var writer = Writer()
        writer.byte(UInt8(ascii: "["))
        for (index, record) in records.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.record(record)
        }
        writer.byte(UInt8(ascii: "]"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

// MARK: Reading

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after any whitespace) when it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// `null`, consumed when it comes next.
    mutating func takeNull() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// An object whose members `member` reads: given the key, it reads the value and returns
    /// the key's number (below 32), or nil when it does not understand them. A key given twice is
    /// not understood either.
    mutating func object(_ member: (inout Reader, String) -> Int?) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var seen: UInt32 = 0
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), let number = member(&self, key), seen & (1 << number) == 0 else {
                return false
            }
            seen |= 1 << number
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// An array whose elements `element` reads.
    mutating func array(_ element: (inout Reader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard element(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// A string, or nil for `null` (`present` false), or `.none` when neither.
    mutating func optionalString() -> String?? {
        if takeNull() { return .some(nil) }
        return string().map { .some($0) } ?? .none
    }

    mutating func strings() -> [String]?? {
        if takeNull() { return .some(nil) }
        var values: [String] = []
        guard array({ reader in reader.string().map { values.append($0) } != nil }) else { return .none }
        return .some(values)
    }

    /// A JSON string. Bytes that are not UTF-8 are repaired as `String(cString:)` repairs them
    /// (the ledger's messages are read that way before `JSONDecoder` sees them).
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            index += 1
        }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: text, as: UTF8.self) }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4() else { return nil }
                var value = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit) {
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        return nil
                    }
                    index += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00..<0xE000).contains(unit) {
                    return nil
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                text.append(contentsOf: UTF8.encode(scalar)!)
            default:
                return nil
            }
        }
        return nil
    }

    /// Four hex digits after `\u`.
    mutating func hex4() -> UInt16? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    mutating func record() -> LedgerRecord? {
        var id: String?
        var outcome: String?
        var action: String?
        var environment: String?
        var ref: String?
        var tag: String?
        var version: String?
        var commit: String?
        var targets: [LedgerRecord.Target]?
        var who: String?
        var when: String?
        var reason: String?
        var backups: [String]?
        var checks: [LedgerRecord.Check]?
        var migrations: [String]?
        var process: String?
        var note: String?
        let understood = object { reader, key in
            // Optional members may be null; required ones must hold their value.
            func optional(_ value: inout String?, _ number: Int) -> Int? {
                guard let read = reader.optionalString() else { return nil }
                value = read
                return number
            }
            func required(_ value: inout String?, _ number: Int) -> Int? {
                value = reader.string()
                return value == nil ? nil : number
            }
            switch key {
            case "id": return optional(&id, 0)
            case "outcome": return optional(&outcome, 1)
            case "action": return required(&action, 2)
            case "environment": return required(&environment, 3)
            case "ref": return optional(&ref, 4)
            case "tag": return optional(&tag, 5)
            case "version": return optional(&version, 6)
            case "commit": return required(&commit, 7)
            case "who": return required(&who, 8)
            case "when": return required(&when, 9)
            case "reason": return optional(&reason, 10)
            case "process": return optional(&process, 11)
            case "note": return optional(&note, 12)
            case "backups":
                guard let read = reader.strings() else { return nil }
                backups = read
                return 13
            case "migrations":
                guard let read = reader.strings() else { return nil }
                migrations = read
                return 14
            case "targets":
                var read: [LedgerRecord.Target] = []
                guard reader.array({ reader in reader.target().map { read.append($0) } != nil }) else { return nil }
                targets = read
                return 15
            case "checks":
                if reader.takeNull() { return 16 }
                var read: [LedgerRecord.Check] = []
                guard reader.array({ reader in reader.check().map { read.append($0) } != nil }) else { return nil }
                checks = read
                return 16
            default:
                return nil
            }
        }
        guard understood, let action, let environment, let commit, let targets, let who, let when else { return nil }
        return LedgerRecord(
            id: id, outcome: outcome, action: action, environment: environment, ref: ref, tag: tag, version: version, commit: commit,
            targets: targets, who: who, when: when, reason: reason, backups: backups, checks: checks, migrations: migrations,
            process: process, note: note)
    }

    mutating func target() -> LedgerRecord.Target? {
        var target: String?
        var before: String?
        var after: String?
        var result: String?
        let understood = object { reader, key in
            func optional(_ value: inout String?, _ number: Int) -> Int? {
                guard let read = reader.optionalString() else { return nil }
                value = read
                return number
            }
            switch key {
            case "target":
                target = reader.string()
                return target == nil ? nil : 0
            case "before": return optional(&before, 1)
            case "after": return optional(&after, 2)
            case "result": return optional(&result, 3)
            default: return nil
            }
        }
        guard understood, let target else { return nil }
        return LedgerRecord.Target(target: target, before: before, after: after, result: result)
    }

    mutating func check() -> LedgerRecord.Check? {
        var name: String?
        var result: String?
        let understood = object { reader, key in
            switch key {
            case "name":
                name = reader.string()
                return name == nil ? nil : 0
            case "result":
                result = reader.string()
                return result == nil ? nil : 1
            default: return nil
            }
        }
        guard understood, let name, let result else { return nil }
        return LedgerRecord.Check(name: name, result: result)
    }
}

// MARK: Writing

private struct Writer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string as `JSONEncoder` escapes it: `"`, `\` and the control characters (`\b \t \n \f
    /// \r`, else `\u00xx`); everything else as it is, copied a run at a time.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var run = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x08: raw("\\b")
                case 0x09: raw("\\t")
                case 0x0A: raw("\\n")
                case 0x0C: raw("\\f")
                case 0x0D: raw("\\r")
                default:
                    raw("\\u00")
                    let digits: StaticString = "0123456789abcdef"
                    digits.withUTF8Buffer { hex in
                        bytes.append(hex[Int(byte >> 4)])
                        bytes.append(hex[Int(byte & 0x0F)])
                    }
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `[…]`, each element written by `element`.
    mutating func array<Element>(_ values: [Element], _ element: (inout Writer, Element) -> Void) {
        byte(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { byte(UInt8(ascii: ",")) }
            element(&self, value)
        }
        byte(UInt8(ascii: "]"))
    }

    mutating func strings(_ values: [String]) {
        array(values) { $0.string($1) }
    }

    /// Members in the order given (the callers give them sorted), nil ones left out.
    mutating func member(_ key: StaticString, _ first: inout Bool, _ value: (inout Writer) -> Void) {
        byte(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        byte(UInt8(ascii: "\""))
        raw(key)
        raw("\":")
        value(&self)
    }

    mutating func member(_ key: StaticString, _ first: inout Bool, _ value: String?) {
        guard let value else { return }
        member(key, &first) { $0.string(value) }
    }

    mutating func close(_ first: Bool) {
        if first { byte(UInt8(ascii: "{")) }
        byte(UInt8(ascii: "}"))
    }

    mutating func record(_ record: LedgerRecord) {
        var first = true
        member("action", &first, record.action)
        if let backups = record.backups { member("backups", &first) { $0.strings(backups) } }
        if let checks = record.checks {
            member("checks", &first) {
                $0.array(checks) { writer, check in
                    var first = true
                    writer.member("name", &first, check.name)
                    writer.member("result", &first, check.result)
                    writer.close(first)
                }
            }
        }
        member("commit", &first, record.commit)
        member("environment", &first, record.environment)
        member("id", &first, record.id)
        if let migrations = record.migrations { member("migrations", &first) { $0.strings(migrations) } }
        member("note", &first, record.note)
        member("outcome", &first, record.outcome)
        member("process", &first, record.process)
        member("reason", &first, record.reason)
        member("ref", &first, record.ref)
        member("tag", &first, record.tag)
        member("targets", &first) {
            $0.array(record.targets) { writer, target in
                var first = true
                writer.member("after", &first, target.after)
                writer.member("before", &first, target.before)
                writer.member("result", &first, target.result)
                writer.member("target", &first, target.target)
                writer.close(first)
            }
        }
        member("version", &first, record.version)
        member("when", &first, record.when)
        member("who", &first, record.who)
        close(first)
    }
}
