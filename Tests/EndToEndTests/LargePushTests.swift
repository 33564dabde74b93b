import Foundation
import TestSupport
import Testing

/// A push of thousands of tags must be judged in time linear in the push: a pusher must not be
/// able to tie a hook up for minutes.
struct LargePushTests {
    static let tagCount = 10_000
    /// Generous for a debug build on a busy 2-core machine; the quadratic code took over 20 s.
    static let limit: Double = 4.0

    /// A clone whose main gained `count` commits, each tagged (annotated) with the next patch
    /// release v1.0.1…, written by one `git fast-import`.
    func cloneWithManyNewReleases(_ clone: GuardedClone, count: Int) throws {
        let base = try clone.git("rev-parse", "main")
        var stream = ""
        for index in 1...count {
            stream += "commit refs/heads/main\nmark :\(index)\ncommitter A <a@example.test> \(1_700_000_000 + index) +0000\ndata 2\nc\n"
            if index == 1 { stream += "from \(base)\n" }
            stream += "\n"
        }
        for index in 1...count {
            stream += "tag v1.0.\(index)\nfrom :\(index)\ntagger A <a@example.test> \(1_700_000_000 + index) +0000\ndata 8\nrelease\n\n"
        }
        try clone.scratch.git(["fast-import", "--quiet"], in: clone.work, input: stream)
        _ = try clone.git("reset", "-q", "--hard", "main")
    }

    /// Installs `hook` as a wrapper that runs the real binary and writes its wall time (s).
    func timedHook(_ path: String, _ command: String, record: String) throws {
        try """
        #!/bin/sh
        start=$(date +%s%N)
        '\(binary)' \(command)
        status=$?
        echo $(( $(date +%s%N) - start )) > '\(record)'
        exit $status
        """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    func seconds(_ record: String) throws -> Double {
        let text = try String(contentsOfFile: record, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (Double(text) ?? .infinity) / 1e9
    }

    @Test func judgesTenThousandTagsInOnePushInLinearTimeOnClientAndServer() throws {
        let clone = try GuardedClone(hook: .none)
        try cloneWithManyNewReleases(clone, count: Self.tagCount)
        let clientRecord = clone.scratch.root + "/pre-push-time"
        let serverRecord = clone.scratch.root + "/pre-receive-time"
        try timedHook(clone.work + "/.git/hooks/pre-push", "check \"$@\"", record: clientRecord)
        try timedHook(clone.origin + "/hooks/pre-receive", "server-hook pre-receive", record: serverRecord)

        let push = try clone.push("-q", "origin", "main", "--tags")
        #expect(push.status == 0, "\(push.stderr.prefix(2000))")
        let tags = try clone.scratch.git("tag", "-l", in: clone.origin).split(separator: "\n")
        #expect(tags.count == Self.tagCount + 1)
        let client = try seconds(clientRecord)
        let server = try seconds(serverRecord)
        #expect(client < Self.limit, "pre-push took \(client) s for \(Self.tagCount) tags")
        #expect(server < Self.limit, "pre-receive took \(server) s for \(Self.tagCount) tags")
    }

    @Test func refusesOneBadTagAmongTenThousandQuickly() throws {
        let clone = try GuardedClone(hook: .none)
        try cloneWithManyNewReleases(clone, count: Self.tagCount)
        // A tag beside the series that skips a version.
        try clone.tag("v1.0.\(Self.tagCount + 5)")
        let record = clone.scratch.root + "/pre-push-time"
        try timedHook(clone.work + "/.git/hooks/pre-push", "check \"$@\"", record: record)
        let push = try clone.push("origin", "main", "--tags")
        #expect(push.status != 0)
        #expect(push.stderr.contains("[tag-skip] refs/tags/v1.0.\(Self.tagCount + 5)"), "\(push.stderr.suffix(2000))")
        #expect(try clone.scratch.git("tag", "-l", in: clone.origin) == "v1.0.0")
        let time = try seconds(record)
        #expect(time < Self.limit, "pre-push took \(time) s")
    }

    @Test func validatesTwentyThousandVersionsInLinearTime() throws {
        let scratch = try Scratch()
        let versions = (0..<20_000).map { "1.\($0).0" }
        let start = Date()
        let result = try scratch.run(binary, ["semver", "valid"] + versions + ["1.02.0"], in: scratch.root)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n").count == 20_000)
        #expect(result.stderr.contains("1.02.0: not valid"))
        #expect(elapsed < 2.0, "semver valid took \(elapsed) s for 20k versions")
    }
}
