import Foundation
import TestSupport
import Testing

/// The server hook installed in a bare origin, fired by real pushes from a clone with no hook.
struct ServerHookTests {
    func guardedOrigin() throws -> GuardedClone {
        let clone = try GuardedClone(hook: .server())
        #expect(FileManager.default.isExecutableFile(atPath: clone.origin + "/hooks/pre-receive"))
        return clone
    }

    @Test func refusesABadTagAndADeletionAndAcceptsAGoodRelease() throws {
        let clone = try guardedOrigin()
        _ = try clone.commit("feature")
        try clone.tag("v1.2.0")
        let before = try clone.originRefs()
        let skipped = try clone.push("--follow-tags", "origin", "main")
        #expect(skipped.status != 0)
        #expect(skipped.stderr.contains("remote:   [tag-skip] refs/tags/v1.2.0"))
        #expect(try clone.originRefs() == before)

        let deletion = try clone.push("origin", ":refs/tags/v1.0.0")
        #expect(deletion.status != 0)
        #expect(deletion.stderr.contains("[tag-delete]"))
        #expect(try clone.originRefs() == before)

        _ = try clone.git("tag", "-d", "v1.2.0")
        try clone.tag("v1.1.0")
        let release = try clone.push("--follow-tags", "origin", "main")
        #expect(release.status == 0, "\(release.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    @Test func refusesARewriteOfMain() throws {
        let clone = try guardedOrigin()
        _ = try clone.commit("second")
        #expect(try clone.push("-q", "origin", "main").status == 0)
        _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
        _ = try clone.commit("rewritten")
        let push = try clone.push("--force", "origin", "main")
        #expect(push.status != 0)
        #expect(push.stderr.contains("[main-force]"))
    }

    @Test func worksAsTheUpdateHookToo() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write("#!/bin/sh\nexec '\(binary)' server-hook update \"$@\"\n", to: clone.origin + "/hooks/update")
        _ = try clone.scratch.run("/bin/chmod", ["+x", clone.origin + "/hooks/update"], in: clone.origin)
        try clone.tag("v2.5.0")
        let push = try clone.push("origin", "v2.5.0")
        #expect(push.status != 0)
        #expect(push.stderr.contains("[tag-skip]"))
        let malformed = try clone.scratch.run(binary, ["server-hook", "update", "refs/tags/x", "nothex", "0"], in: clone.origin)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("nothex"), "refused for another reason: \(malformed.stderr)")
    }

    @Test func refusesMalformedPreReceiveInputWithExitTwo() throws {
        let clone = try GuardedClone(hook: .none)
        let result = try clone.scratch.run(binary, ["server-hook", "pre-receive"], in: clone.origin, input: "only two\n")
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 1"))
    }
}
