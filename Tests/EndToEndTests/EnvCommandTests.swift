import Foundation
import TestSupport
import Testing

struct EnvCommandTests {
    @Test func mapsEveryDefaultRefToItsEnvironment() throws {
        let clone = try GuardedClone(hook: .none)
        _ = try clone.git("branch", "release/v1.0.0", "v1.0.0")
        _ = try clone.git("branch", "feature")
        try clone.tag("v1.1.0-rc.1")
        for (ref, expected) in [
            ("main", "preprod\n"), ("v1.0.0", "prod\n"), ("refs/tags/v1.0.0", "prod\n"),
            ("release/v1.0.0", "prod\n"), ("v1.1.0-rc.1", ""), ("feature", ""),
        ] {
            let result = try clone.releaseGuardian("env", ref)
            #expect(result.status == 0, "\(ref): \(result.stderr)")
            #expect(result.stdout == expected, "\(ref)")
        }
        // No ref: the current branch.
        #expect(try clone.releaseGuardian("env").stdout == "preprod\n")
        let unknown = try clone.releaseGuardian("env", "v9.9.9")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no branch or tag named 'v9.9.9'"))
    }

    @Test func usesTheConfiguredMapAndPrintsEveryFormat() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write(
            """
            [environment "preprod"]
                target = preprod-scheduler master
                target = preprod-webserver master
            [environment "prod"]
                ref = release-tags
                target = prod-interface master
            """, to: clone.work + "/.release-guardian")
        let json = try clone.releaseGuardian("env", "v1.0.0", "--format", "json")
        #expect(
            json.stdout
                == #"{"component":null,"environment":"prod","ref":"refs/tags/v1.0.0","targets":[{"branch":"master","remote":"prod-interface"}],"version":"1.0.0"}"#
                + "\n")
        let preprod = try clone.releaseGuardian("env", "main", "--format", "json")
        #expect(preprod.stdout.contains(#""version":null"#))
        #expect(preprod.stdout.contains("preprod-webserver"))
        #expect(
            try clone.releaseGuardian("env", "v1.0.0", "--format", "gitlab").stdout
                == "RELEASE_GUARDIAN_ENVIRONMENT=prod\nRELEASE_GUARDIAN_VERSION=1.0.0\nRELEASE_GUARDIAN_COMPONENT=\n")
        #expect(
            try clone.releaseGuardian("env", "main", "--format", "shell").stdout
                == "export RELEASE_GUARDIAN_ENVIRONMENT=preprod\nexport RELEASE_GUARDIAN_VERSION=''\nexport RELEASE_GUARDIAN_COMPONENT=''\n"
        )
        let output = clone.scratch.root + "/github-output"
        try clone.scratch.write("previous=1\n", to: output)
        let github = try clone.scratch.run(
            binary, ["env", "v1.0.0", "--format", "github"], in: clone.work,
            extraEnvironment: ["GITHUB_OUTPUT": output])
        #expect(github.status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous=1\nenvironment=prod\nversion=1.0.0\ncomponent=\n")
        let noOutput = try clone.releaseGuardian("env", "--format", "github")
        #expect(noOutput.status == 2)
        #expect(noOutput.stderr.contains("GITHUB_OUTPUT"), "refused for another reason: \(noOutput.stderr)")
    }

    /// Plain invocations are served before ArgumentParser (main.swift); the same arguments spelled
    /// so that only ArgumentParser takes them (`--format=F`, `--`) must give the same bytes on
    /// stdout and stderr, the same exit status and the same `$GITHUB_OUTPUT`, in every format.
    @Test func answersAsArgumentParserDoesForEveryFormat() throws {
        let clone = try GuardedClone(hook: .none)
        _ = try clone.git("branch", "release/v1.0.0", "v1.0.0")
        _ = try clone.git("branch", "v1.0.0")  // a branch named as the tag: the tag wins
        try clone.tag("v1.1.0-rc.1")
        try clone.scratch.write(
            """
            [environment "prod"]
                ref = release-tags
                target = prod-interface master
            """, to: clone.work + "/.release-guardian")
        var compared = 0
        for head in ["main", "detached", "unborn"] {
            switch head {
            case "detached": _ = try clone.git("checkout", "-q", "--detach", "main")
            case "unborn": _ = try clone.git("checkout", "-q", "--orphan", "next")
            default: break
            }
            let refs: [String?] = [
                "v1.0.0", "refs/tags/v1.0.0", "release/v1.0.0", "main", "v1.1.0-rc.1", "origin/main", "v9.9.9", "refs/tags/a..b", nil,
            ]
            for ref in refs {
                for format in ["text", "json", "github", "gitlab", "shell"] {
                    let plain = (ref.map { [$0] } ?? []) + ["--format", format]
                    let parsed = ["--format=\(format)"] + (ref.map { ["--", $0] } ?? [])
                    var outputs: [String] = []
                    var results: [ProcessResult] = []
                    for (index, arguments) in [plain, parsed].enumerated() {
                        let output = clone.scratch.root + "/github-output-\(index)"
                        try clone.scratch.write("previous=1\n", to: output)
                        let environment = ["GITHUB_OUTPUT": output]
                        results.append(try clone.scratch.run(binary, ["env"] + arguments, in: clone.work, extraEnvironment: environment))
                        outputs.append(try String(contentsOfFile: output, encoding: .utf8))
                    }
                    let context = "HEAD \(head), env \(plain) / env \(parsed)"
                    #expect(results[0].stdout == results[1].stdout, "\(context)")
                    #expect(results[0].stderr == results[1].stderr, "\(context)")
                    #expect(results[0].status == results[1].status, "\(context)")
                    #expect(outputs[0] == outputs[1], "\(context)")
                    compared += 1
                }
            }
            // The default format, and no argument at all.
            for (plain, parsed) in [(["env", "v1.0.0"], ["env", "--", "v1.0.0"]), (["env"], ["env", "--format=text"])] {
                let first = try clone.scratch.run(binary, plain, in: clone.work)
                let second = try clone.scratch.run(binary, parsed, in: clone.work)
                #expect(first.stdout == second.stdout && first.stderr == second.stderr, "\(head): \(plain)")
                #expect(first.status == second.status, "\(head): \(plain)")
            }
        }
        // What each path said, so that a run shows both were exercised on answers and on errors.
        #expect(compared == 3 * 9 * 5)
        #expect(
            try clone.releaseGuardian("env", "v1.0.0", "--format", "shell").stdout
                == "export RELEASE_GUARDIAN_ENVIRONMENT=prod\nexport RELEASE_GUARDIAN_VERSION=1.0.0\nexport RELEASE_GUARDIAN_COMPONENT=''\n"
        )
        #expect(try clone.releaseGuardian("env", "v9.9.9").stderr.contains("no branch or tag named 'v9.9.9'"))
        // Unborn, still a branch.
        #expect(try clone.releaseGuardian("env", "--format", "json").stdout.contains(#""ref":"refs/heads/next""#))
    }

    /// Anything but the plain forms is left to ArgumentParser: its usage errors and help.
    @Test func leavesEverythingElseToArgumentParser() throws {
        let clone = try GuardedClone(hook: .none)
        for arguments in [["env", "--format", "yaml"], ["env", "a", "b"], ["env", "--format"], ["env", "--nope"], ["env", "-x"]] {
            let result = try clone.scratch.run(binary, arguments, in: clone.work)
            #expect(result.status == 64, "\(arguments): \(result)")
            #expect(result.stderr.contains("Usage: release-guardian env"), "\(arguments): \(result.stderr)")
        }
        let help = try clone.releaseGuardian("env", "--help")
        #expect(help.status == 0 && help.stdout.contains("--format <format>"), "\(help)")
        // A second --format: ArgumentParser takes the last.
        let last = try clone.releaseGuardian("env", "--format", "text", "--format", "json")
        #expect(last.stdout.hasPrefix(#"{"component":null,"environment":"preprod""#))
    }
}
