import Foundation
import TestSupport
import Testing

/// Inputs git would read one way and a careless reader another: CRLF hook input, numbers past
/// 64 bits, symlink loops under refs/tags, a packed-refs git refuses.
struct RobustReadingTests {
    let zero = String(repeating: "0", count: 40)

    /// libgit2 1.5 reads `allowSkip = "true` (an unterminated quote) as true; git refuses the
    /// file. The policy file means what git says it means, or the push stops with the line.
    @Test func aPolicyFileGitRefusesStopsThePushWithItsLine() throws {
        let clone = try GuardedClone()
        try clone.scratch.write("[release]\n    allowSkip = \"true\n", to: clone.work + "/.release-guardian")
        _ = try clone.commit("feature")
        try clone.tag("v1.5.0")
        let before = try clone.originRefs()
        let push = try clone.push("origin", "v1.5.0")
        #expect(push.status != 0, "a skip went through on a policy git cannot read")
        #expect(push.stderr.contains(".release-guardian") && push.stderr.contains("line 2"), "\(push.stderr)")
        #expect(try clone.originRefs() == before)
    }

    /// `GIT_DIR` names the repository for both of check's readers: the plain one and libgit2's
    /// (which once searched from the working directory instead and found none).
    @Test func bothReadersOpenTheRepositoryGitDirNames() throws {
        let clone = try GuardedClone()
        let second = try clone.commit("second")
        _ = try clone.commit("third")
        _ = try clone.push("-q", "origin", "main")
        try clone.tag("v1.0.1", at: second)  // behind main's tip: judged through libgit2
        let input = "refs/tags/v1.0.1 \(try clone.git("rev-parse", "v1.0.1")) refs/tags/v1.0.1 \(zero)\n"
        let check = try clone.scratch.run(
            binary, ["check", "origin"], in: clone.scratch.root, input: input,
            extraEnvironment: ["GIT_DIR": clone.work + "/.git"])
        #expect(check.status == 0, "\(check.stderr)")
        try clone.tag("v1.0.3", at: second)
        let skip = "refs/tags/v1.0.3 \(try clone.git("rev-parse", "v1.0.3")) refs/tags/v1.0.3 \(zero)\n"
        let refused = try clone.scratch.run(
            binary, ["check", "origin"], in: clone.scratch.root, input: skip,
            extraEnvironment: ["GIT_DIR": clone.work + "/.git"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("[tag-skip]"), "\(refused.stderr)")
    }

    @Test func readsCRLFHookInputLineByLineOnClientAndServer() throws {
        let clone = try GuardedClone()
        _ = try clone.commit("feature")
        try clone.tag("v1.0.5")  // skips v1.0.1
        let tag = try clone.git("rev-parse", "v1.0.5")
        let head = try clone.git("rev-parse", "HEAD")
        let branch = "refs/heads/feature \(head) refs/heads/feature \(zero)"
        // The refused tag after a CRLF line, and before one.
        for input in [
            "\(branch)\r\nrefs/tags/v1.0.5 \(tag) refs/tags/v1.0.5 \(zero)\r\n",
            "refs/tags/v1.0.5 \(tag) refs/tags/v1.0.5 \(zero)\r\n\(branch)\r\n",
        ] {
            let check = try clone.releaseGuardian("check", "origin", input: input)
            #expect(check.status == 1, "\(check.stderr)")
            #expect(check.stderr.contains("[tag-skip] refs/tags/v1.0.5"), "\(check.stderr)")
        }
        // The server hook, in origin, which already has the objects.
        _ = try clone.push("-q", "--no-verify", "origin", "main", "v1.0.5")
        let serverInput = "\(zero) \(head) refs/heads/feature\r\n\(zero) \(tag) refs/tags/v1.0.5\r\n"
        let server = try clone.scratch.run(binary, ["server-hook", "pre-receive"], in: clone.origin, input: serverInput)
        #expect(server.status == 1, "\(server.stderr)")
        #expect(server.stderr.contains("[tag-skip] refs/tags/v1.0.5"), "\(server.stderr)")
    }

    @Test func ordersNumbersPastSixtyFourBitsThroughGitPush() throws {
        let clone = try GuardedClone()
        _ = try clone.commit("a")
        try clone.tag("v1.0.1")
        #expect(try clone.push("--follow-tags", "origin", "main").status == 0)
        // Tag history jumping to the edge of 64 bits, pushed past the hook.
        _ = try clone.commit("b")
        try clone.tag("v1.0.9999999999999999999")
        #expect(try clone.push("-q", "--no-verify", "--follow-tags", "origin", "main").status == 0)
        _ = try clone.commit("c")
        try clone.tag("v1.0.10000000000000000000")
        let next = try clone.push("--follow-tags", "origin", "main")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.0.10000000000000000000 "))
        // And the one after that, and a skip past it still refused.
        _ = try clone.commit("d")
        try clone.tag("v1.0.10000000000000000002")
        let skip = try clone.push("--follow-tags", "origin", "main")
        #expect(skip.status == 1)
        #expect(skip.stderr.contains("[tag-skip]") && skip.stderr.contains("v1.0.10000000000000000001"), "\(skip.stderr)")
    }

    /// Two symlinks to their own directory: 2^depth paths. git 2.39's `git tag -l` loops too.
    @Test(arguments: [["check", "origin"], ["ci", "--ref", "refs/tags/v1.0.1"]])
    func stopsOnASymlinkLoopUnderRefsTagsWithExitTwo(_ command: [String]) throws {
        let clone = try GuardedClone()
        _ = try clone.commit("feature")
        try clone.tag("v1.0.1")
        let tag = try clone.git("rev-parse", "v1.0.1")
        _ = try clone.git("update-ref", "refs/remotes/origin/main", "HEAD")
        let tags = clone.work + "/.git/refs/tags"
        try FileManager.default.createSymbolicLink(atPath: tags + "/loop-a", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: tags + "/loop-b", withDestinationPath: ".")
        let input = "refs/tags/v1.0.1 \(tag) refs/tags/v1.0.1 \(zero)\n"
        let result = try clone.scratch.run("/usr/bin/timeout", ["-s", "KILL", "20", binary] + command, in: clone.work, input: input)
        #expect(result.status == 2, "exit \(result.status) (137: killed, still running after 20 s): \(result.stderr)")
        #expect(result.stderr.contains("refs/tags/loop-"), "\(result.stderr)")
        #expect(result.stderr.contains("loop"), "\(result.stderr)")
    }

    /// What git says of each broken packed-refs: `fatal: unexpected line` / `unterminated line`.
    static let brokenPackedRefs: [(name: String, edit: @Sendable (String) -> String)] = [
        (
            "bad header",
            { "# garbage header\n" + $0.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n") }
        ),
        (
            "short object name",
            {
                $0.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    line.hasSuffix(" refs/tags/v1.0.0") ? String(line.dropFirst()) : String(line)
                }.joined(separator: "\n")
            }
        ),
        ("CRLF lines", { $0.replacingOccurrences(of: "\n", with: "\r\n") }),
        ("unterminated last line", { $0 + "abc" }),
    ]

    /// git itself stops on these (so no `git push` gets as far as the hook); the hook, the CI
    /// step and the server hook are run directly, as a pipeline or a wrapper would.
    @Test(arguments: 0..<4)
    func refusesAPackedRefsGitWouldRefuseWithExitTwo(_ index: Int) throws {
        let (name, edit) = Self.brokenPackedRefs[index]
        let clone = try GuardedClone()
        _ = try clone.git("pack-refs", "--all")
        // v0.9.0 is below v1.0.0: with packed-refs read as "no tags", it would be allowed.
        try clone.tag("v0.9.0")
        let tag = try clone.git("rev-parse", "v0.9.0")
        let path = clone.work + "/.git/packed-refs"
        let packed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(packed.contains(" refs/tags/v1.0.0\n"))
        try clone.scratch.write(edit(packed), to: path)
        #expect(try clone.scratch.tryGit("show-ref", in: clone.work).status != 0, "\(name): git accepts it, so the test proves nothing")
        let check = try clone.releaseGuardian("check", "origin", input: "refs/tags/v0.9.0 \(tag) refs/tags/v0.9.0 \(zero)\n")
        #expect(check.status == 2, "\(name): exit \(check.status) \(check.stderr)")
        #expect(check.stderr.contains("packed-refs"), "\(name): \(check.stderr)")
        #expect(!check.stderr.contains("[tag-"), "\(name): judged as if the file were fine: \(check.stderr)")
    }
}
