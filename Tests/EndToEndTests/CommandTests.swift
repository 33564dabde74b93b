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

    /// Every command that opens a repository says the same sentence outside one (no libgit2
    /// function names, no "could not find"), and exits 2.
    @Test(arguments: [
        ["check", "origin"], ["server-hook", "pre-receive"],
        ["server-hook", "update", "refs/tags/v1.0.1", String(repeating: "0", count: 40), String(repeating: "a", count: 40)], ["env"],
        ["env", "main"],
        ["env", "main", "--format", "json"], ["env", "--format=gitlab"], ["ci"], ["ci", "--ref", "refs/tags/v1.0.0"],
        ["deploy", "--dry-run"], ["deploy", "main", "--yes"], ["revert-to", "v1.0.0", "--dry-run"],
        ["revert-to", "previous", "--yes"], ["undo", "--env", "prod", "--yes"], ["status"], ["status", "--check"], ["history"],
        ["install"], ["install", "--server"], ["audit"], ["audit", "--write-baseline"],
    ])
    func commandsOutsideARepositorySayOneThing(_ arguments: [String]) throws {
        let scratch = try Scratch()
        let head = String(repeating: "a", count: 40)
        let input = arguments[0] == "check" ? "refs/heads/main \(head) refs/heads/main \(zero)\n" : "\(zero) \(head) refs/heads/main\n"
        let result = try scratch.run(binary, arguments, in: scratch.root, input: input)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr == "release-guardian: error: \(notARepository)\n", "\(arguments)")
        #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
    }

    @Test func installIntoANamedPathThatIsNoRepositoryNamesIt() throws {
        let scratch = try Scratch()
        let result = try scratch.run(binary, ["install", "--server", "--repo", scratch.root + "/nowhere.git"], in: scratch.root)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.hasPrefix("release-guardian: error: \(scratch.root)/nowhere.git is not a git repository: "),
            "\(result.stderr)")
        #expect(!result.stderr.contains("git_repository"), "\(result.stderr)")
    }
}

/// A mistyped command: the nearest one, exit 64, at the top and inside a group.
struct MistypedCommandTests {
    @Test(arguments: [
        (["instal"], "'instal' is not a release-guardian command. Did you mean 'install'?"),
        (["stauts", "--json"], "'stauts' is not a release-guardian command. Did you mean 'status'?"),
        (["revert", "v1.0.0"], "'revert' is not a release-guardian command. Did you mean 'revert-to'?"),
        (["server-hook", "pre-recieve"], "'pre-recieve' is not a release-guardian server-hook command. Did you mean 'pre-receive'?"),
        (["semver", "compar", "1.0.0", "1.0.1"], "'compar' is not a release-guardian semver command. Did you mean 'compare'?"),
        (["frobnicate"], "'frobnicate' is not a release-guardian command.\nCommands: check, "),
    ])
    func suggestsTheNearestCommand(_ arguments: [String], _ expected: String) throws {
        let scratch = try Scratch()
        let result = try scratch.run(binary, arguments, in: scratch.root)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("release-guardian: error: \(expected)"), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func leavesRealCommandsAndHelpAlone() throws {
        let scratch = try Scratch()
        #expect(try scratch.run(binary, ["help", "env"], in: scratch.root).status == 0)
        #expect(try scratch.run(binary, ["semver", "valid", "1.0.0"], in: scratch.root).status == 0)
        let version = try scratch.run(binary, ["--version"], in: scratch.root)
        #expect(version.status == 0 && !version.stdout.isEmpty, "\(version.stderr)")
    }

    /// `env --help` says what `env` does: exit 0 with or without an environment, 2 for a ref
    /// that names nothing.
    @Test func envHelpIsTrueToItsExitCodes() throws {
        let clone = try GuardedClone(hook: .none)
        let help = try clone.releaseGuardian("env", "--help")
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(!text.contains("both ways"), "\(text)")
        #expect(text.contains("Exit 0 whether or not REF deploys somewhere; 2 when REF names nothing in this repository"), "\(text)")
        #expect(try clone.releaseGuardian("env", "v1.0.0").status == 0)
        #expect(try clone.releaseGuardian("env", "refs/heads/feature-nowhere").status == 0)
        #expect(try clone.releaseGuardian("env", "v99.0.0").status == 2)
    }
}

/// What every command prints outside a repository.
let notARepository = "not a git repository (nor any parent directory): run release-guardian inside a clone of the repository."

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
