import Foundation
import GitFiles
import TestSupport
import Testing

@testable import ReleaseGuardian

/// `LedgerJSON` held to Foundation's coders, which it stands in for: over generated records
/// (every optional present, absent or null; keys in any order; whitespace; escapes; control
/// characters, quotes, combining marks, emoji, bytes that are not UTF-8), the reader answers what
/// `JSONDecoder` answers or `.unknown`, mangled input included, and the writer writes what
/// `JSONEncoder` writes, byte for byte.
struct LedgerJSONTests {
    /// Characters that JSON and Unicode make special, and ordinary ones.
    static let pool: [Character] =
        Array("abcXYZ019 -_.:@<>|#v") + ["\"", "\\", "/", "{", "}", "[", "]", ",", "\u{0}", "\u{1}", "\u{8}", "\t", "\n", "\u{C}", "\r"]
        + ["\u{1F}", "\u{7F}", "é", "e\u{301}", "\u{600}", "\u{2028}", "😀", "日", "\u{FEFF}", "\u{FFFD}"]

    static func text(_ random: inout SeededRandom, empty: Bool = true) -> String {
        let count = Int.random(in: (empty ? 0 : 1)...12, using: &random)
        return String((0..<count).map { _ in random.chance(0.6) ? random.pick(Array("abcdefv1.0 ")) : random.pick(pool) })
    }

    static func optional(_ random: inout SeededRandom) -> String? {
        random.chance(0.3) ? nil : text(&random)
    }

