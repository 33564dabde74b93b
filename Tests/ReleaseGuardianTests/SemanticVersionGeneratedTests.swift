import Foundation
import TestSupport
import Testing
@testable import ReleaseGuardian

/// Generated, seeded inputs held against references written independently of the parser: the
/// official semver.org regex for validity, and a comparison of the spec's §11 written here.
struct SemanticVersionGeneratedTests {
    /// semver.org's regex, `\d` spelled `[0-9]` (the grammar's digits are ASCII; ICU's `\d` also
    /// matches other scripts' digits) and anchored with `\A…\z` (ICU's `$` matches before a final
    /// newline).
    static let official = try! NSRegularExpression(
        pattern:
            #"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\z"#
    )

    static func officialMatch(_ text: String) -> NSTextCheckingResult? {
        official.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    }

    static let numbers = [
        "0", "1", "2", "9", "10", "18446744073709551615", "18446744073709551616", "9999999999999999999",
        "99999999999999999999999",
    ]
    static let badNumbers = ["01", "00", "", "-1", "１", "٣", "1a", " 1", "1 "]
    static let identifiers = [
        "alpha", "beta", "rc", "0", "1", "10", "a-b", "-", "--", "0a", "A", "Z", "z", "x.y", "-rc",
        "99999999999999999999999", "0-0", "00a",
    ]
    static let badIdentifiers = ["01", "", "a_b", "é", "1.", ".1", "+", "00"]
    static let junk: [Character] = ["0", "1", "9", ".", "-", "+", "a", "Z", "_", " ", "\n", "v", "é", "\u{0}", "１", "\u{200B}"]

    /// A string shaped like a version, often valid, often broken in one place.
    static func candidate(_ random: inout SeededRandom) -> String {
        func number(_ random: inout SeededRandom) -> String { random.chance(0.95) ? random.pick(numbers) : random.pick(badNumbers) }
        func identifier(_ random: inout SeededRandom) -> String {
            random.chance(0.95) ? random.pick(identifiers) : random.pick(badIdentifiers)
        }
        var text = (0..<random.pick([3, 3, 3, 3, 3, 3, 2, 4])).map { _ in number(&random) }.joined(separator: ".")
        if random.chance(0.5) {
            text += "-" + (0..<Int.random(in: 1...3, using: &random)).map { _ in identifier(&random) }.joined(separator: ".")
        }
        if random.chance(0.3) {
            text += "+" + (0..<Int.random(in: 1...3, using: &random)).map { _ in identifier(&random) }.joined(separator: ".")
        }
        return random.chance(0.3) ? random.mutate(text, count: 2, pool: junk) : text
    }

    @Test func acceptsExactlyWhatTheOfficialRegexAccepts() {
        var random = SeededRandom(seed: 20_240_601)
        var accepted = 0
        var mismatches: [String] = []
        for _ in 0..<284_000 {
            let text = Self.candidate(&random)
            let parsed = try? SemanticVersion(parsing: text)
            if (parsed != nil) != (Self.officialMatch(text) != nil) { mismatches.append(text) }
            if let parsed {
                accepted += 1
                if parsed.description != text { mismatches.append("round trip: \(text)") }
            }
        }
        #expect(mismatches.isEmpty, "seed \(random.seed): \(mismatches.prefix(10).map(\.debugDescription))")
        // The generator must reach both sides, or the test proves nothing.
        #expect(accepted > 28_000 && accepted < 256_000, "\(accepted) accepted")
    }

    // MARK: Precedence against a reference

    /// §11, written from the specification with the regex's capture groups and plain strings.
    static func referenceCompare(_ a: String, _ b: String) -> Int {
        func parts(_ text: String) -> (core: [String], pre: [String]) {
            let match = officialMatch(text)!
            let group = { (index: Int) -> String? in Range(match.range(at: index), in: text).map { String(text[$0]) } }
            return ([group(1)!, group(2)!, group(3)!], group(4).map { $0.components(separatedBy: ".") } ?? [])
        }
        func isNumeric(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 } }
        func numeric(_ l: String, _ r: String) -> Int {  // no leading zeros: longer is larger
            if l.count != r.count { return l.count < r.count ? -1 : 1 }
            return l == r ? 0 : (l < r ? -1 : 1)  // same length, ASCII digits: string order is number order
        }
        let (l, r) = (parts(a), parts(b))
        for (x, y) in zip(l.core, r.core) where numeric(x, y) != 0 { return numeric(x, y) }
        if l.pre.isEmpty || r.pre.isEmpty { return l.pre.isEmpty == r.pre.isEmpty ? 0 : (l.pre.isEmpty ? 1 : -1) }
        for (x, y) in zip(l.pre, r.pre) where x != y {
            switch (isNumeric(x), isNumeric(y)) {
            case (true, true): return numeric(x, y)
            case (true, false): return -1
            case (false, true): return 1
            case (false, false): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1
            }
        }
        return l.pre.count == r.pre.count ? 0 : (l.pre.count < r.pre.count ? -1 : 1)
    }

    /// A valid version from small pools, so that ties and shared prefixes are common.
    static func validVersion(_ random: inout SeededRandom) -> String {
        let numbers = ["0", "1", "2", "10", "18446744073709551615", "18446744073709551616", "99999999999999999999"]
        let identifiers = ["alpha", "beta", "rc", "0", "1", "2", "10", "a", "A", "Z", "z", "-", "a-1", "1a", "99999999999999999999999"]
        var text = (0..<3).map { _ in random.chance(0.7) ? random.pick(Array(numbers.prefix(2))) : random.pick(numbers) }.joined(
            separator: ".")
        if random.chance(0.7) {
            text += "-" + (0..<Int.random(in: 1...3, using: &random)).map { _ in random.pick(identifiers) }.joined(separator: ".")
        }
        if random.chance(0.2) { text += "+build." + random.pick(["1", "2", "x"]) }
        return text
    }

    @Test func ordersAsAReferenceWrittenFromTheSpecification() throws {
        var random = SeededRandom(seed: 7_000)
        var mismatches: [String] = []
        var orders = [-1: 0, 0: 0, 1: 0]
        for _ in 0..<7_000 {
            let a = Self.validVersion(&random)
            let b = random.chance(0.1) ? a : Self.validVersion(&random)
            let expected = Self.referenceCompare(a, b)
            orders[expected, default: 0] += 1
            let (x, y) = (try SemanticVersion(parsing: a), try SemanticVersion(parsing: b))
            let actual = SemanticVersion.compare(x, y)
            if actual != expected || SemanticVersion.compare(y, x) != -expected || (x < y) != (expected < 0) {
                mismatches.append("\(a) vs \(b): \(actual), expected \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "seed \(random.seed): \(mismatches.prefix(10))")
        #expect(orders.values.allSatisfy { $0 > 500 }, "\(orders)")
    }
}
