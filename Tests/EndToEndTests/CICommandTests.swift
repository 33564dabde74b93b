import Foundation
import TestSupport
import Testing

/// `release-guardian ci` in fresh clones of an origin, as a pipeline sees them.
struct CICommandTests {
    /// An origin where, besides the good releases, someone pushed a skipping tag with --no-verify.
    func originWithABadTag() throws -> GuardedClone {
        let clone = try GuardedClone()
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        #expect(try clone.push("-q", "--follow-tags", "origin", "main").status == 0)
        _ = try clone.commit("another")
        try clone.tag("v1.3.0")
        let refused = try clone.push("-q", "--follow-tags", "origin", "main")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[tag-skip]"), "refused for another reason: \(refused.stderr)")
        #expect(try clone.push("-q", "--no-verify", "--follow-tags", "origin", "main").status == 0)
        return clone
    }

    func pipelineClone(_ clone: GuardedClone, _ arguments: String...) throws -> String {
        let path = clone.scratch.root + "/pipeline-" + UUID().uuidString.prefix(6)
        try clone.scratch.git(["clone", "-q", "-c", "advice.detachedHead=false"] + arguments + [path], in: clone.scratch.root)
        return path
    }

    func github(
        _ ref: String, in directory: String, _ clone: GuardedClone, _ extra: String...
    ) throws -> (ProcessResult, outputs: String, summary: String) {
        let outputs = directory + "/.github-output", summary = directory + "/.github-summary"
        let result = try clone.scratch.run(
            binary, ["ci"] + extra, in: directory,
            extraEnvironment: [
                "GITHUB_ACTIONS": "true", "GITHUB_REF": ref, "GITHUB_OUTPUT": outputs, "GITHUB_STEP_SUMMARY": summary,
            ])
        return (
            result, (try? String(contentsOfFile: outputs, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: summary, encoding: .utf8)) ?? ""
        )
    }

    @Test func writesGitHubOutputsForAGoodTag() throws {
        let clone = try originWithABadTag()
        let pipeline = try pipelineClone(clone, clone.origin)
        let (result, outputs, summary) = try github("refs/tags/v1.1.0", in: pipeline, clone)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(outputs == "environment=prod\nversion=1.1.0\ncomponent=\n")
        #expect(summary.contains("allowed"))
        #expect(result.stdout.contains("checked: tag-format"))
    }

