import Foundation
import Git
import TestSupport
import Testing

@testable import ReleaseGuardian

/// `audit` judges every tag in one pass, `ci` one tag at a time (`TagHistory`, the whole index):
/// two implementations of one answer. Over seeded generated histories (skips, pre-releases
/// before and after their release, hotfixes on maintenance branches, tags on no branch, tags
/// made at the same second or out of version order, other spellings, floating and other names,
/// annotated and lightweight), each tag's violations from the audit equal `ci`'s, message for
/// message.
struct AuditDifferentialTests {
    /// A random history: mostly the next version on main, with every kind of imperfection.
    static func history(_ random: inout SeededRandom) -> TagShapes {
        var tags: [TagShapes.Tag] = []
        var branches: [(name: String, from: String)] = []
        var committedOf: [String: Int64] = [:]
        var releases: [(name: String, major: Int, minor: Int, patch: Int)] = []
        var (major, minor, patch) = (1, 0, 0)
        var time: Int64 = 1_600_000_000
        func add(_ name: String, placement: TagShapes.Placement = .branch("main"), annotated: Bool? = nil) {
            guard !tags.contains(where: { $0.name == name }) else { return }
            let annotated = annotated ?? random.chance(0.4)
            // Mostly later than the last tag; sometimes the same second, or earlier.
            switch Int.random(in: 0..<10, using: &random) {
            case 0: break
            case 1: time -= Int64.random(in: 1...5_000, using: &random)
            default: time += Int64.random(in: 1...90_000, using: &random)
            }
            var committed = annotated ? time - Int64.random(in: 0...3_000, using: &random) : time
            if case .commitOf(let other) = placement, let known = committedOf[other] { committed = known }
            let made = annotated ? max(time, committed) : committed
            committedOf[name] = committed
            tags.append(TagShapes.Tag(name, annotated: annotated, made: made, committed: committed, placement: placement))
        }
        for _ in 0..<Int.random(in: 5...35, using: &random) {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<50: patch += 1
            case 50..<64: (minor, patch) = (minor + 1, 0)
            case 64..<68: (major, minor, patch) = (major + 1, 0, 0)
            case 68..<72: patch += 2  // a skip
            case 72..<74: (minor, patch) = (minor + 2, 0)
            case 74..<80:
                // A pre-release: of the next version, or (cut late) of one already released.
                let late = random.chance(0.4) && patch > 0
                add(
                    "v\(major).\(minor).\(late ? patch - 1 : patch + 1)-\(random.pick(["rc.1", "beta.0", "alpha.1"]))",
                    placement: placement(&random))
                continue
            case 80..<86 where !releases.isEmpty:
                // A hotfix of an older line, on its maintenance branch (or on no branch).
                let old = random.pick(releases)
                let branch = "release/v\(old.major).\(old.minor)"
                if !branches.contains(where: { $0.name == branch }) { branches.append((branch, old.name)) }
                let hotfix = "v\(old.major).\(old.minor).\(old.patch + Int.random(in: 1...2, using: &random))"
                add(hotfix, placement: random.chance(0.8) ? .branch(branch) : .noBranch)
                continue
            case 86..<91 where !releases.isEmpty:
                // Another spelling of a release, on its commit; or a floating major.
                let old = random.pick(releases)
                let name = random.pick(["V", "", "v0"]) + "\(old.major).\(old.minor).\(old.patch)"
                add(random.chance(0.5) ? name : "v\(old.major)", placement: .commitOf(old.name))
                continue
            case 91..<94:
                add(random.pick(["next", "latest", "deploy-\(tags.count)"]), placement: placement(&random))
                continue
            case 94..<97 where !releases.isEmpty:
                // Two tags on one commit, at the same second.
                let name = "v\(major).\(minor).\(patch + 1)"
                add(name)
                patch += 1
                releases.append((name, major, minor, patch))
                add("v\(major).\(minor).\(patch + 1)-rc.0", placement: .commitOf(name), annotated: false)
                continue
            default: patch += 1
            }
            let name = "v\(major).\(minor).\(patch)"
            add(name, placement: random.chance(0.9) ? .branch("main") : .noBranch)
            releases.append((name, major, minor, patch))
        }
        return TagShapes(tags: tags, branches: branches)
    }

    static func placement(_ random: inout SeededRandom) -> TagShapes.Placement {
        random.chance(0.8) ? .branch("main") : .noBranch
    }

    static func policy(_ random: inout SeededRandom) -> String {
        var lines = ["[release]"]
        if random.chance(0.5) { lines.append("    requireAnnotated = \(random.chance(0.5))") }
        if random.chance(0.3) { lines.append("    allowSkip = true") }
        if random.chance(0.2) { lines.append("    onlyVersionTags = true") }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: 0..<4)
    func auditGivesEachTagCIsVerdict(shard: Int) throws {
        var random = SeededRandom(seed: 0xA0D1_7012, stream: UInt64(shard))
        let scratch = try Scratch()
        for round in 0..<12 {
            let shapes = Self.history(&random)
            let origin = scratch.root + "/origin-\(round).git"
            let work = scratch.root + "/work-\(round)"
            try shapes.buildBareRepository(at: origin, scratch: scratch)
            try scratch.git("clone", "-q", origin, work, in: scratch.root)
            let policy = Self.policy(&random)
            try scratch.write(policy, to: work + "/.release-guardian")

            let report = try TagAudit(options: TagAudit.Options(directory: work)).run()
            let repository = try Repository.open(at: work)
            let settings = try Settings.load(for: repository)
            let reader = RepositoryReader(repository)
            let ci = CICheck(options: CICheck.Options(ref: nil, directory: work, environment: [:]))
            let context = "seed \(random.seed) stream \(shard) round \(round), \(policy): \(shapes.tags.map(\.name))"
            #expect(report.entries.count + report.unguarded.count == Set(shapes.tags.map(\.name)).count, "\(context)")
            for entry in report.entries {
                let judged = try ci.judge(RefName.tag(entry.tag), in: reader, settings: settings)
                #expect(entry.violations == judged.violations, "\(entry.tag), \(context)")
            }
        }
    }
}
