import Foundation
import TestSupport
import Testing

struct EnvCommandTests {
    @Test func mapsEveryDefaultRefToItsEnvironment() throws {
        let clone = try GuardedClone(hook: .none)
        _ = try clone.git("branch", "release/v1.0.0", "v1.0.0")
        _ = try clone.git("branch", "feature")
        try clone.tag("v1.1.0-rc.1")
        for (ref, expected) in [("main", "preprod\n"), ("v1.0.0", "prod\n"), ("refs/tags/v1.0.0", "prod\n"),
                                ("release/v1.0.0", "prod\n"), ("v1.1.0-rc.1", ""), ("feature", "")] {
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
        try clone.scratch.write("""
            [environment "preprod"]
                target = preprod-scheduler master
                target = preprod-webserver master
            [environment "prod"]
                ref = release-tags
                target = prod-interface master
            """, to: clone.work + "/.release-guardian")
        let json = try clone.releaseGuardian("env", "v1.0.0", "--format", "json")
        #expect(json.stdout == #"{"environment":"prod","ref":"refs/tags/v1.0.0","targets":[{"branch":"master","remote":"prod-interface"}],"version":"1.0.0"}"# + "\n")
        let preprod = try clone.releaseGuardian("env", "main", "--format", "json")
        #expect(preprod.stdout.contains(#""version":null"#))
        #expect(preprod.stdout.contains("preprod-webserver"))
        #expect(try clone.releaseGuardian("env", "v1.0.0", "--format", "gitlab").stdout
            == "RELEASE_GUARDIAN_ENVIRONMENT=prod\nRELEASE_GUARDIAN_VERSION=1.0.0\n")
        #expect(try clone.releaseGuardian("env", "main", "--format", "shell").stdout
            == "export RELEASE_GUARDIAN_ENVIRONMENT=preprod\nexport RELEASE_GUARDIAN_VERSION=''\n")
        let output = clone.scratch.root + "/github-output"
        try clone.scratch.write("previous=1\n", to: output)
        let github = try clone.scratch.run(binary, ["env", "v1.0.0", "--format", "github"], in: clone.work,
                                           extraEnvironment: ["GITHUB_OUTPUT": output])
        #expect(github.status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous=1\nenvironment=prod\nversion=1.0.0\n")
        let noOutput = try clone.releaseGuardian("env", "--format", "github")
        #expect(noOutput.status == 2)
        #expect(noOutput.stderr.contains("GITHUB_OUTPUT"), "refused for another reason: \(noOutput.stderr)")
    }
}
