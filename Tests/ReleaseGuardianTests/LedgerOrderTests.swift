import Git
import TestSupport
import Testing

@testable import ReleaseGuardian

/// `Ledger.records` reads a chain from its tip only as far as it is asked, where libgit2's
/// topological walk reads every commit first: the same records in the same order, over generated
/// ledgers (chains, branches, merges, the remote's copy absent, equal, behind, ahead or on
/// another branch, dates that lie, commits that are not records) and limits.
struct LedgerOrderTests {
    @Test func readsAsTheTopologicalWalkReads() throws {
        var random = SeededRandom(seed: 0x1ED6_0001)
        let world = try ReleaseWorld(.empty)
        let repository = try Repository.open(at: world.work)
        let ledger = Ledger(repository: repository, transport: TransportOptions(), sourceRemote: "origin")
        var chains = 0
        for round in 0..<80 {
            var commits: [ObjectID] = []
            var merged = false
            for index in 0..<Int.random(in: 1...25, using: &random) {
                var parents: [ObjectID] = []
                if let last = commits.last {
                    parents.append(random.chance(0.85) ? last : random.pick(commits))
                    if commits.count >= 2, random.chance(0.08) {
                        let other = random.pick(commits)
                        if other != parents[0] {
                            parents.append(other)
                            merged = true
                        }
                    }
                }
                let message =
                    random.chance(0.1)
                    ? "a note, not a record"
                    : """
                    revert-to v1.0.0 on prod: done

                    {"action":"revert-to","commit":"\(String(repeating: "a", count: 40))","environment":"prod","reason":"\(round)-\(index)","targets":[],"when":"2026-01-01T00:00:00Z","who":"Ann"}
                    """
                // Dates a writer chose: they must not order anything.
                let time = Int64.random(in: 1_600_000_000...1_700_000_000, using: &random)
                commits.append(
                    try repository.commitWithEmptyTree(
                        message: message, parents: parents, authorName: "Ann", authorEmail: "ann@example.test",
                        author: Signature(name: "Ann", email: "ann@example.test", time: time, offsetMinutes: 0)))
            }
            let tip = random.chance(0.8) ? commits.last! : random.pick(commits)
            try repository.setReference(Ledger.ref, to: tip, force: true, message: "test")
            var tips = [tip]
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                try? repository.deleteReference(Ledger.remoteCopy)
            case 1:
                try repository.setReference(Ledger.remoteCopy, to: tip, force: true, message: "test")
                tips.append(tip)
            default:
                let other = random.pick(commits)
                try repository.setReference(Ledger.remoteCopy, to: other, force: true, message: "test")
                tips.append(other)
            }
            if !merged && tips.allSatisfy({ (try? repository.isAncestor($0, of: commits.last!)) == true }) { chains += 1 }
            for limit in [1, 2, 5, 13, 100] {
                let read = try ledger.records(limit: limit).map(\.reason)
                let walked = ledger.topologicalRecords(from: tips, limit: limit).map(\.reason)
                #expect(read == walked, "seed \(random.seed), round \(round), limit \(limit)")
            }
        }
        #expect(chains > 20, "\(chains) rounds were chains")
    }
}
