import Dispatch
import Foundation
import TestSupport
import Testing

/// Generated, seeded hook input given to the binary itself, as git gives it: `check` reads
/// pre-push lines, `server-hook pre-receive` reads pre-receive lines. Whatever comes in, the exit
/// status is 0, 1 or 2 (never a crash, a usage error or a hang). ReleaseGuardianTests sends 14.3k
/// more through the same entry points in-process; these 300 prove the binary's own
/// reading of stdin and mapping to exit codes.
struct HookInputGeneratedEndToEndTests {
    @Test func everyInputEndsWithExitZeroOneOrTwo() throws {
        let clone = try GuardedClone(hook: .none)
        let second = try clone.commit("second")
        try clone.tag("v1.1.0")
        let objects = [
            second, try clone.git("rev-parse", "v1.0.0"), try clone.git("rev-parse", "v1.0.0^{commit}"),
            try clone.git("rev-parse", "v1.1.0"), try clone.git("rev-parse", "HEAD^{tree}"),
        ]
        let generator = HookInputGenerator(objects: objects, refs: [])
        var random = SeededRandom(seed: 300)
        var jobs: [(arguments: [String], directory: String, input: String)] = []
        for index in 0..<300 {
            if index.isMultiple(of: 2) {
                jobs.append((["check", "origin", clone.origin], clone.work, generator.prePush(using: &random)))
            } else {
                jobs.append((["server-hook", "pre-receive"], clone.origin, generator.preReceive(using: &random)))
            }
        }
        let results = Results(count: jobs.count)
        let scratch = clone.scratch
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let job = work[index]
            let result = try? scratch.run(binary, job.arguments, in: job.directory, input: job.input)
            results.set(index, result?.status ?? -1)
        }
        var unexpected: [String] = []
        var counts = [Int32: Int]()
        for (index, status) in results.statuses.enumerated() {
            counts[status, default: 0] += 1
            if ![0, 1, 2].contains(status) {
                unexpected.append("\(jobs[index].arguments) exit \(status): \(jobs[index].input.debugDescription)")
            }
        }
        #expect(unexpected.isEmpty, "seed \(random.seed): \(unexpected.prefix(5))")
        #expect(counts[0, default: 0] > 20 && counts[1, default: 0] > 20 && counts[2, default: 0] > 20, "\(counts)")
    }
}

/// Exit statuses written from concurrent jobs.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32]

    init(count: Int) {
        values = Array(repeating: -2, count: count)
    }

    func set(_ index: Int, _ value: Int32) {
        lock.withLock { values[index] = value }
    }

    var statuses: [Int32] { lock.withLock { values } }
}
