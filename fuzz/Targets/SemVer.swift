// libFuzzer target: SemanticVersion parsing and precedence.
//
// The input is up to three versions, one per line. For each line: parsing never crashes, it
// accepts exactly what the official semver.org regex accepts (with ASCII digits, anchored on
// the whole string), an accepted version prints back as the same text and parses back to the
// same value, and the `v` prefix form agrees. Across the versions: `compare` answers -1, 0 or 1,
// is reflexive, antisymmetric and transitive, ignores build metadata, and agrees with `<`.
import Foundation
@testable import ReleaseGuardian

/// semver.org's suggested regex, `\d` spelled `[0-9]` (the grammar's digits are ASCII; ICU's `\d`
/// would also match other scripts' digits) and anchored with `\A…\z` (ICU's `$` matches before a
/// final newline).
private let official = try! NSRegularExpression(
    pattern:
        #"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\z"#
)

private func officialRegexAccepts(_ text: String) -> Bool {
    official.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
}

@_cdecl("LLVMFuzzerTestOneInput")
public func semverTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var versions: [SemanticVersion] = []
    for line in input.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) {
        let parsed = try? SemanticVersion(parsing: line)
        check(officialRegexAccepts(line) == (parsed != nil), "parse and the official regex disagree on \(line.debugDescription)")
        check((try? SemanticVersion(parsingAllowingPrefix: "v" + line)) == parsed, "the v prefix changes \(line.debugDescription)")
        guard let version = parsed else { continue }
        check(version.description == line, "\(line.debugDescription) prints back as \(version.description.debugDescription)")
        check((try? SemanticVersion(parsing: version.description)) == version, "\(line.debugDescription) does not round-trip")
        versions.append(version)
    }
    for a in versions {
        check(SemanticVersion.compare(a, a) == 0, "\(a) is not equal to itself")
        let withoutBuild = SemanticVersion(major: a.major, minor: a.minor, patch: a.patch, prerelease: a.prerelease)
        check(SemanticVersion.compare(a, withoutBuild) == 0, "build metadata of \(a) changes its precedence")
        check(SemanticVersion.compare(a.core, a) == (a.isPrerelease ? 1 : 0), "\(a) and its core \(a.core) are misordered")
        for b in versions {
            let ab = SemanticVersion.compare(a, b)
            check([-1, 0, 1].contains(ab), "compare(\(a), \(b)) = \(ab)")
            check(SemanticVersion.compare(b, a) == -ab, "compare is not antisymmetric on \(a), \(b)")
            check((a < b) == (ab < 0), "< disagrees with compare on \(a), \(b)")
            for c in versions where ab <= 0 && SemanticVersion.compare(b, c) <= 0 {
                check(SemanticVersion.compare(a, c) <= 0, "compare is not transitive on \(a) ≤ \(b) ≤ \(c)")
            }
        }
    }
    return 0
}
