import Foundation
import TestSupport
import Testing

/// The binary's commands called directly, as scripts and CI call them.
struct CheckCommandTests {
    let zero = String(repeating: "0", count: 40)

    @Test func allowsEmptyInputButWarnsThatNothingWasChecked() throws {
        let clone = try GuardedClone(hook: .none)
        let result = try clone.releaseGuardian("check", "origin", clone.origin, input: "")
        #expect(result.status == 0)
        // Not silently: a hook manager may have kept git's lines from it.
        #expect(result.stderr.contains("warning: no refs on stdin, so nothing was checked"), "\(result.stderr)")
        // Under pre-commit, which never passes git's stdin on, that is an error.
        let underPreCommit = try clone.scratch.run(
            binary, ["check", "origin", clone.origin], in: clone.work, input: "", extraEnvironment: ["PRE_COMMIT": "1"])
        #expect(underPreCommit.status == 2)
        #expect(underPreCommit.stderr.contains("cannot guard pushes as a pre-commit hook"), "\(underPreCommit.stderr)")
    }

    @Test func refusesAMalformedLineWithExitTwoNamingTheLine() throws {
        let clone = try GuardedClone(hook: .none)
        let head = try clone.git("rev-parse", "HEAD")
        let input = "refs/heads/main \(head) refs/heads/main \(zero)\nrefs/heads/x \(head) refs/heads/x\n"
        let result = try clone.releaseGuardian("check", "origin", input: input)
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 2"))
    }

    @Test func peelsAnnotatedTagIdsAndPrintsJSON() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.tag("v1.0.2")
        let tagObject = try clone.git("rev-parse", "refs/tags/v1.0.2")
        let input = "refs/tags/v1.0.2 \(tagObject) refs/tags/v1.0.2 \(zero)\n"
        let result = try clone.releaseGuardian("check", "--json", "origin", clone.origin, input: input)
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["allowed"] as? Bool == false)
        let violations = json?["violations"] as? [[String: String]]
        #expect(violations?.first?["rule"] == "tag-skip")
        #expect(violations?.first?["ref"] == "refs/tags/v1.0.2")
        #expect(violations?.first?["fix"]?.isEmpty == false)
        #expect(violations?.first?["message"]?.isEmpty == false)
    }

    @Test func acceptsAURLInPlaceOfTheRemoteName() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.tag("v1.0.1")
        let tagObject = try clone.git("rev-parse", "refs/tags/v1.0.1")
        let input = "refs/tags/v1.0.1 \(tagObject) refs/tags/v1.0.1 \(zero)\n"
        let result = try clone.releaseGuardian("check", "--json", clone.origin, clone.origin, input: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"allowed\":true"))
    }

    @Test func reportsAMissingObjectWithExitTwo() throws {
        let clone = try GuardedClone(hook: .none)
        let input = "refs/tags/v1.0.1 \(String(repeating: "d", count: 40)) refs/tags/v1.0.1 \(zero)\n"
        let result = try clone.releaseGuardian("check", "origin", input: input)
        #expect(result.status == 2)
        #expect(result.stderr.contains("not in this repository"))
    }

    @Test func refusesToRunOutsideARepository() throws {
        let scratch = try Scratch()
        let head = String(repeating: "a", count: 40)
        let result = try scratch.run(
            binary, ["check", "origin"], in: scratch.root,
            input: "refs/heads/main \(head) refs/heads/main \(zero)\n")
        #expect(result.status == 2)
        #expect(result.stderr.contains("not in a git repository"))
    }

    /// Each command that opens a repository, through the domain's entry points (the CLI has no
    /// access to Git's errors): exit 2 and the same words.
    @Test(arguments: [["env", "main"], ["revert-to", "v1.0.0", "--dry-run"], ["revert-to", "v1.0.0", "--yes"]])
    func commandsOutsideARepositorySaySo(_ arguments: [String]) throws {
        let scratch = try Scratch()
        let result = try scratch.run(binary, arguments, in: scratch.root)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("release-guardian: error: not in a git repository: "), "\(result.stderr)")
    }

    @Test func installIntoWhatIsNoRepositorySaysSo() throws {
        let scratch = try Scratch()
        for arguments in [["install"], ["install", "--server", "--repo", scratch.root + "/nowhere.git"]] {
            let result = try scratch.run(binary, arguments, in: scratch.root)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("release-guardian: error: not a git repository: "), "\(arguments): \(result.stderr)")
        }
    }
}

struct SemverCommandTests {
    func run(_ arguments: String...) throws -> ProcessResult {
        let scratch = try Scratch()
        return try scratch.run(binary, arguments, in: scratch.root)
    }

    @Test func validExitsZeroOnlyWhenEveryVersionIsValid() throws {
        #expect(try run("semver", "valid", "1.2.3", "v1.2.3", "1.0.0-rc.1+build.5", "123456789012345678901234.0.0").status == 0)
        let invalid = try run("semver", "valid", "1.2.3", "01.2.3")
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("01.2.3: not valid SemVer 2.0.0: the major version '01' has a leading zero"))
        #expect(try run("semver", "valid", "--", "-1.2.3").status == 1)
    }

    @Test func comparePrintsPrecedence() throws {
        #expect(try run("semver", "compare", "1.0.0-rc.1", "v1.0.0").stdout == "-1\n")
        #expect(try run("semver", "compare", "1.0.0+a", "1.0.0+b").stdout == "0\n")
        #expect(try run("semver", "compare", "--", "100000000000000000000.0.0", "99999999999999999999.0.0").stdout == "1\n")
        #expect(try run("semver", "compare", "1.0", "1.0.0").status == 64)
    }

    @Test func usageErrorsExitSixtyFour() throws {
        #expect(try run("semver", "valid").status == 64)
        #expect(try run("check", "--no-such-flag").status == 64)
        #expect(try run("no-such-command").status == 64)
    }
}