    /// The checkout is the ref being judged, written by whoever pushed it: a tag whose commit
    /// carries a looser policy (another main, skips allowed) is still judged by main's.
    @Test func judgesATagWithMainsPolicyNotTheOneItsCommitCarries() throws {
        let clone = try GuardedClone()
        _ = try clone.git("checkout", "-q", "-b", "evil")
        try clone.scratch.write("[release]\n    main = evil\n    allowSkip = true\n", to: clone.work + "/.release-guardian")
        _ = try clone.git("add", ".release-guardian")
        _ = try clone.git("commit", "-q", "-m", "innocent")
        try clone.tag("v9.0.0")
        #expect(try clone.push("-q", "--no-verify", "origin", "evil", "v9.0.0").status == 0)
        let pipeline = try pipelineClone(clone, "--branch", "v9.0.0", clone.origin)
        let (result, outputs, _) = try github("refs/tags/v9.0.0", in: pipeline, clone)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("[tag-skip]") && result.stdout.contains("[tag-on-main]"), "\(result.stdout)")
        #expect(outputs.isEmpty)
        // A local main an earlier job left in a reused build directory does not count: origin's does.
        try clone.scratch.git("branch", "-f", "main", "v9.0.0", in: pipeline)
        let (stale, _, _) = try github("refs/tags/v9.0.0", in: pipeline, clone)
        #expect(stale.status == 1 && stale.stdout.contains("[tag-skip]"), "\(stale.stdout)\(stale.stderr)")
        // Jenkins and other services: a pipeline too.
        let jenkins = try clone.scratch.run(
            binary, ["ci", "--ref", "refs/tags/v9.0.0"], in: pipeline, extraEnvironment: ["JENKINS_URL": "http://jenkins.example/"])
        #expect(jenkins.status == 1 && jenkins.stdout.contains("[tag-skip]"), "\(jenkins.stdout)\(jenkins.stderr)")
        // Main's own policy applies, and names another main when it says so.
        _ = try clone.git("checkout", "-q", "main")
        try clone.scratch.write("[release]\n    allowSkip = true\n", to: clone.work + "/.release-guardian")
        _ = try clone.git("add", ".release-guardian")
        _ = try clone.git("commit", "-q", "-m", "allow skips")
        #expect(try clone.push("-q", "origin", "main").status == 0)
        let again = try pipelineClone(clone, "--branch", "v9.0.0", clone.origin)
        let (loosened, _, _) = try github("refs/tags/v9.0.0", in: again, clone)
        #expect(loosened.status == 1)
        #expect(!loosened.stdout.contains("[tag-skip]") && loosened.stdout.contains("[tag-on-main]"), "\(loosened.stdout)")
    }

    @Test func failsOnABadTagThatReachedOriginWithNoVerify() throws {
        let clone = try originWithABadTag()
        let pipeline = try pipelineClone(clone, clone.origin)
        let (result, outputs, summary) = try github("refs/tags/v1.3.0", in: pipeline, clone)
        #expect(result.status == 1)
        #expect(result.stdout.contains("[tag-skip]"))
        #expect(outputs.isEmpty, "no environment may be written for a refused tag")
        #expect(summary.contains("refused"))
    }

    @Test func saysWhatItCannotCheckForMain() throws {
        let clone = try GuardedClone()
        let pipeline = try pipelineClone(clone, clone.origin)
        let (result, outputs, _) = try github("refs/heads/main", in: pipeline, clone)
        #expect(result.status == 0)
        #expect(outputs == "environment=preprod\nversion=\ncomponent=\n")
        #expect(result.stdout.contains("not checked: main-force"))
    }

    @Test func writesTheGitLabDotenv() throws {
        let clone = try GuardedClone()
        let pipeline = try pipelineClone(clone, clone.origin)
        let result = try clone.scratch.run(
            binary, ["ci"], in: pipeline,
            extraEnvironment: [
                "GITLAB_CI": "true", "CI_COMMIT_TAG": "v1.0.0", "CI_PROJECT_DIR": pipeline,
            ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            try String(contentsOfFile: pipeline + "/release-guardian.env", encoding: .utf8)
                == "RELEASE_GUARDIAN_ENVIRONMENT=prod\nRELEASE_GUARDIAN_VERSION=1.0.0\nRELEASE_GUARDIAN_COMPONENT=\n")
    }

    @Test func deepensAShallowCloneAndNeverGivesAWrongVerdict() throws {
        let clone = try originWithABadTag()
        let url = "file://" + clone.origin
        // A good tag: exit 0 with its environment, once deepened.
        let good = try pipelineClone(clone, "--depth", "1", "--branch", "v1.1.0", url)
        let (allowed, outputs, _) = try github("refs/tags/v1.1.0", in: good, clone)
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(outputs == "environment=prod\nversion=1.1.0\ncomponent=\n")
        #expect(allowed.stdout.contains("deepened"))
        // The bad tag: never exit 0.
        let bad = try pipelineClone(clone, "--depth", "1", "--branch", "v1.3.0", url)
        let (refused, badOutputs, _) = try github("refs/tags/v1.3.0", in: bad, clone)
        #expect(refused.status == 1)
        #expect(badOutputs.isEmpty)
        // Told not to deepen: exit 2 and the exact fix.
        let shallow = try pipelineClone(clone, "--depth", "1", "--branch", "v1.1.0", url)
        let (stopped, _, _) = try github("refs/tags/v1.1.0", in: shallow, clone, "--no-deepen")
        #expect(stopped.status == 2)
        #expect(stopped.stderr.contains("shallow"))
        #expect(stopped.stderr.contains("fetch-depth: 0"))
    }

    @Test func judgesAReRunOfAnOldTagAgainstTheTagsBeforeIt() throws {
        let clone = try GuardedClone()
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        #expect(try clone.push("-q", "--follow-tags", "origin", "main").status == 0)
        let pipeline = try pipelineClone(clone, clone.origin)
        let (result, _, _) = try github("refs/tags/v1.0.0", in: pipeline, clone)
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func exitsTwoWhenMainIsNotInTheClone() throws {
        let clone = try GuardedClone()
        let pipeline = try pipelineClone(clone, "--single-branch", "--branch", "v1.0.0", clone.origin)
        let (result, _, _) = try github("refs/tags/v1.0.0", in: pipeline, clone)
        #expect(result.status == 2)
        #expect(result.stderr.contains("main"))
    }

    /// `--ref` wins over the CI's ref (release-please tags in a run of main), and `--json` puts
    /// one document on stdout, the text on stderr.
    @Test func jsonPrintsTheOutcomeOfTheRefGivenOverTheCIs() throws {
        let clone = try originWithABadTag()
        let pipeline = try pipelineClone(clone, clone.origin)
        let (refused, refusedOutputs, _) = try github("refs/heads/main", in: pipeline, clone, "--ref", "v1.3.0", "--json")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refusedOutputs.isEmpty)
        #expect(refused.stderr.contains("verdict: refused"), "\(refused.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
        #expect(refused.stdout.split(separator: "\n").count == 1)
        #expect(document["ref"] as? String == "refs/tags/v1.3.0")
        #expect(document["environment"] as? String == "prod")
        #expect(document["version"] as? String == "1.3.0")
        #expect(document["allowed"] as? Bool == false)
        #expect(document["platform"] as? String == "github")
        #expect(document["deepened"] as? Bool == false)
        #expect((document["checked"] as? [String])?.contains("tag-skip") == true)
        #expect((document["notChecked"] as? [String])?.isEmpty == false)
        let violations = try #require(document["violations"] as? [[String: Any]])
        #expect(violations.map { $0["rule"] as? String } == ["tag-skip"])
        #expect(violations.first?["fix"] as? String != nil)

        let (allowed, outputs, _) = try github("refs/heads/main", in: pipeline, clone, "--json", "--ref", "refs/tags/v1.1.0")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(outputs == "environment=prod\nversion=1.1.0\ncomponent=\n")
        let good = try #require(try JSONSerialization.jsonObject(with: Data(allowed.stdout.utf8)) as? [String: Any])
        #expect(good["allowed"] as? Bool == true)
        #expect(good["component"] is NSNull, "\(allowed.stdout)")
        #expect((good["violations"] as? [Any])?.isEmpty == true)
        #expect((good["written"] as? [String])?.contains(pipeline + "/.github-output") == true, "\(allowed.stdout)")

        let (failed, _, _) = try github("refs/heads/main", in: pipeline, clone, "--json", "--ref", "v9.9.9")
        #expect(failed.status == 2)
        let failure = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])
        #expect(failure["exitCode"] as? Int == 2)
        #expect((failure["error"] as? String)?.contains("v9.9.9") == true)
        #expect(failed.stderr.contains("v9.9.9"))
    }
}
