import Foundation
import TestSupport
import Testing

/// Every command release-guardian prints is safe to paste: a hostile tag or remote name is
/// quoted, so pasting the printed fix into a shell runs the fix and nothing else.
struct PasteSafeFixTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let setUp: @Sendable (GuardedClone) throws -> Void
        let push: [String]
        /// What pasting the fix must have done (besides running no code of the name's).
        let check: @Sendable (GuardedClone) throws -> Void
        var testDescription: String { name }
    }

    static let evilTag = "v2.0.0;touch${IFS}pwned;#"
    static let evilRemote = "o$(touch${IFS}pwned)"

    static let cases: [Case] = [
        Case(
            name: "tag-format", setUp: { try $0.tag(evilTag) }, push: ["origin", evilTag],
            check: { clone in
                let left = try clone.git("tag", "-l", evilTag)
                #expect(left.isEmpty, "the fix did not delete the tag")
            }),
        Case(
            name: "tag-format, unversioned",
            setUp: { clone in
                _ = try clone.git("config", "release-guardian.release.onlyVersionTags", "true")
                try clone.tag("nightly$(touch${IFS}pwned)", annotated: false)
            }, push: ["origin", "nightly$(touch${IFS}pwned)"],
            check: { clone in
                let left = try clone.git("tag", "-l", "nightly*")
                #expect(left.isEmpty, "the fix did not delete the tag")
            }),
        Case(
            name: "tag-delete",
            setUp: { clone in
                _ = try clone.git("remote", "add", evilRemote, clone.origin)
            }, push: [evilRemote, ":refs/tags/v1.0.0"],
            check: { clone in
                let refs = try clone.originRefs()
                #expect(refs.contains("refs/tags/v1.0.0"))
            }),
        Case(
            name: "tag-immutable",
            setUp: { clone in
                _ = try clone.git("remote", "add", evilRemote, clone.origin)
                _ = try clone.commit("second")
                _ = try clone.push("-q", "origin", "main")
                _ = try clone.git("tag", "-f", "-a", "v1.0.0", "-m", "moved")
            }, push: ["--force", evilRemote, "v1.0.0"],
            check: { clone in
                let (ours, released) = (
                    try clone.git("rev-parse", "v1.0.0"), try clone.scratch.git("rev-parse", "v1.0.0", in: clone.origin)
                )
                #expect(ours == released, "the fix did not restore the released tag")
            }),
        Case(
            name: "main-force",
            setUp: { clone in
                _ = try clone.git("remote", "add", evilRemote, clone.origin)
                _ = try clone.commit("second")
                _ = try clone.push("-q", "origin", "main")
                _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
                _ = try clone.commit("rewritten")
            }, push: ["--force", evilRemote, "main"], check: { _ in }),
    ]

    /// The commands of the `fix:` lines: each `…` span.
    static func commands(in stderr: String) -> [String] {
        stderr.components(separatedBy: "\n").filter { $0.contains("fix: ") }.flatMap { line in
            line.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        }
    }

    @Test(arguments: cases)
    func pastingTheFixRunsNoCodeFromAName(_ breach: Case) throws {
        let clone = try GuardedClone()
        try breach.setUp(clone)
        let push = try clone.scratch.run("/usr/bin/env", ["git", "push"] + breach.push, in: clone.work)
        #expect(push.status != 0, "the push went through")
        let commands = Self.commands(in: push.stderr)
        #expect(!commands.isEmpty, "no command in the fix: \(push.stderr)")
        #expect(!FileManager.default.fileExists(atPath: clone.work + "/pwned"))
        for command in commands {
            _ = try clone.scratch.run("/bin/sh", ["-c", command], in: clone.work)
        }
        #expect(!FileManager.default.fileExists(atPath: clone.work + "/pwned"), "pasting ran code: \(commands)")
        try breach.check(clone)
    }

    @Test func pastingTheReportsUndoRunsNoCodeFromABranchName() throws {
        let f = try DeployFixture()
        let branch = "prod$(touch${IFS}pwned)"
        try f.scratch.git("push", "-q", f.daemon.basePath + "/prod.git", "\(f.v110):refs/heads/\(branch)", in: f.work)
        try f.configure(targets: [f.daemon.url("prod.git") + " " + branch])
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        let deployed = { try f.scratch.git("rev-parse", "refs/heads/" + branch, in: f.daemon.basePath + "/prod.git") }
        #expect(try deployed() == f.v100)
        let undo = result.stdout.components(separatedBy: "\n").drop { $0 != "```sh" }.dropFirst().prefix { !$0.hasPrefix("```") }
        #expect(undo.count == 2, "\(result.stdout)")
        for line in undo {
            let run = try f.scratch.run("/bin/sh", ["-c", line], in: f.work)
            #expect(run.status == 0, "\(line): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.work + "/pwned"), "pasting ran code: \(undo)")
        #expect(try deployed() == f.v110, "the undo did not put back what ran")
    }
}
