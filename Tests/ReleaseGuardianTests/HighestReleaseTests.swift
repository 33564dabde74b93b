import TestSupport
import Testing

@testable import ReleaseGuardian

/// `status` finds an environment's highest final release with `ReleaseTagIndex` (one pass over
/// the tag names' bytes), where it made a `TagName` of every name: the same tag over generated
/// sets of names (release tags, pre-releases, build metadata, leading zeros, `V` and doubled
/// `v`, numbers too long for 64 bits, names that are not versions).
struct HighestReleaseTests {
    static func name(_ random: inout SeededRandom) -> String {
        func number() -> String {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: "0"
            case 1: "0\(Int.random(in: 1...9, using: &random))"
            case 2: String(repeating: "9", count: Int.random(in: 19...22, using: &random))
            default: "\(Int.random(in: 1...30, using: &random))"
            }
        }
        var name = "\(number()).\(number()).\(number())"
        if random.chance(0.2) { name += "-" + random.pick(["rc.1", "rc.2", "beta", "alpha.0", "0"]) }
        if random.chance(0.05) { name += "+build.7" }
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return "V" + name
        case 1: return "vv" + name
        case 2: return name
        case 3: return random.pick(["release-1", "latest", "v1.2", "v1", "v1.2.3.4", "vx.y.z"])
        default: return "v" + name
        }
    }

    /// What `status` did before: the highest `TagName(name).version` that is not a pre-release.
    static func scanned(_ names: [String]) -> String? {
        var best: (SemanticVersion, String)?
        for name in names {
            if let version = TagName(name).version, !version.isPrerelease, best.map({ version > $0.0 }) ?? true { best = (version, name) }
        }
        return best?.1
    }

    @Test func findsTheTagTheTagNameScanFound() {
        var random = SeededRandom(seed: 0x5747_0501)
        for _ in 0..<2_000 {
            let names = (0..<Int.random(in: 0...40, using: &random)).map { _ in Self.name(&random) }
            var index = ReleaseTagIndex(tracking: [])
            for name in names {
                var bytes = Array(name.utf8)
                bytes.withUnsafeMutableBufferPointer { index.insert(tagNameBytes: UnsafeBufferPointer($0)) }
            }
            #expect(index.highestFinal()?.name == Self.scanned(names), "seed \(random.seed): \(names)")
        }
    }
}
