import Foundation
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The parser against the official SemVer 2.0.0 regular expression (semver.org, "Is there a
/// suggested regular expression"), and precedence against an independent reading of §11, over
/// generated inputs.
struct SemanticVersionFuzzTests {
    /// semver.org's regex, with `\d` spelled `[0-9]` (the specification means ASCII digits; ICU's
    /// `\d` also matches fullwidth ones) and anchors that do not allow a final newline.
    static let official = try! NSRegularExpression(
        pattern: #"""
            \A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\z
            """#)

    static func matchesOfficial(_ text: String) -> Bool {
        official.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static let pieces = [
        "0", "1", "9", "12", "01", "00", "99999999999999999999", "18446744073709551616", ".", ".", ".", "-", "-",
        "+", "a", "Z", "rc", "alpha", "x-y", "0a", "v", "\u{FF11}", " ", "\n", "\u{00E9}", "_", "..", "+build",
    ]

    /// Mostly version-shaped strings, some of them broken by a random piece.
    static func candidate(_ random: inout SeededRandom) -> String {
        func number() -> String { ["0", "1", "7", "10", "01", "123", "99999999999999999999"].randomElement(using: &random)! }
        func identifier() -> String {
            (0..<Int.random(in: 1...3, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        if Int.random(in: 0..<5, using: &random) == 0 {
            return (0..<Int.random(in: 1...10, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        var text = "\(number()).\(number()).\(number())"
        if Bool.random(using: &random) {
            text += "-" + (0..<Int.random(in: 1...3, using: &random)).map { _ in identifier() }.joined(separator: ".")
        }
        if Int.random(in: 0..<3, using: &random) == 0 {
            text += "+" + (0..<Int.random(in: 1...2, using: &random)).map { _ in identifier() }.joined(separator: ".")
        }
        return text
    }

    @Test func agreesWithTheOfficialRegexOnGeneratedStrings() {
        var random = SeededRandom(seed: 2_000)
        var valid = 0
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let text = Self.candidate(&random)
            let parsed = try? SemanticVersion(parsing: text)
            if (parsed != nil) != Self.matchesOfficial(text) { disagreements.append(text) }
            if let parsed {
                valid += 1
                if parsed.description != text { disagreements.append("round trip: \(text) -> \(parsed)") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).map(\.debugDescription))")
        #expect(valid > 2_000 && valid < 18_000, "the generator is lopsided: \(valid) valid of 20000")
    }

    /// §11, read independently: numbers by length then digits, pre-release identifiers
    /// numeric-below-alphanumeric, ASCII order, more fields higher; build ignored.
    static func referenceCompare(_ a: String, _ b: String) -> Int {
        func split(_ text: String) -> (core: [String], pre: [String]?) {
            let noBuild = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let parts = noBuild.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            return (
                parts[0].split(separator: ".").map(String.init), parts.count > 1 ? parts[1].split(separator: ".").map(String.init) : nil
            )
        }
        func numeric(_ x: String, _ y: String) -> Int {
            x.count != y.count ? (x.count < y.count ? -1 : 1) : (x == y ? 0 : (x < y ? -1 : 1))
        }
        let (l, r) = (split(a), split(b))
        for (x, y) in zip(l.core, r.core) where x != y { return numeric(x, y) }
        switch (l.pre, r.pre) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            for (p, q) in zip(x, y) where p != q {
                let (pn, qn) = (p.allSatisfy(\.isASCIIDigit), q.allSatisfy(\.isASCIIDigit))
                if pn && qn { return numeric(p, q) }
                if pn != qn { return pn ? -1 : 1 }
                return Array(p.utf8).lexicographicallyPrecedes(Array(q.utf8)) ? -1 : 1
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        }
    }

    @Test func comparesConsistentlyAndAsTheSpecificationSays() throws {
        var random = SeededRandom(seed: 11)
        var versions: [(text: String, version: SemanticVersion)] = []
        while versions.count < 400 {
            let text = Self.candidate(&random)
            if let version = try? SemanticVersion(parsing: text) { versions.append((text, version)) }
        }
        for a in versions {
            #expect(SemanticVersion.compare(a.version, a.version) == 0)
            for b in versions.prefix(120) {
                let order = SemanticVersion.compare(a.version, b.version)
                #expect(order == -SemanticVersion.compare(b.version, a.version), "antisymmetry: \(a.text) \(b.text)")
                #expect(order == Self.referenceCompare(a.text, b.text), "\(a.text) vs \(b.text): \(order)")
                #expect((order == 0) == (a.version.core == b.version.core && a.version.prerelease == b.version.prerelease))
            }
        }
        // Transitivity: a sorted list is ordered pairwise.
        let sorted = versions.map(\.version).sorted()
        for (lower, higher) in zip(sorted, sorted.dropFirst()) { #expect(SemanticVersion.compare(lower, higher) <= 0) }
        for i in stride(from: 0, to: sorted.count, by: 37) {
            for j in stride(from: i, to: sorted.count, by: 41) { #expect(SemanticVersion.compare(sorted[i], sorted[j]) <= 0) }
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