    static func record(_ random: inout SeededRandom) -> LedgerRecord {
        let targets = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            LedgerRecord.Target(target: text(&random), before: optional(&random), after: optional(&random), result: optional(&random))
        }
        let strings: (inout SeededRandom) -> [String]? = { random in
            random.chance(0.3) ? nil : (0..<Int.random(in: 0...2, using: &random)).map { _ in text(&random) }
        }
        let checks: [LedgerRecord.Check]? =
            random.chance(0.3)
            ? nil : (0..<Int.random(in: 0...2, using: &random)).map { _ in LedgerRecord.Check(name: text(&random), result: text(&random)) }
        return LedgerRecord(
            id: optional(&random), outcome: optional(&random), action: text(&random), environment: text(&random), ref: optional(&random),
            tag: optional(&random), version: optional(&random), commit: text(&random), targets: targets, who: text(&random),
            when: text(&random), reason: optional(&random), backups: strings(&random), checks: checks, migrations: strings(&random),
            process: optional(&random), note: optional(&random))
    }

    static func encoded<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    /// What the ledger's reading did before `LedgerJSON`: the message made a String (bytes that
    /// are not UTF-8 repaired), then `JSONDecoder`.
    static func decoded(_ bytes: [UInt8]) -> LedgerRecord? {
        try? JSONDecoder().decode(LedgerRecord.self, from: Data(String(decoding: bytes, as: UTF8.self).utf8))
    }

    static func fast(_ bytes: [UInt8]) -> Answer<LedgerRecord> {
        bytes.withUnsafeBufferPointer { LedgerJSON.record($0) }
    }

    /// The same JSON written otherwise: keys shuffled, whitespace, escapes where none are
    /// needed, nulls for absent optionals. `JSONSerialization` gives the tree to rewrite.
    static func rewritten(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        guard let tree = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return bytes }
        var out = ""
        func space() { if random.chance(0.2) { out += random.pick([" ", "\n", "\t", "\r\n  "]) } }
        func string(_ text: String) {
            out += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/" where random.chance(0.5): out += "\\/"
                case "\u{8}" where random.chance(0.5): out += "\\b"
                case "\t" where random.chance(0.5): out += "\\t"
                case "\n" where random.chance(0.5): out += "\\n"
                case "\u{C}" where random.chance(0.5): out += "\\f"
                case "\r" where random.chance(0.5): out += "\\r"
                case _ where scalar.value < 0x20 || random.chance(0.1):
                    for unit in String(scalar).utf16 { out += String(format: random.chance(0.5) ? "\\u%04x" : "\\u%04X", unit) }
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        func value(_ node: Any) {
            space()
            if let text = node as? String {
                string(text)
            } else if let list = node as? [Any] {
                out += "["
                for (index, element) in list.enumerated() {
                    if index > 0 { out += "," }
                    value(element)
                }
                space()
                out += "]"
            } else if let object = node as? [String: Any] {
                var members = object.map { ($0.key, $0.value as Any) }.shuffled(using: &random)
                // An absent optional written as null, as another writer may.
                let optionals =
                    object["action"] != nil
                    ? ["id", "outcome", "ref", "tag", "version", "reason", "backups", "checks", "migrations", "process", "note"]
                    : object["target"] != nil ? ["before", "after", "result"] : []
                for key in optionals where object[key] == nil && random.chance(0.3) {
                    members.insert((key, NSNull()), at: Int.random(in: 0...members.count, using: &random))
                }
                out += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { out += "," }
                    space()
                    string(member.0)
                    space()
                    out += ":"
                    value(member.1)
                }
                space()
                out += "}"
            } else if node is NSNull {
                out += "null"
            } else {
                out += "\(node)"
            }
            space()
        }
        value(tree)
        return Array(out.utf8)
    }

    /// Bytes replaced, inserted or deleted: JSON's punctuation, literals, numbers, bytes that
    /// are not UTF-8.
    static func mangled(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = bytes
        let pool: [[UInt8]] = [
            Array("\"".utf8), Array("\\".utf8), Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("]".utf8),
            Array(",".utf8), Array(":".utf8), Array("null".utf8), Array("true".utf8), Array("12".utf8), Array(" ".utf8),
            Array("\"extra\":1,".utf8), Array("\\u".utf8), Array("\\ud800".utf8), Array("\\udc00".utf8), [0x00], [0x0A], [0x80], [0xC3],
            [0xE2, 0x82], [0xFF], Array("é".utf8), Array("\u{301}".utf8), Array("\"action\":\"x\",".utf8),
        ]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0 where !bytes.isEmpty: bytes.replaceSubrange(index...index, with: random.pick(pool))
            case 1: bytes.insert(contentsOf: random.pick(pool), at: index)
            default: if !bytes.isEmpty { bytes.remove(at: index) }
            }
        }
        return bytes
    }

    /// The reader's answer is JSONDecoder's, byte for byte once encoded again, or `.unknown`.
    static func agree(_ bytes: [UInt8]) -> (agrees: Bool, known: Bool) {
        let reference = decoded(bytes)
        switch fast(bytes) {
        case .unknown: return (true, false)
        case .known(let record): return (reference.map { encoded($0) == encoded(record) } ?? false, true)
        }
    }

    @Test func readsWhatTheLedgerWritesAsJSONDecoderDoes() {
        var random = SeededRandom(seed: 0x1ED6_E500)
        for _ in 0..<3_000 {
            let record = Self.record(&random)
            let bytes = Self.encoded(record)
            let answer = Self.fast(bytes)
            #expect(
                answer.value.map { Self.encoded($0) == bytes } == true, "seed \(random.seed): \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func answersAsJSONDecoderOrUnknownForTheSameJSONWrittenOtherwise() {
        var random = SeededRandom(seed: 0x1ED6_E501)
        var known = 0
        for _ in 0..<3_000 {
            let bytes = Self.rewritten(Self.encoded(Self.record(&random)), &random)
            let (agrees, isKnown) = Self.agree(bytes)
            #expect(agrees, "seed \(random.seed): \(String(decoding: bytes, as: UTF8.self))")
            if isKnown { known += 1 }
        }
        // Whitespace, escapes and nulls are read, not left to JSONDecoder.
        #expect(known == 3_000, "\(known) of 3000 read")
    }

    @Test func answersAsJSONDecoderOrUnknownForMangledJSON() {
        var random = SeededRandom(seed: 0x1ED6_E502)
        var known = 0
        var decodable = 0
        for _ in 0..<6_000 {
            let bytes = Self.mangled(Self.encoded(Self.record(&random)), &random)
            let (agrees, isKnown) = Self.agree(bytes)
            #expect(agrees, "seed \(random.seed): \(bytes)")
            if isKnown { known += 1 }
            if Self.decoded(bytes) != nil { decodable += 1 }
        }
        // The mangling leaves some records readable (inside a string): those are read too.
        #expect(known > 0 && decodable >= known, "\(known) read, \(decodable) decodable")
    }

    /// The record found in a message as `parse(message:)` finds it: titles with braces, carriage
    /// returns, non-ASCII letters or no blank line after them, and combining marks, prepended
    /// characters and braces beside the JSON's own.
    @Test func findsTheRecordInAMessageAsTheStringSearchDoes() {
        var random = SeededRandom(seed: 0x1ED6_E503)
        let titles = [
            "revert-to v1.0.0 on prod: done\n\n", "deploy refs/heads/feature/a{b} on review: done\n\n", "deploy a}b on x: done\n\n",
            "revert-to v1.0.0 on prod: done\r\n\r\n", "revert-to v1.0.0 on prod: done\r\n\n", "déploiement on prod\n\n", "no blank line\n",
            "", "title\n\n\n", "\n\n",
        ]
        let around = ["", "\n", "x", "\u{301}", "\u{600}", "}", "{", "é", " ", "\u{200D}", "\r\n", "\n\n"]
        for _ in 0..<3_000 {
            var json = Self.encoded(Self.record(&random))
            if random.chance(0.3) { json = Self.mangled(json, &random) }
            let message =
                Array("\(random.pick(titles))\(random.pick(around))".utf8) + json + Array("\(random.pick(around))\n".utf8)
            let reference = LedgerRecord.parse(message: String(decoding: message, as: UTF8.self))
            let fast = message.withUnsafeBufferPointer { LedgerRecord.parse(message: $0) }
            #expect(fast.map(Self.encoded) == reference.map(Self.encoded), "seed \(random.seed): \(message)")
        }
    }

    @Test func writesWhatJSONEncoderWrites() {
        var random = SeededRandom(seed: 0x1ED6_E504)
        for _ in 0..<300 {
            let records = (0..<Int.random(in: 0...8, using: &random)).map { _ in Self.record(&random) }
            let written = Array(LedgerJSON.array(records).utf8)
            #expect(written == Self.encoded(records), "seed \(random.seed)")
        }
        // Every control character, and the ones JSON does not escape.
        var all = Self.record(&random)
        all.reason = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init))) + "\u{2028}\u{2029}😀/"
        #expect(Array(LedgerJSON.array([all]).utf8) == Self.encoded([all]))
    }
}
