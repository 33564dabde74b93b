import Foundation
import Git
import GitFiles
import TestSupport
import Testing
@testable import ReleaseGuardian

/// Generated, seeded hook input through the same entry points `check` and `server-hook
/// pre-receive` use, in-process (the binary gets a few hundred of the same in EndToEndTests):
/// every input ends as allowed (exit 0), refused (1) or a CheckError (2), never a crash; and
/// where the libgit2-free reader answers, it gives libgit2's verdict.
struct HookInputGeneratedTests {
    let scratch: Scratch
    let work: String
    let origin: String
    let generator: HookInputGenerator

    init() throws {
        let world = try ReleaseWorld(.released)
        (scratch, origin, work) = (world.scratch, world.origin, world.work)
        let first = world.firstCommit
        let second = try world.commit("second")
        try world.tag("v1.1.0-rc.1", annotated: false)
        let third = try world.commit("third")
        try world.git("push", "-q", "origin", "main", "v1.1.0-rc.1")
        try world.git("checkout", "-q", "-b", "side", first)
        let side = try world.commit("side")
        try world.git("push", "-q", "origin", "side")
        try world.git("checkout", "-q", "main")
        let objects = [
            first, second, third, side,
            try world.rev("v1.0.0"),  // the annotated tag object
            try world.rev("HEAD^{tree}"),
            try world.rev("HEAD:app.txt"),
        ]
        generator = HookInputGenerator(objects: objects, refs: ["refs/heads/side", "refs/tags/v1.1.0-rc.1", "refs/tags/v1.1.0-rc.2"])
    }

    @Test func prePushInputEndsInAVerdictOrAnErrorAndBothReadersAgree() throws {
        var random = SeededRandom(seed: 7_100)
        var outcomes = [0: 0, 1: 0, 2: 0]
        var disagreements: [String] = []
        var compared = 0
        let repository = LibGit2Reader(try Repository.open(at: work))
        let layout = try #require(RepositoryLayout.find(from: work, environment: { _ in nil }))
        let work = work
        let fileFirst = RepositoryReader(files: RepositoryFiles(layout: layout)) { () throws(GitError) in try Repository.open(at: work) }
        for _ in 0..<7_150 {
            let input = generator.prePush(using: &random)
            let remote = random.chance(0.8) ? "origin" : nil
            do {
                outcomes[try PushCheck(directory: work).run(input: input, remote: remote).allowed ? 0 : 1]! += 1
            } catch {
                outcomes[2]! += 1
            }
            guard let updates = try? RefUpdate.parsePrePush(input), !updates.isEmpty,
                let quick = try? Policy(settings: Settings()).evaluate(updates, in: fileFirst, vantage: .client(remote: remote))
            else { continue }
            compared += 1
            let full = try? Policy(settings: Settings()).evaluate(updates, in: repository, vantage: .client(remote: remote))
            if full?.map(\.rule) != quick.map(\.rule) {
                disagreements.append(
                    "\(input.debugDescription): file-first \(quick.map(\.rule)), libgit2 \(full.map { $0.map(\.rule) } as Any)")
            }
        }
        #expect(disagreements.isEmpty, "seed \(random.seed): \(disagreements.prefix(5))")
        #expect(compared > 1_000, "\(compared) verdicts compared")
        #expect(outcomes.values.allSatisfy { $0 > 300 }, "every outcome reached: \(outcomes)")
    }

    @Test func preReceiveInputEndsInAVerdictOrAnError() throws {
        var random = SeededRandom(seed: 7_101)
        var outcomes = [0: 0, 1: 0, 2: 0]
        let hook = ServerHook(directory: origin)
        for _ in 0..<7_150 {
            let input = generator.preReceive(using: &random)
            do {
                outcomes[try hook.run(ServerHook.parsePreReceive(input)).verdict.allowed ? 0 : 1]! += 1
            } catch {
                outcomes[2]! += 1
            }
        }
        #expect(outcomes.values.allSatisfy { $0 > 300 }, "every outcome reached: \(outcomes)")
    }
}
